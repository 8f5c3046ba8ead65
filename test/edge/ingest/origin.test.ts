/**
 * The CORS allow-list rule the ingest core applies to POSTs: the viewer function's stamped verdict
 * (from the KeyValueStore's list) when there is one, the compiled list otherwise.
 */
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

describe('with the stamped verdict of the viewer function', () => {
  it('follows the verdict over the compiled list, both ways', () => {
    // Refused by the store although the compiled list has *; allowed although it is not listed.
    expect(allowOriginFor('https://evil.example', ANY, '0')).toBe('');
    expect(checkOrigin('https://evil.example', ANY, '0')).toMatchObject({
      status: 403,
      reason: 'origin_not_allowed',
    });
    expect(allowOriginFor('https://new.example', LISTED, '1')).toBe('https://new.example');
    expect(checkOrigin('https://new.example', LISTED, '1')).toBeUndefined();
    expect(allowOriginFor('https://new.example', LISTED, '*')).toBe('*');
  });

  it('uses the compiled list when there is no verdict, and needs an Origin either way', () => {
    expect(allowOriginFor('https://evil.example', LISTED, undefined)).toBe('');
    expect(allowOriginFor('https://video.example', LISTED, undefined)).toBe(
      'https://video.example',
    );
    expect(allowOriginFor(undefined, LISTED, '1')).toBe('');
    expect(checkOrigin(undefined, LISTED, '0')).toBeUndefined();
  });
});
