/**
 * The ingest core with recording in-memory storage: every documented status and reason, what is
 * stored, and what lands in bad rows. Each kind of bad input the edge must refuse, one case each.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, EDGE_HEADER, type EdgeConfig } from '../../../edge/config.js';
import { ingest } from '../../../edge/ingest/ingest.js';
import type { IngestLogger, IngestRequest, IngestResult } from '../../../edge/ingest/types.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import { recordToRows } from '../../../core-pipeline/transform.js';
import { SCHEMA_VERSIONS, type BeaconBatch, type BeaconEvent } from '../../../schemas/index.js';
import {
  edgeStamp,
  makeBatch,
  makeBatchOfEveryType,
  makeEvent,
  makeIngestRequest,
  NOW,
} from '../../helpers/cloudfront-events.js';
import { recordOfBatch } from '../../helpers/records.js';

/** The client clock is 1.5 s behind the server. */
const SENT_AT = NOW - 1500;
const SKEW = NOW - SENT_AT;

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'retry-after, deprecation, sunset',
};
const NO_STORE = { 'cache-control': 'no-store' };
const JSON_HEADERS = { ...CORS, ...NO_STORE, 'content-type': 'application/json' };

let writer: MemoryRecordWriter;
let badRows: MemoryBadRowSink;
let logged: { level: string; message: string }[];
const log: IngestLogger = {
  warn: (message) => logged.push({ level: 'warn', message }),
  error: (message) => logged.push({ level: 'error', message }),
};

beforeEach(() => {
  writer = new MemoryRecordWriter();
  badRows = new MemoryBadRowSink();
  logged = [];
});

function run(req: IngestRequest, config: EdgeConfig = DEFAULT_CONFIG): Promise<IngestResult> {
  return ingest(req, { config, writer, badRows, log });
}

/** The response with its JSON body parsed, for whole-object comparison. */
function view(res: IngestResult): {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
} {
  return res.body === undefined ? res : { ...res, body: JSON.parse(res.body) };
}

function post(body: unknown, opts: Parameters<typeof makeIngestRequest>[0] = {}): IngestRequest {
  return makeIngestRequest({ body, ...opts });
}

/** Three valid demo events with one client-made bad event put in at index 1. */
function batchWithBadEvent(bad: unknown): { batch: BeaconBatch; good: BeaconEvent[] } {
  const batch = makeBatch({ sent_at: SENT_AT, types: ['started', 'paused', 'volume_changed'] });
  const good = batch.events;
  return { batch: { ...batch, events: [good[0], bad as BeaconEvent, good[1], good[2]] }, good };
}

/** Asserts a 200 that rejects exactly index 1 and stores the three good events; returns the bad row. */
async function expectOnlyIndex1Rejected(bad: unknown, reason: string, detail: string) {
  const { batch, good } = batchWithBadEvent(bad);
  const res = await run(post(batch));
  const eventId =
    typeof (bad as { id?: unknown }).id === 'string'
      ? { event_id: (bad as { id: string }).id }
      : {};
  expect(view(res)).toStrictEqual({
    status: 200,
    headers: JSON_HEADERS,
    body: { accepted: 3, rejected: [{ index: 1, ...eventId, reason, detail }] },
  });
  expect(writer.records).toHaveLength(1);
  expect(writer.records[0].events.map((e) => e.id)).toStrictEqual(good.map((e) => e.id));
  expect(badRows.rows).toStrictEqual([
    {
      received_at: NOW,
      request_id: 'req-0001',
      pop: 'FRA56-C1',
      session_id: batch.session_id,
      schema_version: '1-0-0',
      sdk_name: batch.sdk_name,
      sdk_version: batch.sdk_version,
      status: 200,
      reason,
      detail,
      index: 1,
      ...eventId,
      payload: JSON.stringify(bad),
      payload_encoding: 'json',
    },
  ]);
  return badRows.rows[0];
}

/** Asserts a whole-body rejection: exact response, nothing stored, the body kept in bad rows. */
async function expectBodyRejected(
  req: IngestRequest,
  status: number,
  reason: string,
  detail: string,
  extraHeaders = {},
) {
  const res = await run(req);
  expect(view(res)).toStrictEqual({
    status,
    headers: { ...JSON_HEADERS, ...extraHeaders },
    body: { error: reason, detail },
  });
  expect(writer.records).toStrictEqual([]);
  expect(badRows.rows).toHaveLength(1);
  expect(badRows.rows[0]).toMatchObject({
    status,
    reason,
    detail,
    request_id: 'req-0001',
    received_at: NOW,
    pop: 'FRA56-C1',
  });
  return badRows.rows[0];
}

