// The rollout switch through the real ingest core (edge/ingest/rollout-gate.ts): the 410 answers
// and the one RolloutRefusal each refused request leaves, Deprecation/Sunset on every accepted
// status, 503 when a refusal cannot be recorded, and the rules' sources (headers, built in).
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type EdgeConfig } from '../../../edge/config.js';
import { ingest } from '../../../edge/ingest/ingest.js';
import type { IngestLogger, IngestRequest, IngestResult } from '../../../edge/ingest/types.js';
import { inSample, ROLLOUT_HEADERS } from '../../../edge/rollout.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import type { BatchOverrides } from '../../helpers/batch-factory.js';
import { makeBatch, makeIngestRequest, NOW } from '../../helpers/cloudfront-events.js';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'retry-after, deprecation, sunset',
};
const JSON_HEADERS = { ...CORS, 'cache-control': 'no-store', 'content-type': 'application/json' };
const DEPRECATED = '1-0-0:deprecated,since=2026-11-30,sunset=2027-03-01';
const DEPRECATION = {
  deprecation: `@${Date.UTC(2026, 10, 30) / 1000}`,
  sunset: 'Mon, 01 Mar 2027 00:00:00 GMT',
};

let writer: MemoryRecordWriter;
let badRows: MemoryBadRowSink;
let warnings: { message: string; fields?: Record<string, unknown> }[];
const log: IngestLogger = {
  warn: (message, fields) => warnings.push({ message, fields }),
  error: () => {},
};

beforeEach(() => {
  writer = new MemoryRecordWriter();
  badRows = new MemoryBadRowSink();
  warnings = [];
});

/** A POST of `batch` with the rollout headers the viewer function would set. */
function post(batch: unknown, schemas?: string, sdks?: string): IngestRequest {
  const headers: Record<string, string> = {};
  if (schemas !== undefined) headers[ROLLOUT_HEADERS.schema] = schemas;
  if (sdks !== undefined) headers[ROLLOUT_HEADERS.sdk] = sdks;
  return makeIngestRequest({ body: batch, headers });
}

async function run(req: IngestRequest, config: EdgeConfig = DEFAULT_CONFIG) {
  const res: IngestResult = await ingest(req, { config, writer, badRows, log });
  return { ...res, body: res.body === undefined ? undefined : JSON.parse(res.body) };
}

const batch = (over: BatchOverrides = {}) =>
  makeBatch({ sent_at: NOW - 1000, types: ['started', 'heartbeat', 'paused'], ...over });

describe('refused by the rollout switch', () => {
  it('a retired schema version → 410 schema_retired naming the upgrade, one refusal, nothing kept', async () => {
    const b = batch();
    const res = await run(post(b, '1-0-0:retired,upgrade=1-1-0', '-'));
    expect(res).toStrictEqual({
      status: 410,
      headers: JSON_HEADERS,
      body: {
        error: 'schema_retired',
        detail: 'schema_version 1-0-0 is retired; send 1-1-0',
        upgrade: '1-1-0',
      },
    });
    expect(writer.records).toStrictEqual([]);
    expect(badRows.rows).toStrictEqual([]);
    expect(badRows.refusals).toStrictEqual([
      {
        kind: 'rollout_refusal',
        received_at: NOW,
        request_id: 'req-0001',
        status: 410,
        reason: 'schema_retired',
        detail: 'schema_version 1-0-0 is retired; send 1-1-0',
        rule: '1-0-0:retired,upgrade=1-1-0',
        schema_version: '1-0-0',
        sdk_name: b.sdk_name,
        sdk_version: b.sdk_version,
        session_id: b.session_id,
        events: 3,
        pop: 'FRA56-C1',
      },
    ]);
  });

  it('a retired SDK release → 410 sdk_retired, upgrade only when the rule names one', async () => {
    const b = batch({ sdk_name: 'beacon-edge-web', sdk_version: '0.1.0' });
    const named = await run(post(b, '-', 'beacon-edge-web@0.1.0:retired,upgrade=0.3.0'));
    expect(named.status).toBe(410);
    expect(named.body).toStrictEqual({
      error: 'sdk_retired',
      detail: 'beacon-edge-web@0.1.0 is retired; upgrade to beacon-edge-web@0.3.0',
      upgrade: 'beacon-edge-web@0.3.0',
    });
    const bare = await run(post(b, '-', 'beacon-edge-web@0.1.0:retired'));
    expect(bare.body).toStrictEqual({
      error: 'sdk_retired',
      detail: 'beacon-edge-web@0.1.0 is retired; upgrade the SDK',
    });
    expect(badRows.refusals.map((r) => [r.reason, r.rule])).toStrictEqual([
      ['sdk_retired', 'beacon-edge-web@0.1.0:retired,upgrade=0.3.0'],
      ['sdk_retired', 'beacon-edge-web@0.1.0:retired'],
    ]);
  });

  it('a session outside a canary → 410 session_not_sampled, every request of that session', async () => {
    let out = 0;
    while (inSample(`sess-out-${out}`, '1-0-0', 0.2)) out++;
    for (let i = 0; i < 3; i++) {
      const res = await run(
        post(batch({ session_id: `sess-out-${out}` }), '1-0-0:live,sample=0.2'),
      );
      expect(res.status).toBe(410);
      expect(res.body.error).toBe('session_not_sampled');
      expect(res.body).not.toHaveProperty('upgrade');
    }
    expect(badRows.refusals).toHaveLength(3);
    expect(writer.records).toStrictEqual([]);
  });

  it('refuses without validating the events: a refused batch with bad events is one refusal, no bad rows', async () => {
    const b = batch();
    (b.events[1] as unknown as Record<string, unknown>).playhead = 'not a number';
    const res = await run(post(b, '1-0-0:retired'));
    expect(res.status).toBe(410);
    expect(badRows.rows).toStrictEqual([]);
    expect(badRows.refusals).toHaveLength(1);
    expect(badRows.refusals[0].events).toBe(3);
  });

  it('decides after the envelope: an invalid envelope is a bad row, not a refusal', async () => {
    const { content_id: _, ...noContent } = batch();
    const res = await run(post(noContent, '1-0-0:retired'));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_envelope');
    expect(badRows.refusals).toStrictEqual([]);
    expect(badRows.rows).toHaveLength(1);
  });

  it('answers 503 stream_unavailable when the refusal cannot be recorded, so the client comes back', async () => {
    badRows.failing = true;
    const res = await run(post(batch(), '1-0-0:retired'));
    expect(res).toStrictEqual({
      status: 503,
      headers: { ...JSON_HEADERS, 'retry-after': '2' },
      body: {
        error: 'stream_unavailable',
        detail: 'the rejection could not be recorded; retry later',
      },
    });
    expect(writer.records).toStrictEqual([]);
  });
});

