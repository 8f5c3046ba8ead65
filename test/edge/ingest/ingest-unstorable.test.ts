/**
 * The ingest core with values the store cannot keep: the edge refuses what a client sent (body or
 * event, with its reason) and repairs what CloudFront sent, so that every record it writes and
 * every bad row it keeps is read by the core pipeline as it is. Each case is an input the edge
 * once acknowledged (or kept as a bad row) that the core then refused.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { ingest } from '../../../edge/ingest/ingest.js';
import type { IngestRequest, IngestResult } from '../../../edge/ingest/types.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import { parseBadRow } from '../../../core-pipeline/bad-rows.js';
import { recordToRows } from '../../../core-pipeline/transform.js';
import { makeBatch, makeIngestRequest, NOW } from '../../helpers/cloudfront-events.js';
import { jsonBytes } from '../../helpers/records.js';
import { LIMITS } from '../../../schemas/limits.js';

const SENT_AT = NOW - 1500;
const HI = '\uD800';
const LO = '\uDC00';
const EMOJI = '😀';

let writer: MemoryRecordWriter;
let badRows: MemoryBadRowSink;

beforeEach(() => {
  writer = new MemoryRecordWriter();
  badRows = new MemoryBadRowSink();
});

function run(req: IngestRequest): Promise<IngestResult> {
  return ingest(req, { config: DEFAULT_CONFIG, writer, badRows });
}

/** A three-event batch as a plain object, to be broken one field at a time. */
function batch(): Record<string, unknown> & { events: Record<string, unknown>[] } {
  return makeBatch({ sent_at: SENT_AT, types: ['started', 'paused', 'volume_changed'] }) as never;
}

function body(res: IngestResult): unknown {
  return res.body === undefined ? undefined : JSON.parse(res.body);
}

/**
 * What the core makes of everything the edge kept: every record read whole (every event a row,
 * none refused) and every bad row read as it was sent (no string needed repair).
 */
function expectCoreReadsAll(): void {
  for (const record of writer.records) {
    const wire = JSON.parse(JSON.stringify(record));
    const { events, invalidEvents } = recordToRows(wire, NOW);
    expect(invalidEvents).toStrictEqual([]);
    expect(events).toHaveLength(record.events.length);
    expect(events.map((e) => e.content_id)).toStrictEqual(events.map(() => record.content_id));
  }
  for (const row of badRows.rows) expect(parseBadRow(jsonBytes(row))).toStrictEqual(row);
}

describe('envelope strings that are not well-formed Unicode → 400 invalid_envelope', () => {
  const fields = ['content_id', 'sdk_name', 'sdk_version', 'player_name', 'player_version'];
  // Within the schema's maxLength (code points, where a lone surrogate counts as one).
  const MAX_LENGTH: Record<string, number> = { ...LIMITS.maxLength };
  const values: [string, string][] = [
    ['a lone high surrogate', `movie${HI}`],
    ['a lone low surrogate', `${LO}x`],
    ['a reversed pair', `${LO}${HI}`],
    ['256 lone surrogates', HI.repeat(256)],
  ];
  const cases = fields.flatMap((f) => values.map(([what, v]) => [f, what, v] as const));

  it.each(cases)('%s with %s', async (field, _what, value) => {
    const b = batch();
    b[field] = value.slice(0, MAX_LENGTH[field]);
    const res = await run(makeIngestRequest({ body: b }));
    expect(res.status).toBe(400);
    expect(body(res)).toStrictEqual({
      error: 'invalid_envelope',
      detail: `/${field} must be well-formed Unicode`,
    });
    expect(writer.records).toStrictEqual([]);
    expect(badRows.rows.map((r) => [r.reason, r.status])).toStrictEqual([
      ['invalid_envelope', 400],
    ]);
    expectCoreReadsAll();
  });

  it('a duplicate key whose last value (the one JSON.parse keeps) is not well-formed', async () => {
    const text = JSON.stringify(batch()).replace(
      /"content_id":"([^"]*)"/,
      '"content_id":"$1","content_id":"\\ud800"',
    );
    const res = await run(makeIngestRequest({ body: text }));
    expect(res.status).toBe(400);
    expect(body(res)).toMatchObject({ detail: '/content_id must be well-formed Unicode' });
    expect(writer.records).toStrictEqual([]);
    expectCoreReadsAll();
  });

  it('a duplicate key whose first value is bad keeps the good last one (204)', async () => {
    const text = JSON.stringify(batch()).replace(
      '"content_id":',
      '"content_id":"\\ud800","content_id":',
    );
    const res = await run(makeIngestRequest({ body: text }));
    expect(res.status).toBe(204);
    expect(writer.records[0].content_id).not.toContain(HI);
    expectCoreReadsAll();
  });
});

