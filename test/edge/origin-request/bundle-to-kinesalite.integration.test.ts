/**
 * Integration of the BUILT origin-request bundle with a real Kinesis API: a CloudFront
 * origin-request event goes through the minified handler (config compiled in), PutRecords to
 * kinesalite, and the EnrichedRecord is read back with GetRecords.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudFrontRequestEvent } from 'aws-lambda';
import { DEFAULT_REGIONS, EDGE_HEADER } from '../../../edge/config.js';
import type { BadRow, EnrichedRecord } from '../../../schemas/record.js';
import {
  edgeStamp,
  makeBatch,
  makeEvent,
  makeOriginRequestEvent,
} from '../../helpers/cloudfront-events.js';
import { startTestKinesis, type TestKinesis } from '../../helpers/kinesis-streams.js';
import { recordOfBatch } from '../../helpers/records.js';
import {
  invokeIn,
  kinesaliteEdgeConfig,
  loadBuiltOriginRequest,
  type OriginRequestHandler,
  readStreamJson as readJsonFrom,
} from '../../helpers/built-origin-request.js';

let kinesalite: TestKinesis;
let tmp: string;
let handler: OriginRequestHandler;
let bundleBytes: number;
const streamOf = (region: string) => `beacon-edge-events-${region}`;

/** Every record in a stream, as parsed JSON. */
const readStreamJson = <T>(streamName: string) => readJsonFrom<T>(kinesalite.client, streamName);
/** Calls the handler as Lambda@Edge would in `region`. */
const invoke = (event: CloudFrontRequestEvent, region: string) => invokeIn(handler, event, region);

beforeAll(async () => {
  kinesalite = await startTestKinesis({
    streams: [...DEFAULT_REGIONS.map(streamOf), 'beacon-edge-bad-rows'],
    shards: 1,
  });
  const built = await loadBuiltOriginRequest(
    kinesaliteEdgeConfig(kinesalite.endpoint, streamOf, 'beacon-edge-bad-rows'),
  );
  ({ handler, bytes: bundleBytes, dir: tmp } = built);
});

afterAll(async () => {
  await kinesalite?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('built origin-request bundle → kinesalite', () => {
  it('is one self-contained file well under the Lambda@Edge origin limit', () => {
    expect(bundleBytes).toBeGreaterThan(10_000);
    expect(bundleBytes).toBeLessThan(5 * 1024 * 1024);
  });

  it('stores an accepted batch as one EnrichedRecord on the nearest stream and answers 204', async () => {
    const t = Date.now();
    const batch = makeBatch({ sent_at: t - 2000 });
    const event = makeOriginRequestEvent({
      body: batch,
      requestId: 'cf-e2e-1',
      headers: { [EDGE_HEADER]: edgeStamp('FRA56-C1', 'eu-central-1', t) },
    });
    const res = await invoke(event, 'eu-central-1');
    expect(res).toStrictEqual({
      status: '204',
      statusDescription: 'No Content',
      headers: {
        'access-control-allow-origin': [{ key: 'Access-Control-Allow-Origin', value: '*' }],
        'access-control-expose-headers': [
          { key: 'Access-Control-Expose-Headers', value: 'retry-after, deprecation, sunset' },
        ],
        'cache-control': [{ key: 'Cache-Control', value: 'no-store' }],
      },
    });
    const stored = (await readStreamJson<EnrichedRecord>(streamOf('eu-central-1'))).filter(
      (r) => r.key === batch.session_id,
    );
    expect(stored).toHaveLength(1);
    expect(stored[0].value).toStrictEqual(
      recordOfBatch(batch, { receivedAt: t, requestId: 'cf-e2e-1' }),
    );
    expect(stored[0].value.skew_ms).toBe(2000);
  });

  it('routes a Seattle viewer served in us-west-2 to the us-east-1 stream', async () => {
    const batch = makeBatch({ sent_at: Date.now() });
    const event = makeOriginRequestEvent({
      body: batch,
      headers: {
        [EDGE_HEADER]: edgeStamp('SEA19-C2', 'us-west-2', Date.now()),
        'cloudfront-viewer-country': 'US',
      },
    });
    expect((await invoke(event, 'us-west-2')).status).toBe('204');
    const [stored] = (await readStreamJson<EnrichedRecord>(streamOf('us-east-1'))).filter(
      (r) => r.key === batch.session_id,
    );
    expect(stored.value.edge).toMatchObject({
      pop: 'SEA19-C2',
      edge_region: 'us-west-2',
      serving_region: 'us-west-2',
      stream_region: 'us-east-1',
    });
  });

  it('answers 200 for a partly bad batch: good events stored, the bad one in the bad-rows stream', async () => {
    const t = Date.now();
    const batch = makeBatch({ sent_at: t, types: ['started', 'paused'] });
    const bad = { ...makeEvent('stall_end', { ts: t }), stall_ms: -1 };
    const event = makeOriginRequestEvent({
      body: { ...batch, events: [...batch.events, bad] },
      requestId: 'cf-e2e-partial',
    });
    const res = await invoke(event, 'eu-central-1');
    expect(res.status).toBe('200');
    expect(res.headers?.['content-type']).toStrictEqual([
      { key: 'Content-Type', value: 'application/json' },
    ]);
    expect(JSON.parse(res.body ?? '')).toStrictEqual({
      accepted: 2,
      rejected: [
        {
          index: 2,
          event_id: bad.id,
          reason: 'invalid_event',
          detail: '/events/2/stall_ms must be >= 0',
        },
      ],
    });
    const [stored] = (await readStreamJson<EnrichedRecord>(streamOf('eu-central-1'))).filter(
      (r) => r.key === batch.session_id,
    );
    expect(stored.value.events.map((e) => e.id)).toStrictEqual(batch.events.map((e) => e.id));
    const rows = (await readStreamJson<BadRow>('beacon-edge-bad-rows')).filter(
      (r) => r.key === 'cf-e2e-partial',
    );
    expect(rows.map((r) => r.value)).toMatchObject([
      {
        status: 200,
        reason: 'invalid_event',
        index: 2,
        event_id: bad.id,
        payload: JSON.stringify(bad),
        session_id: batch.session_id,
      },
    ]);
  });

  it('answers 400 invalid_json with an error body, keeping the body in bad rows', async () => {
    const res = await invoke(
      makeOriginRequestEvent({ body: '{"schema_version":', requestId: 'cf-e2e-bad' }),
      'ap-southeast-1',
    );
    expect(res.status).toBe('400');
    expect(JSON.parse(res.body ?? '')).toMatchObject({ error: 'invalid_json' });
    const rows = (await readStreamJson<BadRow>('beacon-edge-bad-rows')).filter(
      (r) => r.key === 'cf-e2e-bad',
    );
    expect(rows.map((r) => r.value)).toMatchObject([
      {
        status: 400,
        reason: 'invalid_json',
        payload: '{"schema_version":',
        payload_encoding: 'text',
      },
    ]);
  });
});