describe('accepted under a deprecated rule', () => {
  it('204 carries Deprecation and Sunset', async () => {
    const res = await run(post(batch(), DEPRECATED));
    expect(res).toStrictEqual({
      status: 204,
      headers: { ...CORS, 'cache-control': 'no-store', ...DEPRECATION },
      body: undefined,
    });
    expect(writer.records).toHaveLength(1);
  });

  it('200 partial carries them', async () => {
    const b = batch();
    (b.events[1] as unknown as Record<string, unknown>).playhead = -1;
    const res = await run(post(b, DEPRECATED));
    expect(res.status).toBe(200);
    expect(res.headers).toStrictEqual({ ...JSON_HEADERS, ...DEPRECATION });
    expect(badRows.rows).toHaveLength(1);
  });

  it('400 no_valid_events carries them', async () => {
    const b = batch();
    for (const e of b.events) (e as unknown as Record<string, unknown>).playhead = -1;
    const res = await run(post(b, DEPRECATED));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('no_valid_events');
    expect(res.headers).toStrictEqual({ ...JSON_HEADERS, ...DEPRECATION });
  });

  it('takes the earliest dates of a deprecated schema and a deprecated SDK', async () => {
    const b = batch({ sdk_name: 'beacon-edge-web', sdk_version: '0.2.0' });
    const res = await run(
      post(b, DEPRECATED, 'beacon-edge-web@0.2.0:deprecated,since=2026-10-01,sunset=2027-06-01'),
    );
    expect(res.headers.deprecation).toBe(`@${Date.UTC(2026, 9, 1) / 1000}`);
    expect(res.headers.sunset).toBe(DEPRECATION.sunset);
  });

  it('sends neither header when nothing deprecated applies', async () => {
    const res = await run(post(batch(), '2-0-0:deprecated', 'other@1.0.0:deprecated'));
    expect(res.status).toBe(204);
    expect(res.headers).not.toHaveProperty('deprecation');
    expect(res.headers).not.toHaveProperty('sunset');
  });
});

describe('where the rules come from', () => {
  it('applies the rules built in when the viewer function set no header', async () => {
    const config = { ...DEFAULT_CONFIG, rollout: { schemas: '1-0-0:retired', sdks: '-' } };
    expect((await run(post(batch()), config)).status).toBe(410);
    // A header, even `-`, is the store's word and wins.
    expect((await run(post(batch(), '-'), config)).status).toBe(204);
  });

  it('applies the readable rules of a value and logs its problems once', async () => {
    const value = '1-0-0:deprecated 2-0-0:gone';
    for (let i = 0; i < 3; i++) {
      const res = await run(post(batch(), value));
      expect(res.status).toBe(204);
      expect(res.headers).toHaveProperty('deprecation');
    }
    expect(warnings).toStrictEqual([
      {
        message: 'rollout rules left out; the others apply',
        fields: {
          scope: 'schema',
          problems: [
            { text: '2-0-0:gone', problem: 'state must be one of live, deprecated, retired' },
          ],
        },
      },
    ]);
  });
});
