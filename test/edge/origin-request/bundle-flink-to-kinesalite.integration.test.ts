/**
 * The BUILT origin-request bundle with `wireFormat: 'timestream-flink'` against a real Kinesis
 * API (kinesalite): each accepted event must land as one Kinesis record the AWS demo's Flink job
 * stores as written (test/helpers/flink-rules.ts), partition key = session id; refusals stay
 * bad rows in our format.
 */
import fs from 'node:fs';
import type { CloudFrontRequestEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REGIONS, EDGE_HEADER } from '../../../edge/config.js';
import type { BadRow } from '../../../schemas/record.js';
import {
  edgeStamp,
  makeBatch,
  makeBatchOfEveryType,
  makeEvent,
  makeOriginRequestEvent,
} from '../../helpers/cloudfront-events.js';
import {
  invokeIn,
  kinesaliteEdgeConfig,
  loadBuiltOriginRequest,
  type OriginRequestHandler,
  readStreamJson,
} from '../../helpers/built-origin-request.js';
import { flinkViolations } from '../../helpers/flink-rules.js';
import { startTestKinesis, type TestKinesis } from '../../helpers/kinesis-streams.js';

let kinesalite: TestKinesis;
let tmp: string;
let handler: OriginRequestHandler;
const streamOf = (region: string) => `beacon-edge-flink-${region}`;

const readJson = (streamName: string) =>
  readStreamJson<Record<string, unknown>>(kinesalite.client, streamName);
/** Calls the handler as Lambda@Edge would in `region`. */
const invoke = (event: CloudFrontRequestEvent, region: string) => invokeIn(handler, event, region);

beforeAll(async () => {
  kinesalite = await startTestKinesis({
    streams: [...DEFAULT_REGIONS.map(streamOf), 'beacon-edge-flink-bad-rows'],
    shards: 1,
  });
  ({ handler, dir: tmp } = await loadBuiltOriginRequest(
    kinesaliteEdgeConfig(kinesalite.endpoint, streamOf, 'beacon-edge-flink-bad-rows', {
      wireFormat: 'timestream-flink',
    }),
  ));
});

afterAll(async () => {
  await kinesalite?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('built origin-request bundle, timestream-flink → kinesalite', () => {
  it('stores every event of an accepted batch as one flat record the job reads, and answers 204', async () => {
    const t = Date.now();
    const batch = makeBatchOfEveryType({ sent_at: t - 1500 });
    const res = await invoke(
      makeOriginRequestEvent({
        body: batch,
        requestId: 'cf-flink-1',
        headers: { [EDGE_HEADER]: edgeStamp('FRA56-C1', 'eu-central-1', t) },
      }),
      'eu-central-1',
    );
    expect(res.status).toBe('204');
    const stored = (await readJson(streamOf('eu-central-1'))).filter(
      (r) => r.key === batch.session_id,
    );
    expect(stored.map((r) => r.value.event_id)).toStrictEqual(batch.events.map((e) => e.id));
    for (const [i, r] of stored.entries()) {
      expect(flinkViolations(r.value)).toStrictEqual([]);
      expect(r.value).toMatchObject({
        Time: batch.events[i].ts + 1500,
        MeasureName: batch.events[i].type,
        session_id: batch.session_id,
        request_id: 'cf-flink-1',
        pop: 'FRA56-C1',
        stream_region: 'eu-central-1',
      });
    }
  });

  it('writes a batch of 200 events as 200 records', async () => {
    const t = Date.now();
    const batch = makeBatch({ sent_at: t, count: 200, types: ['heartbeat'] });
    const res = await invoke(
      makeOriginRequestEvent({
        body: batch,
        headers: { [EDGE_HEADER]: edgeStamp('SIN2-C1', 'ap-southeast-1', t) },
      }),
      'ap-southeast-1',
    );
    expect(res.status).toBe('204');
    const stored = (await readJson(streamOf('ap-southeast-1'))).filter(
      (r) => r.key === batch.session_id,
    );
    expect(stored).toHaveLength(200);
    expect(new Set(stored.map((r) => r.value.event_id)).size).toBe(200);
  });

  it('keeps a refused event a bad row in our format, its neighbours records of the job', async () => {
    const t = Date.now();
    const batch = makeBatch({ sent_at: t, types: ['started', 'paused'] });
    const bad = { ...makeEvent('stall_end', { ts: t }), stall_ms: -1 };
    const res = await invoke(
      makeOriginRequestEvent({
        body: { ...batch, events: [...batch.events, bad] },
        requestId: 'cf-flink-partial',
      }),
      'eu-central-1',
    );
    expect(res.status).toBe('200');
    const stored = (await readJson(streamOf('eu-central-1'))).filter(
      (r) => r.key === batch.session_id,
    );
    expect(stored.map((r) => r.value.MeasureName)).toStrictEqual(['started', 'paused']);
    const rows = (await readJson('beacon-edge-flink-bad-rows')).filter(
      (r) => r.key === 'cf-flink-partial',
    );
    expect(rows.map((r) => r.value as unknown as BadRow)).toMatchObject([
      { status: 200, reason: 'invalid_event', index: 2, event_id: bad.id },
    ]);
  });
});
