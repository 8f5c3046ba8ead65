import { describe, expect, it } from 'vitest';
import { drmSystem } from '../../../player/adapters/key-system.js';

describe('drmSystem', () => {
  it.each([
    ['com.widevine.alpha', 'widevine'],
    ['urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed', 'widevine'],
    ['com.microsoft.playready', 'playready'],
    ['com.microsoft.playready.recommendation', 'playready'],
    ['com.apple.fps', 'fairplay'],
    ['com.apple.streamingkeydelivery', 'fairplay'],
    ['org.w3.clearkey', 'clearkey'],
    ['com.example.drm', 'other'],
  ])('%s is %s', (keySystem, name) => {
    expect(drmSystem(keySystem)).toBe(name);
  });

  it('names none for no key system (HLS AES-128 identity, empty, not a string)', () => {
    for (const k of ['identity', '', undefined, null, 7]) expect(drmSystem(k)).toBeUndefined();
  });
});
