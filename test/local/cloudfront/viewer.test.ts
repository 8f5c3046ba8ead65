import { describe, expect, it } from 'vitest';
import { DEFAULT_EDGE_LOCATION } from '../../../local/cloudfront/pops.js';
import {
  DEFAULT_VIEWER_HEADERS,
  groupHeaders,
  headerKeys,
  isLoopback,
  viewerContext,
} from '../../../local/cloudfront/viewer.js';

/** Node's rawHeaders layout from name/value pairs. */
const raw = (...pairs: [string, string][]) => pairs.flat();

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.5.0.9', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['::ffff:192.168.1.2', false],
    ['1127.0.0.1', false],
    [undefined, false],
  ])('%s → %s', (addr, expected) => {
    expect(isLoopback(addr)).toBe(expected);
  });
});

describe('viewerContext', () => {
  const geo = raw(
    ['X-Beacon-Pop', 'SIN2-C1'],
    ['CloudFront-Viewer-Country', 'SG'],
    ['cloudfront-viewer-asn', '4773'],
    ['Content-Type', 'text/plain'],
    ['Connection', 'keep-alive'],
  );

  it('takes POP and geo headers from a loopback request', () => {
    const ctx = viewerContext('127.0.0.1', geo);
    expect(ctx.edgeLocation).toStrictEqual({
      name: 'SIN',
      region: 'ap-southeast-1',
      serverIp: DEFAULT_EDGE_LOCATION.serverIp,
    });
    expect(ctx.pop).toBe('SIN2-C1');
    expect(ctx.cloudFrontHeaders).toStrictEqual([
      { name: 'cloudfront-viewer-country', key: 'CloudFront-Viewer-Country', value: 'SG' },
      { name: 'cloudfront-viewer-asn', key: 'CloudFront-Viewer-ASN', value: '4773' },
    ]);
    // Emulator-only, CloudFront-owned and hop-by-hop headers never reach the edge code as client headers.
    expect(ctx.clientHeaders).toStrictEqual([
      { name: 'content-type', key: 'Content-Type', value: 'text/plain' },
    ]);
  });

  it('ignores POP and geo headers from other addresses and uses the defaults', () => {
    const ctx = viewerContext('203.0.113.7', geo);
    expect(ctx.edgeLocation).toStrictEqual(DEFAULT_EDGE_LOCATION);
    expect(ctx.pop).toBe('IAD89-C1');
    expect(Object.fromEntries(ctx.cloudFrontHeaders.map((h) => [h.key, h.value]))).toStrictEqual(
      DEFAULT_VIEWER_HEADERS,
    );
    expect(ctx.clientHeaders.map((h) => h.name)).toStrictEqual(['content-type']);
  });

  it('uses the defaults for a loopback request that brings no geo headers', () => {
    const ctx = viewerContext('::1', raw(['Content-Type', 'application/json']));
    expect(ctx.edgeLocation).toStrictEqual(DEFAULT_EDGE_LOCATION);
    expect(ctx.cloudFrontHeaders).toHaveLength(Object.keys(DEFAULT_VIEWER_HEADERS).length);
  });

  it('never forwards an address header carrying the client IP', () => {
    const ctx = viewerContext('127.0.0.1', raw(['CloudFront-Viewer-Country', 'DE']));
    expect(ctx.cloudFrontHeaders.some((h) => h.name === 'cloudfront-viewer-address')).toBe(false);
    expect(Object.keys(DEFAULT_VIEWER_HEADERS).some((k) => /address/i.test(k))).toBe(false);
  });

  it('groups repeated headers and keeps the first spelling', () => {
    const headers = viewerContext('127.0.0.1', raw(['Accept', 'a'], ['ACCEPT', 'b'])).clientHeaders;
    expect(groupHeaders(headers)).toStrictEqual({ accept: ['a', 'b'] });
    expect([...headerKeys(headers)]).toStrictEqual([['accept', 'Accept']]);
  });
});
