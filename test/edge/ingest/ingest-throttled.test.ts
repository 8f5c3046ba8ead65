/**
 * The ingest core when the event stream throttles: 429 throttled with Retry-After (readable from
 * another origin), the whole body kept as a bad row as on a 503, and the batch sent again stored
 * once. `writeRejection` is the one place a write failure becomes an answer, for every path.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { EdgeError, StreamThrottledError, StreamUnavailableError } from '../../../edge/errors.js';
import { ingest, writeRejection } from '../../../edge/ingest/ingest.js';
import type { IngestRequest, IngestResult } from '../../../edge/ingest/types.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import { parseRetryAfter, decide, DEFAULT_NEVER_RETRY } from '../../../common/retry-policy.js';
import { makeBatch, makeIngestRequest, NOW } from '../../helpers/cloudfront-events.js';

const SENT_AT = NOW - 1500;
const PAGE = 'https://player.example';

let writer: MemoryRecordWriter;
let badRows: MemoryBadRowSink;

beforeEach(() => {
  writer = new MemoryRecordWriter();
  badRows = new MemoryBadRowSink();
});

function run(req: IngestRequest): Promise<IngestResult> {
  return ingest(req, { config: DEFAULT_CONFIG, writer, badRows });
}

describe('a throttled stream', () => {
  it('answers 429 throttled with Retry-After, exposed to the page, and keeps the whole body', async () => {
    writer.throttling = true;
    const batch = makeBatch({ sent_at: SENT_AT, count: 3 });
    const text = JSON.stringify(batch);
    const res = await run(makeIngestRequest({ body: batch, headers: { origin: PAGE } }));
    expect(res.status).toBe(429);
    expect(res.headers).toMatchObject({
      'retry-after': '2',
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'retry-after, deprecation, sunset',
      'content-type': 'application/json',
    });
    expect(JSON.parse(res.body as string)).toStrictEqual({
      error: 'throttled',
      detail: 'the event stream is over its write rate; retry after the Retry-After delay',
    });
    expect(writer.records).toStrictEqual([]);
    expect(badRows.rows).toHaveLength(1);
    expect(badRows.rows[0]).toMatchObject({
      status: 429,
      reason: 'throttled',
      session_id: batch.session_id,
      payload: text,
      payload_encoding: 'text',
    });
    // A client following our retry policy comes back after at least the Retry-After delay.
    expect(decide(res.status, DEFAULT_NEVER_RETRY)).toBe('retry');
    expect(parseRetryAfter(res.headers['retry-after'], NOW)).toBe(2000);
  });

  it('stores the batch once when it comes back after the throttling ends', async () => {
    writer.throttling = true;
    const batch = makeBatch({ sent_at: SENT_AT, count: 2 });
    expect((await run(makeIngestRequest({ body: batch }))).status).toBe(429);
    writer.throttling = false;
    expect((await run(makeIngestRequest({ body: batch }))).status).toBe(204);
    expect(writer.records).toHaveLength(1);
    expect(writer.records[0].events.map((e) => e.id)).toStrictEqual(batch.events.map((e) => e.id));
  });

  it('answers 503 instead when the throttled body cannot be kept as a bad row either', async () => {
    writer.throttling = true;
    badRows.failing = true;
    const res = await run(makeIngestRequest({ body: makeBatch({ sent_at: SENT_AT }) }));
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body as string)).toMatchObject({ error: 'stream_unavailable' });
    expect(res.headers['retry-after']).toBe('2');
  });

  it('a stream that is down (not throttled) is still 503 stream_unavailable', async () => {
    writer.failing = true;
    writer.throttling = true;
    const res = await run(makeIngestRequest({ body: makeBatch({ sent_at: SENT_AT }) }));
    expect(res.status).toBe(503);
    expect(badRows.rows.map((r) => [r.status, r.reason])).toStrictEqual([
      [503, 'stream_unavailable'],
    ]);
  });
});

describe('writeRejection', () => {
  it('maps a throttled write to 429 throttled and any other failure to 503', () => {
    const throttled = new StreamThrottledError(
      'x',
      [0],
      3,
      'ProvisionedThroughputExceededException',
    );
    // Still a StreamUnavailableError to code that only knows that one.
    expect(throttled).toBeInstanceOf(StreamUnavailableError);
    expect(writeRejection(throttled)).toMatchObject({ status: 429, reason: 'throttled' });
    for (const err of [
      new StreamUnavailableError('x', [0], 3, 'InternalFailure'),
      new EdgeError('x'),
      new Error('x'),
      'not an error',
    ])
      expect(writeRejection(err)).toMatchObject({ status: 503, reason: 'stream_unavailable' });
  });
});
