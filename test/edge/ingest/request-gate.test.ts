/**
 * The request gate's route check, where the CloudFront Function is missing (a misconfigured
 * behaviour): the CMCD path is routed like an ingest path, and its CORS preflight is answered by
 * the ingest core as the function would, allowing the Content-Type a CMCD report needs.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { ingest } from '../../../edge/ingest/ingest.js';
import { checkRoute } from '../../../edge/ingest/request-gate.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import { makeIngestRequest } from '../../helpers/cloudfront-events.js';

const route = (method: string, uri: string, config = DEFAULT_CONFIG) =>
  checkRoute(makeIngestRequest({ method, uri }), config);

describe('checkRoute', () => {
  it.each(['/v1/events', '/v1/cmcd'])('routes POST and OPTIONS on %s', (uri) => {
    expect(route('POST', uri)).toStrictEqual({ kind: 'post' });
    expect(route('OPTIONS', uri)).toStrictEqual({ kind: 'preflight' });
    expect(route('GET', uri)).toMatchObject({
      kind: 'reject',
      rejection: { status: 405, reason: 'method_not_allowed' },
    });
  });

  it.each(['/v1/cmcd/', '/v1/CMCD', '/v1/cmcd2'])('answers 404 for %s', (uri) => {
    expect(route('POST', uri)).toMatchObject({ rejection: { status: 404, reason: 'not_found' } });
  });

  it('follows the configured CMCD path', () => {
    const config = { ...DEFAULT_CONFIG, cmcdPath: '/c' };
    expect(route('POST', '/c', config)).toStrictEqual({ kind: 'post' });
    expect(route('POST', '/v1/cmcd', config)).toMatchObject({ rejection: { status: 404 } });
  });
});

describe('a CMCD preflight answered by the origin-request handler', () => {
  it('allows POST with Content-Type from an allowed origin, cached, and stores nothing', async () => {
    const writer = new MemoryRecordWriter();
    const badRows = new MemoryBadRowSink();
    const res = await ingest(
      makeIngestRequest({
        method: 'OPTIONS',
        uri: '/v1/cmcd',
        body: '',
        headers: { origin: 'https://player.example', 'access-control-request-method': 'POST' },
      }),
      { config: DEFAULT_CONFIG, writer, badRows },
    );
    expect(res).toStrictEqual({
      status: 204,
      headers: {
        'access-control-allow-origin': '*',
        'access-control-expose-headers': 'retry-after, deprecation, sunset',
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '86400',
        'cache-control': 'no-store',
      },
    });
    expect(writer.records).toStrictEqual([]);
    expect(badRows.rows).toStrictEqual([]);
  });
});