describe('event values the store cannot keep → that event invalid_event, its neighbours stored', () => {
  it.each([
    ['code', { code: `E${HI}` }],
    ['message', { message: `m${LO}` }],
  ])('error %s with a lone surrogate', async (field, fields) => {
    const b = batch();
    const e = b.events[1];
    b.events[1] = {
      type: 'error',
      id: e.id,
      seq: e.seq,
      ts: e.ts,
      playhead: 1,
      code: 'E1',
      fatal: false,
      ...fields,
    };
    const res = await run(makeIngestRequest({ body: b }));
    expect(res.status).toBe(200);
    expect(body(res)).toStrictEqual({
      accepted: 2,
      rejected: [
        {
          index: 1,
          event_id: e.id,
          reason: 'invalid_event',
          detail: `/events/1/${field} must be well-formed Unicode`,
        },
      ],
    });
    expect(writer.records[0].events.map((x) => x.id)).toStrictEqual([
      b.events[0].id,
      b.events[2].id,
    ]);
    expect(badRows.rows).toHaveLength(1);
    expect(badRows.rows[0]).toMatchObject({ reason: 'invalid_event', index: 1, event_id: e.id });
    expectCoreReadsAll();
  });

  it('an event id that is not well-formed is not echoed as event_id (the payload keeps it)', async () => {
    const b = batch();
    b.events[1] = { ...b.events[1], id: `abcdefgh${HI}` };
    const res = await run(makeIngestRequest({ body: b }));
    expect(res.status).toBe(200);
    expect((body(res) as { rejected: object[] }).rejected[0]).not.toHaveProperty('event_id');
    expect(badRows.rows[0]).not.toHaveProperty('event_id');
    expect(JSON.parse(badRows.rows[0].payload).id).toBe(`abcdefgh${HI}`);
    expectCoreReadsAll();
  });
});

describe('CloudFront values are repaired, never refused', () => {
  it('a header cut at 128 code points keeps a whole emoji at the cut', async () => {
    const city = `${'a'.repeat(127)}${EMOJI}tail`;
    const res = await run(
      makeIngestRequest({ body: batch(), headers: { 'cloudfront-viewer-city': city } }),
    );
    expect(res.status).toBe(204);
    expect(writer.records[0].geo.city).toBe(`${'a'.repeat(127)}${EMOJI}`);
    expectCoreReadsAll();
  });

  it('a raw lone surrogate in a header becomes U+FFFD', async () => {
    const res = await run(
      makeIngestRequest({ body: batch(), headers: { 'cloudfront-viewer-country': `D${HI}` } }),
    );
    expect(res.status).toBe(204);
    expect(writer.records[0].geo.country).toBe('D\uFFFD');
    expectCoreReadsAll();
  });

  it('an empty request id gets a generated one, different per request', async () => {
    await run(makeIngestRequest({ body: batch(), requestId: '' }));
    const bad = batch();
    bad.events[1] = { ...bad.events[1], seq: -1 };
    await run(makeIngestRequest({ body: bad, requestId: '' }));
    const ids = [writer.records[0].edge.request_id, writer.records[1].edge.request_id];
    expect(ids[0]).toMatch(/^edge-[0-9a-f-]{36}$/);
    expect(ids[1]).not.toBe(ids[0]);
    expect(badRows.rows[0].request_id).toBe(ids[1]);
    expectCoreReadsAll();
  });
});

describe('bad rows echo only storable text', () => {
  it('an unknown schema_version is echoed cut on whole code points', async () => {
    const version = `${'x'.repeat(39)}${EMOJI}${'y'.repeat(10)}`;
    const res = await run(makeIngestRequest({ body: { ...batch(), schema_version: version } }));
    expect(res.status).toBe(400);
    const detail = (body(res) as { detail: string }).detail;
    expect(detail.startsWith(`schema_version '${'x'.repeat(39)}${EMOJI}…'`)).toBe(true);
    expectCoreReadsAll();
  });

  it('an unknown property name is echoed cut on whole code points', async () => {
    const b = batch();
    b.events[1] = { ...b.events[1], [`${'k'.repeat(63)}${EMOJI}zz`]: 1 };
    const res = await run(makeIngestRequest({ body: b }));
    expect(res.status).toBe(200);
    expect(badRows.rows[0].detail).toContain(`'${'k'.repeat(63)}${EMOJI}…'`);
    expectCoreReadsAll();
  });

  it('an unknown property name with a lone surrogate is echoed repaired', async () => {
    const b = batch();
    b.events[1] = { ...b.events[1], [`k${HI}`]: 1 };
    await run(makeIngestRequest({ body: b }));
    expect(badRows.rows[0].detail).toContain("'k\uFFFD'");
    expectCoreReadsAll();
  });

  it('a session id with a lone surrogate is kept for tracing, repaired', async () => {
    const res = await run(makeIngestRequest({ body: { ...batch(), session_id: `abcdefgh${HI}` } }));
    expect(res.status).toBe(400);
    expect(badRows.rows[0].session_id).toBe('abcdefgh\uFFFD');
    expectCoreReadsAll();
  });
});