describe('accepted batches', () => {
  it('answers 204 without a body and stores one enriched record', async () => {
    const batch = makeBatchOfEveryType({ sent_at: SENT_AT });
    const res = await run(post(batch));
    expect(res).toStrictEqual({ status: 204, headers: { ...CORS, ...NO_STORE } });
    expect(badRows.rows).toStrictEqual([]);
    expect(writer.stored).toHaveLength(1);
    expect(writer.stored[0].stream).toStrictEqual({
      region: 'eu-central-1',
      streamName: 'beacon-edge-events',
    });
    // Events as sent: their server time is ts + skew_ms, which readers compute.
    expect(writer.records[0]).toStrictEqual(
      recordOfBatch(batch, { receivedAt: NOW, requestId: 'req-0001' }),
    );
    expect(writer.records[0].skew_ms).toBe(SKEW);
  });

  it('never stores the client address or user agent', async () => {
    await run(
      post(makeBatch({ sent_at: SENT_AT }), {
        headers: { 'cloudfront-viewer-address': '198.51.100.7:4711' },
      }),
    );
    const stored = JSON.stringify(writer.records[0]);
    expect(stored).not.toContain('198.51.100.7');
    expect(stored).not.toContain('Mozilla');
  });

  it('accepts application/json with a charset and omits optional envelope fields that were not sent', async () => {
    const {
      viewer_id: _v,
      player_name: _p,
      player_version: _pv,
      ...batch
    } = makeBatch({ sent_at: SENT_AT });
    const res = await run(
      post(batch, { headers: { 'content-type': 'application/json; charset=utf-8' } }),
    );
    expect(res.status).toBe(204);
    expect(Object.keys(writer.records[0])).not.toContain('viewer_id');
    expect(Object.keys(writer.records[0])).not.toContain('player_name');
  });

  it('corrects client clock skew in both directions (skew_ms once per record; the core applies it per event)', async () => {
    const ahead = makeBatch({ sent_at: NOW + 90_000 }); // client clock 90 s fast
    const behind = makeBatch({ sent_at: NOW - 45_000 }); // 45 s slow
    await run(post(ahead));
    await run(post(behind));
    expect(writer.records.map((r) => r.skew_ms)).toStrictEqual([-90_000, 45_000]);
    expect(writer.records[0].events.every((e) => !('time' in e))).toBe(true);
    const times = writer.records.map((r) => recordToRows(r, NOW).events.map((e) => e.time));
    expect(times).toStrictEqual([
      ahead.events.map((e) => e.ts - 90_000),
      behind.events.map((e) => e.ts + 45_000),
    ]);
  });

  it('falls back per field when the edge stamp is missing or garbled', async () => {
    await run(
      post(makeBatch({ sent_at: SENT_AT }), {
        headers: { [EDGE_HEADER]: null },
        servingRegion: 'us-east-1',
        now: NOW + 7,
      }),
    );
    await run(
      post(makeBatch({ sent_at: SENT_AT }), {
        headers: { [EDGE_HEADER]: 'pop=<script>;region=Mars;t=soon' },
        servingRegion: 'us-east-1',
      }),
    );
    // A t far from the handler's clock is not believed: only a forged header is that far off.
    await run(
      post(makeBatch({ sent_at: SENT_AT }), {
        headers: { [EDGE_HEADER]: edgeStamp('IAD89-C1', 'us-east-1', NOW - 3_600_000) },
      }),
    );
    const edges = writer.records.map((r) => [r.edge.pop, r.edge.edge_region, r.received_at]);
    expect(edges).toStrictEqual([
      ['unknown', 'us-east-1', NOW + 7],
      ['unknown', 'us-east-1', NOW],
      ['IAD89-C1', 'us-east-1', NOW],
    ]);
  });

  it('routes to the stream nearest the edge region', async () => {
    const cases: [string, string][] = [
      ['eu-west-1', 'eu-central-1'],
      ['us-west-2', 'us-east-1'],
      ['ap-northeast-1', 'ap-southeast-1'],
    ];
    for (const [edgeRegion] of cases) {
      await run(
        post(makeBatch({ sent_at: SENT_AT }), {
          headers: { [EDGE_HEADER]: edgeStamp('XXX1-C1', edgeRegion) },
        }),
      );
    }
    expect(
      writer.stored.map((s) => [
        s.record.edge.edge_region,
        s.stream.region,
        s.record.edge.stream_region,
      ]),
    ).toStrictEqual(cases.map(([edge, stream]) => [edge, stream, stream]));
  });

  it('reads geo and device headers: URL-encoded city, rounded coordinates, device class and OS', async () => {
    await run(
      post(makeBatch({ sent_at: SENT_AT }), {
        headers: {
          'cloudfront-viewer-city': 'S%C3%A3o%20Paulo',
          'cloudfront-viewer-latitude': '-23.55052',
          'cloudfront-viewer-longitude': '-46.63331',
          'cloudfront-is-desktop-viewer': 'false',
          'cloudfront-is-mobile-viewer': 'true',
          'cloudfront-is-tablet-viewer': 'true',
          'cloudfront-is-ios-viewer': 'true',
        },
      }),
    );
    await run(
      post(makeBatch({ sent_at: SENT_AT }), {
        headers: { 'cloudfront-viewer-latitude': 'north', 'cloudfront-is-desktop-viewer': null },
      }),
    );
    const [a, b] = writer.records;
    expect([a.geo.city, a.geo.lat, a.geo.lon, a.edge.device, a.edge.os]).toStrictEqual([
      'São Paulo',
      -23.6,
      -46.6,
      'tablet',
      'ios',
    ]);
    expect(['lat' in b.geo, 'lon' in b.geo, b.edge.device, 'os' in b.edge]).toStrictEqual([
      false,
      false,
      'unknown',
      false,
    ]);
  });

  it('reads the device headers whatever their case and padding', async () => {
    await run(
      post(makeBatch({ sent_at: SENT_AT }), {
        headers: {
          'cloudfront-is-desktop-viewer': 'false',
          'cloudfront-is-smarttv-viewer': ' TRUE ',
          'cloudfront-is-android-viewer': 'True',
        },
      }),
    );
    await run(
      post(makeBatch({ sent_at: SENT_AT }), {
        headers: { 'cloudfront-is-desktop-viewer': 'yes', 'cloudfront-is-mobile-viewer': 'truex' },
      }),
    );
    const [a, b] = writer.records;
    expect([a.edge.device, a.edge.os]).toStrictEqual(['smarttv', 'android']);
    expect([b.edge.device, 'os' in b.edge]).toStrictEqual(['unknown', false]);
  });

  it('answers CORS for allowed origins, as configured with a trailing slash or capitals', async () => {
    const config = { ...DEFAULT_CONFIG, allowedOrigins: ['HTTPS://Player.Example/'] };
    const ok = await run(post(makeBatch({ sent_at: SENT_AT })), config);
    expect(ok.status).toBe(204);
    expect(ok.headers).toStrictEqual({
      'access-control-allow-origin': 'https://player.example',
      'access-control-expose-headers': 'retry-after, deprecation, sunset',
      vary: 'origin',
      ...NO_STORE,
    });
  });

  it('refuses a POST from an origin not on the list with 403 and keeps its body as a bad row', async () => {
    const config = { ...DEFAULT_CONFIG, allowedOrigins: ['https://player.example'] };
    const batch = makeBatch({ sent_at: SENT_AT });
    const res = await run(post(batch, { headers: { origin: 'https://evil.example' } }), config);
    const detail = 'origin https://evil.example may not send beacons here';
    expect(view(res)).toStrictEqual({
      status: 403,
      headers: { vary: 'origin', ...NO_STORE, 'content-type': 'application/json' },
      body: { error: 'origin_not_allowed', detail },
    });
    expect(writer.records).toStrictEqual([]);
    expect(badRows.rows).toStrictEqual([
      {
        received_at: NOW,
        request_id: 'req-0001',
        pop: 'FRA56-C1',
        status: 403,
        reason: 'origin_not_allowed',
        detail,
        payload: JSON.stringify(batch),
        payload_encoding: 'text',
      },
    ]);
    // No Origin header: not a browser, nothing for CORS to protect.
    const { origin: _o, ...noOrigin } = post(batch).headers;
    const server = await run({ ...post(batch), headers: noOrigin }, config);
    expect(server).toStrictEqual({ status: 204, headers: NO_STORE });
  });

  it('follows the allow-list verdict the viewer function stamped (from the KeyValueStore)', async () => {
    const batch = makeBatch({ sent_at: SENT_AT });
    const from = (origin: string, o: string) =>
      post(batch, { headers: { origin, [EDGE_HEADER]: `${edgeStamp()};o=${o}` } });
    // The compiled list allows any origin; the function's store no longer lists this one.
    const refused = await run(from('https://gone.example', '0'));
    expect(view(refused)).toMatchObject({
      status: 403,
      headers: { vary: 'origin' },
      body: { error: 'origin_not_allowed' },
    });
    expect(badRows.rows.map((r) => [r.reason, r.status, r.payload])).toStrictEqual([
      ['origin_not_allowed', 403, JSON.stringify(batch)],
    ]);
    expect(writer.records).toStrictEqual([]);
    // The compiled list does not have this one; the store does.
    const config = { ...DEFAULT_CONFIG, allowedOrigins: ['https://player.example'] };
    const added = await run(from('https://new.example', '1'), config);
    expect(added).toStrictEqual({
      status: 204,
      headers: {
        'access-control-allow-origin': 'https://new.example',
        'access-control-expose-headers': 'retry-after, deprecation, sunset',
        vary: 'origin',
        ...NO_STORE,
      },
    });
    expect(writer.records).toHaveLength(1);
    expect(badRows.rows).toHaveLength(1);
    // A garbled verdict is no verdict: the compiled list decides.
    expect((await run(from('https://gone.example', 'yes'), config)).status).toBe(403);
    expect((await run(from('https://player.example', 'yes'), config)).status).toBe(204);
  });

  it('answers a CORS preflight on an ingest path', async () => {
    const res = await run(makeIngestRequest({ method: 'OPTIONS', body: null }));
    expect(res).toStrictEqual({
      status: 204,
      headers: {
        ...CORS,
        ...NO_STORE,
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '86400',
      },
    });
    expect(badRows.rows).toStrictEqual([]);
  });
});

