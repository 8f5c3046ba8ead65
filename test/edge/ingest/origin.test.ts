/** The CORS allow-list rule the ingest core applies to POSTs (the CloudFront Function's rule). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { allowOriginFor, checkOrigin } from '../../../edge/ingest/origin.js';

const LISTED = {
  ...DEFAULT_CONFIG,
  allowedOrigins: [' https://Video.Example/ ', 'http://localhost:8787'],
};
const ANY = { ...DEFAULT_CONFIG, allowedOrigins: ['*'] };

describe('allowOriginFor', () => {
  it.each([
    ['https://video.example', 'https://video.example'],
    ['http://localhost:8787', 'http://localhost:8787'],
    ['https://video.example.evil', ''],
    ['http://video.example', ''],
    ['null', ''],
    [undefined, ''],
  ])('%j → %j with a list', (origin, allow) => {
    expect(allowOriginFor(origin, LISTED)).toBe(allow);
  });

  it('answers * for any origin with *, and nothing without an origin', () => {
    expect(allowOriginFor('null', ANY)).toBe('*');
    expect(allowOriginFor(undefined, ANY)).toBe('');
  });
});

describe('checkOrigin', () => {
  it('refuses an origin not on the list with 403 origin_not_allowed, its text cut', () => {
    expect(checkOrigin('https://evil.example', LISTED)).toStrictEqual({
      status: 403,
      reason: 'origin_not_allowed',
      detail: 'origin https://evil.example may not send beacons here',
    });
    const long = `https://${'a'.repeat(500)}.example`;
    expect(checkOrigin(long, LISTED)?.detail.length).toBeLessThan(260);
  });

  it('lets a listed origin, any origin under *, and a request without Origin through', () => {
    expect(checkOrigin('https://video.example', LISTED)).toBeUndefined();
    expect(checkOrigin('https://evil.example', ANY)).toBeUndefined();
    expect(checkOrigin(undefined, LISTED)).toBeUndefined();
    expect(checkOrigin('', LISTED)).toBeUndefined();
  });
});
