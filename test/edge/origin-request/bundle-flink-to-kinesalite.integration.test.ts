/**
 * The BUILT origin-request bundle with `wireFormat: 'timestream-flink'` against a real Kinesis
 * API (kinesalite): each accepted event must land as one Kinesis record the AWS demo's Flink job
 * stores as written (test/helpers/flink-rules.ts), partition key = session id; refusals stay
 * bad rows in our format.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  DEFAULT_REGIONS,
  EDGE_HEADER,
  type EdgeConfig,
} from '../../../edge/config.js';
import { LOCAL_CREDENTIALS } from '../../../local/kinesis-local.js';
import type { BadRow } from '../../../schemas/record.js';
import { buildOriginRequest } from '../../../scripts/build-origin-request.mjs';
import {
  edgeStamp,
  makeBatch,
  makeBatchOfEveryType,
  makeEvent,
  makeOriginRequestEvent,
} from '../../helpers/cloudfront-events.js';
import { flinkViolations } from '../../helpers/flink-rules.js';
import { readStream, startTestKinesis, type TestKinesis } from '../../helpers/kinesis-streams.js';

type Handler = (event: CloudFrontRequestEvent) => Promise<CloudFrontResultResponse>;

let kinesalite: TestKinesis;
let tmp: string;
let handler: Handler;
const streamOf = (region: string) => `beacon-edge-flink-${region}`;

async function readJson(
  streamName: string,
): Promise<{ key: string; value: Record<string, unknown> }[]> {
  return (await readStream(kinesalite.client, streamName)).map((r) => ({
    key: r.key,
    value: JSON.parse(r.data) as Record<string, unknown>,
  }));
}

async function invoke(event: CloudFrontRequestEvent, region: string) {
  const previous = process.env.AWS_REGION;
  process.env.AWS_REGION = region;
  try {
    return await handler(event);
  } finally {
    if (previous === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = previous;
  }
}

beforeAll(async () => {
  kinesalite = await startTestKinesis({
    streams: [...DEFAULT_REGIONS.map(streamOf), 'beacon-edge-flink-bad-rows'],
    shards: 1,
  });
  const config: EdgeConfig = {
    ...DEFAULT_CONFIG,
    wireFormat: 'timestream-flink',
    streams: DEFAULT_REGIONS.map((region) => ({
      region,
      streamName: streamOf(region),
      endpoint: kinesalite.endpoint,
    })),
    badRows: {
      kind: 'kinesis',
      region: 'us-east-1',
      streamName: 'beacon-edge-flink-bad-rows',
      endpoint: kinesalite.endpoint,
    },
    localCredentials: { ...LOCAL_CREDENTIALS },
  };
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-origin-flink-'));
  const built = (await buildOriginRequest({
    config,
    outfile: path.join(tmp, 'origin-request.mjs'),
  })) as { outfile: string };
  handler = ((await import(pathToFileURL(built.outfile).href)) as { handler: Handler }).handler;
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