describe('bad input: whole body', () => {
  it('malformed JSON → 400 invalid_json', async () => {
    const row = await expectBodyRejected(
      post('{"schema_version": "1-0-0",'),
      400,
      'invalid_json',
      expect.any(String) as unknown as string,
    );
    expect(row).toMatchObject({ payload: '{"schema_version": "1-0-0",', payload_encoding: 'text' });
    expect(row.detail).toMatch(/JSON/);
  });

  it.each([
    ['no body', null],
    ['zero bytes', ''],
    ['whitespace only', ' \r\n\t '],
  ])('empty body (%s) → 400 empty_body', async (_name, body) => {
    await expectBodyRejected(post(body), 400, 'empty_body', 'the body is empty; send a JSON batch');
  });

  it('body over the limit → 413 body_too_large, first 64 KiB kept in bad rows', async () => {
    const batch = makeBatch({ sent_at: SENT_AT, content_id: 'x'.repeat(256) });
    const text = JSON.stringify(batch).replace(
      '"events"',
      `"pad":"${'é'.repeat(40_000)}","events"`,
    );
    const size = Buffer.byteLength(text);
    const row = await expectBodyRejected(
      post(text),
      413,
      'body_too_large',
      `body of ${size} bytes exceeds the limit of 65536 bytes`,
    );
    expect(row.payload_truncated).toBe(true);
    expect(row.payload_encoding).toBe('text');
    // Cut on a character boundary, at most 64 KiB.
    expect(Buffer.byteLength(row.payload)).toBeLessThanOrEqual(65536);
    expect(text.startsWith(row.payload)).toBe(true);
  });

  it('a Content-Length over the limit → 413 body_too_large even before the bytes are counted', async () => {
    await expectBodyRejected(
      post(makeBatch({ sent_at: SENT_AT }), { headers: { 'content-length': '70000' } }),
      413,
      'body_too_large',
      'body of 70000 bytes exceeds the limit of 65536 bytes',
    );
  });

  it('truncated body → 413 body_truncated', async () => {
    const text = JSON.stringify(makeBatch({ sent_at: SENT_AT }));
    const row = await expectBodyRejected(
      post(text.slice(0, 100), { inputTruncated: true }),
      413,
      'body_truncated',
      'the body was cut by the CDN; send at most 65536 bytes',
    );
    expect(row.payload).toBe(text.slice(0, 100));
  });

  it.each([
    ['application/xml', "'application/xml' is not accepted; use application/json or text/plain"],
    [
      'multipart/form-data; boundary=x',
      "'multipart/form-data' is not accepted; use application/json or text/plain",
    ],
    [null, 'no content type is not accepted; use application/json or text/plain'],
    ['text/plain; charset=iso-8859-1', "charset 'iso-8859-1' is not accepted; use utf-8"],
  ])('wrong content type %s → 415 unsupported_media_type', async (type, detail) => {
    await expectBodyRejected(
      post(makeBatch({ sent_at: SENT_AT }), { headers: { 'content-type': type } }),
      415,
      'unsupported_media_type',
      detail,
    );
  });

  it('unknown schema version → 400 unknown_schema_version listing the supported ones', async () => {
    const row = await expectBodyRejected(
      post({ ...makeBatch({ sent_at: SENT_AT }), schema_version: '9-0-0' }),
      400,
      'unknown_schema_version',
      `schema_version '9-0-0' is not supported; supported: ${SCHEMA_VERSIONS.join(', ')}`,
    );
    expect(row.schema_version).toBe('9-0-0');
  });

  it.each([
    [
      'missing field',
      (b: Record<string, unknown>) => delete b.content_id,
      "/ must have required property 'content_id'",
    ],
    [
      'missing schema version',
      (b: Record<string, unknown>) => delete b.schema_version,
      "/ must have required property 'schema_version'",
    ],
    [
      'mistyped field',
      (b: Record<string, unknown>) => (b.sent_at = String(b.sent_at)),
      '/sent_at must be integer',
    ],
    [
      'unknown property',
      (b: Record<string, unknown>) => (b.ip = '198.51.100.7'),
      "/ must NOT have additional properties: 'ip'",
    ],
    [
      'string over its limit',
      (b: Record<string, unknown>) => (b.content_id = 'c'.repeat(257)),
      '/content_id must NOT have more than 256 characters',
    ],
    [
      'no events',
      (b: Record<string, unknown>) => (b.events = []),
      '/events must NOT have fewer than 1 items',
    ],
    [
      'events not an array',
      (b: Record<string, unknown>) => (b.events = { 0: {} }),
      '/events must be array',
    ],
  ])('envelope: %s → 400 invalid_envelope', async (_name, breakIt, detail) => {
    const batch = makeBatch({ sent_at: SENT_AT }) as unknown as Record<string, unknown>;
    breakIt(batch);
    const row = await expectBodyRejected(post(batch), 400, 'invalid_envelope', detail);
    expect(row.session_id).toBe(batch.session_id);
  });

  it.each([
    ['an array', '[]', '/ must be a JSON object, got an array'],
    ['null', 'null', '/ must be a JSON object, got null'],
    ['a string', '"hi"', '/ must be a JSON object, got string'],
  ])('a body that is %s → 400 invalid_envelope', async (_name, text, detail) => {
    await expectBodyRejected(post(text), 400, 'invalid_envelope', detail);
  });

  it('deep nesting → 400 too_deep, also for hostile nesting that would overflow JSON.stringify', async () => {
    const nine = `{"a":${'['.repeat(8)}${']'.repeat(8)}}`;
    await expectBodyRejected(post(nine), 400, 'too_deep', 'JSON nests deeper than 8 levels');
    badRows.rows.length = 0;
    const hostile = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    await expectBodyRejected(post(hostile), 400, 'too_deep', 'JSON nests deeper than 8 levels');
  });

  it('brackets inside strings do not count as nesting', async () => {
    const batch = makeBatch({ sent_at: SENT_AT, content_id: `[[[[[[[[[[{{{{{{{{\\"` });
    expect((await run(post(batch))).status).toBe(204);
  });

  it('__proto__ and constructor keys in the envelope → 400 invalid_envelope, nothing polluted', async () => {
    const base = JSON.stringify(makeBatch({ sent_at: SENT_AT }));
    const text = `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},${base.slice(1)}`;
    await expectBodyRejected(
      post(text),
      400,
      'invalid_envelope',
      "/ must NOT have additional properties: '__proto__'",
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('invalid UTF-8 → 400 invalid_utf8, body kept as base64', async () => {
    const good = Buffer.from(JSON.stringify(makeBatch({ sent_at: SENT_AT })));
    const bytes = Buffer.concat([
      good.subarray(0, 20),
      Buffer.from([0xc3, 0x28, 0xff]),
      good.subarray(20),
    ]);
    const row = await expectBodyRejected(
      post(new Uint8Array(bytes)),
      400,
      'invalid_utf8',
      'the body is not valid UTF-8',
    );
    expect(row).toMatchObject({ payload: bytes.toString('base64'), payload_encoding: 'base64' });
    expect(row.payload_truncated).toBeUndefined();
  });

  it('too many events → 413 too_many_events', async () => {
    const batch = makeBatch({ sent_at: SENT_AT, count: 201, types: ['heartbeat'] });
    await expectBodyRejected(
      post(batch, { headers: { 'content-length': null } }),
      413,
      'too_many_events',
      '201 events in one batch; at most 200',
    );
  });

  it('too many events for a configured lower limit → 413 too_many_events', async () => {
    const config = { ...DEFAULT_CONFIG, maxEvents: 5 };
    const res = await run(post(makeBatch({ sent_at: SENT_AT, count: 6 })), config);
    expect(view(res)).toStrictEqual({
      status: 413,
      headers: JSON_HEADERS,
      body: { error: 'too_many_events', detail: '6 events in one batch; at most 5' },
    });
    expect(writer.records).toStrictEqual([]);
    expect(badRows.rows.map((r) => r.reason)).toStrictEqual(['too_many_events']);
  });

  it('unknown path → 404 not_found, wrong method → 405 method_not_allowed with Allow', async () => {
    await expectBodyRejected(
      post(makeBatch({ sent_at: SENT_AT }), { uri: '/v1/beacons' }),
      404,
      'not_found',
      'no ingest endpoint at /v1/beacons',
    );
    badRows.rows.length = 0;
    await expectBodyRejected(
      makeIngestRequest({ method: 'GET', body: null }),
      405,
      'method_not_allowed',
      'GET is not allowed; use POST',
      {
        allow: 'POST, OPTIONS',
      },
    );
  });
});

describe('bad input: single events, valid ones beside them stored', () => {
  const at = (type: Parameters<typeof makeEvent>[0], o: Record<string, unknown> = {}) =>
    ({ ...makeEvent(type, { ts: SENT_AT - 500 }), ...o }) as Record<string, unknown>;

  it('missing field → invalid_event', async () => {
    const ev = at('paused');
    delete ev.playhead;
    await expectOnlyIndex1Rejected(
      ev,
      'invalid_event',
      "/events/1 must have required property 'playhead'",
    );
  });

  it('missing type-specific field → invalid_event', async () => {
    const ev = at('stall_end');
    delete ev.stall_ms;
    await expectOnlyIndex1Rejected(
      ev,
      'invalid_event',
      "/events/1 must have required property 'stall_ms'",
    );
  });

  it('mistyped field → invalid_event', async () => {
    await expectOnlyIndex1Rejected(
      at('paused', { seq: '3' }),
      'invalid_event',
      '/events/1/seq must be integer',
    );
  });

  it('unknown event type → invalid_event', async () => {
    await expectOnlyIndex1Rejected(
      at('paused', { type: 'teleported' }),
      'invalid_event',
      '/events/1 value of tag "type" must be in oneOf',
    );
  });

  it('not an object → invalid_event without an event id', async () => {
    const { batch } = batchWithBadEvent(42);
    const res = await run(post(batch));
    expect(view(res).body).toStrictEqual({
      accepted: 3,
      rejected: [{ index: 1, reason: 'invalid_event', detail: '/events/1 must be object' }],
    });
    expect(badRows.rows[0]).toMatchObject({ index: 1, payload: '42', payload_encoding: 'json' });
  });

  it('unknown property → invalid_event naming it', async () => {
    await expectOnlyIndex1Rejected(
      at('paused', { email: 'a@b.example' }),
      'invalid_event',
      "/events/1 must NOT have unevaluated properties: 'email'",
    );
  });

  it('negative durations → invalid_event', async () => {
    await expectOnlyIndex1Rejected(
      at('stall_end', { stall_ms: -250 }),
      'invalid_event',
      '/events/1/stall_ms must be >= 0',
    );
    badRows.rows.length = 0;
    writer.stored.length = 0;
    await expectOnlyIndex1Rejected(
      at('first_frame', { startup_ms: -1 }),
      'invalid_event',
      '/events/1/startup_ms must be >= 0',
    );
  });

  it('strings over their limits → invalid_event', async () => {
    await expectOnlyIndex1Rejected(
      at('error', { message: 'm'.repeat(513) }),
      'invalid_event',
      '/events/1/message must NOT have more than 512 characters',
    );
  });

  it('timestamps more than 24 h before sent_at → timestamp_out_of_range', async () => {
    const ts = SENT_AT - 24 * 3_600_000 - 1;
    await expectOnlyIndex1Rejected(
      at('paused', { ts }),
      'timestamp_out_of_range',
      `ts ${ts} is 86400001 ms before sent_at ${SENT_AT}; allowed: 86400000 ms before, 60000 ms after`,
    );
  });

  it('timestamps more than 60 s after sent_at → timestamp_out_of_range; exactly 24 h and 60 s pass', async () => {
    const ts = SENT_AT + 60_001;
    await expectOnlyIndex1Rejected(
      at('paused', { ts }),
      'timestamp_out_of_range',
      `ts ${ts} is 60001 ms after sent_at ${SENT_AT}; allowed: 86400000 ms before, 60000 ms after`,
    );
    const edges = makeBatch({
      sent_at: SENT_AT,
      events: [
        makeEvent('paused', { ts: SENT_AT - 86_400_000 }),
        makeEvent('resumed', { ts: SENT_AT + 60_000 }),
      ],
    });
    expect((await run(post(edges))).status).toBe(204);
  });

  it('__proto__ and constructor keys in an event → invalid_event, nothing polluted', async () => {
    const { batch, good } = batchWithBadEvent({});
    const text = JSON.stringify(batch).replace(
      '{}',
      `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},${JSON.stringify(at('paused')).slice(1)}`,
    );
    const res = await run(post(text));
    expect(view(res).body).toStrictEqual({
      accepted: 3,
      rejected: [
        {
          index: 1,
          reason: 'invalid_event',
          detail: "/events/1 must NOT have unevaluated properties: '__proto__'",
          event_id: expect.any(String),
        },
      ],
    });
    expect(writer.records[0].events.map((e) => e.id)).toStrictEqual(good.map((e) => e.id));
    expect(badRows.rows[0].payload).toContain('"__proto__":{"polluted":"yes"}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('nesting of exactly 8 levels passes the depth guard and fails the schema instead', async () => {
    const ev = at('paused', { extra: [[[[{}]]]] }); // envelope, events, event, then 5 more = 8
    await expectOnlyIndex1Rejected(
      ev,
      'invalid_event',
      "/events/1 must NOT have unevaluated properties: 'extra'",
    );
  });

  it('duplicate event ids → duplicate_event_id for the later one, the first stored', async () => {
    const batch = makeBatch({ sent_at: SENT_AT, types: ['started', 'paused', 'volume_changed'] });
    const copy = { ...batch.events[0], seq: 9 };
    const res = await run(
      post({ ...batch, events: [batch.events[0], copy, batch.events[1], batch.events[2]] }),
    );
    const detail = `event id ${copy.id} appears earlier in this batch`;
    expect(view(res).body).toStrictEqual({
      accepted: 3,
      rejected: [{ index: 1, event_id: copy.id, reason: 'duplicate_event_id', detail }],
    });
    expect(writer.records[0].events.map((e) => e.seq)).toStrictEqual([0, 1, 2]);
    expect(badRows.rows).toMatchObject([
      { status: 200, reason: 'duplicate_event_id', index: 1, event_id: copy.id, detail },
    ]);
  });

  it('no valid events → 400 no_valid_events listing each, one bad row per event', async () => {
    const a = at('paused', { seq: -1 });
    const b = at('paused', { ts: SENT_AT + 3_600_000 });
    const res = await run(
      post(makeBatch({ sent_at: SENT_AT, events: [a, b] as unknown as BeaconEvent[] })),
    );
    const rejected = [
      { index: 0, event_id: a.id, reason: 'invalid_event', detail: '/events/0/seq must be >= 0' },
      {
        index: 1,
        event_id: b.id,
        reason: 'timestamp_out_of_range',
        detail: `ts ${b.ts} is 3600000 ms after sent_at ${SENT_AT}; allowed: 86400000 ms before, 60000 ms after`,
      },
    ];
    expect(view(res)).toStrictEqual({
      status: 400,
      headers: JSON_HEADERS,
      body: { error: 'no_valid_events', detail: 'none of the 2 events is valid', rejected },
    });
    expect(writer.records).toStrictEqual([]);
    expect(badRows.rows.map((r) => [r.status, r.reason, r.index, r.event_id])).toStrictEqual(
      rejected.map((r) => [400, r.reason, r.index, r.event_id]),
    );
  });
});

describe('storage failures', () => {
  it('a failed record write → 503 stream_unavailable with Retry-After, the whole body in bad rows', async () => {
    writer.failing = true;
    const { batch } = batchWithBadEvent(makeEvent('paused', { ts: SENT_AT, seq: -5 } as never));
    const text = JSON.stringify(batch);
    const res = await run(post(text));
    expect(view(res)).toStrictEqual({
      status: 503,
      headers: { ...JSON_HEADERS, 'retry-after': '2' },
      body: { error: 'stream_unavailable', detail: 'the event stream is unavailable; retry later' },
    });
    // One row with the whole body; not the event-level rows (the client will resend them).
    expect(badRows.rows).toStrictEqual([
      {
        received_at: NOW,
        request_id: 'req-0001',
        pop: 'FRA56-C1',
        session_id: batch.session_id,
        schema_version: '1-0-0',
        sdk_name: batch.sdk_name,
        sdk_version: batch.sdk_version,
        status: 503,
        reason: 'stream_unavailable',
        detail: 'the event stream is unavailable; retry later',
        payload: text,
        payload_encoding: 'text',
      },
    ]);
    expect(logged).toStrictEqual([{ level: 'error', message: 'record write failed' }]);
  });

  it('a refusal whose bad rows cannot be stored is not final: 503 with Retry-After', async () => {
    badRows.failing = true;
    const unrecorded = {
      status: 503,
      headers: { ...JSON_HEADERS, 'retry-after': '2' },
      body: {
        error: 'stream_unavailable',
        detail: 'the rejection could not be recorded; retry later',
      },
    };
    // A 200 would tell the client its invalid event is refused for good, with no bad row behind
    // it: the client is sent back instead (its valid events were written; the store keeps them once).
    const { batch } = batchWithBadEvent(makeEvent('paused', { seq: -1 } as never));
    expect(view(await run(post(batch)))).toStrictEqual(unrecorded);
    expect(writer.records).toHaveLength(1);
    // The same for a body refused whole and for a batch with no valid event.
    expect(view(await run(post('nope')))).toStrictEqual(unrecorded);
    const none = makeBatch({ sent_at: SENT_AT });
    for (const e of none.events) (e as { seq: number }).seq = -1;
    expect(view(await run(post(none)))).toStrictEqual(unrecorded);
    expect(writer.records).toHaveLength(1);
    expect(logged.map((l) => l.message)).toStrictEqual([
      'bad-row write failed',
      'bad-row write failed',
      'bad-row write failed',
    ]);
    // Once bad rows can be stored again, the same requests get their final answers.
    badRows.failing = false;
    expect((await run(post(batch))).status).toBe(200);
    expect((await run(post('nope'))).status).toBe(400);
    expect((await run(post(none))).status).toBe(400);
  });

  it('an unexpected bug → 500 internal_error, not a throw', async () => {
    const broken = {
      write: () => Promise.resolve(),
      get [Symbol.toStringTag]() {
        return 'x';
      },
    };
    const res = await ingest(post(makeBatch({ sent_at: SENT_AT })), {
      config: { ...DEFAULT_CONFIG, streams: null as never },
      writer: broken,
      badRows,
      log,
    });
    expect(view(res)).toStrictEqual({
      status: 500,
      headers: JSON_HEADERS,
      body: { error: 'internal_error', detail: 'internal error; retry later' },
    });
    expect(badRows.rows.map((r) => r.reason)).toStrictEqual(['internal_error']);
  });
});
