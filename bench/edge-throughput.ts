/**
 * Edge handler throughput on 20-event batches: the whole ingest core (request checks, UTF-8
 * decode, parse, validate, enrich, route, serialize the Kinesis record to bytes) against a plain
 * JSON pass-through of the same payloads, in the same process and run. Target: ratio ≥ 0.5.
 *
 * Two baselines, both judged against the target:
 *  - bytes: decode → JSON.parse → JSON.stringify → encode. Bodies arrive as bytes and Kinesis
 *    takes bytes, so this is the like-for-like pass-through.
 *  - strings: JSON.parse + JSON.stringify on strings only, the strictest reading of the target.
 *
 * Requests (like the baseline's bodies) are built before timing, so neither side pays for the
 * harness.
 *
 * The writer in the loop serializes the record exactly as the Kinesis writer does
 * (TextEncoder over JSON.stringify) and keeps nothing, so no network or storage is measured.
 * Rounds alternate between the sides and the median round counts, so a noisy moment hurts all.
 */
import { DEFAULT_CONFIG } from '../edge/config.js';
import { ingest, type IngestRequest, type RecordWriter } from '../edge/ingest/index.js';
import { EVENT_TYPES } from '../schemas/index.js';
import { benchBatch, noBadRows, viewerHeaders } from './edge-batches.js';
import { median, report } from './report.js';

const PAYLOADS = 200;
const ROUNDS = 9;
const PER_ROUND = 4000;
const encoder = new TextEncoder();

// Realistic mix: every event type appears across the payload set.
const bodies: Uint8Array[] = [];
const texts: string[] = [];
for (let i = 0; i < PAYLOADS; i++) {
  const types = Array.from(
    { length: 20 },
    (_, k) => EVENT_TYPES[(i * 20 + k) % EVENT_TYPES.length],
  );
  const text = JSON.stringify(benchBatch(types));
  texts.push(text);
  bodies.push(encoder.encode(text));
}

let sink = 0;
const utf8Out = new TextEncoder();
const utf8In = new TextDecoder('utf-8', { fatal: true });
const writer: RecordWriter = {
  async write(records) {
    for (const r of records) sink += utf8Out.encode(JSON.stringify(r)).length;
  },
};
const deps = { config: DEFAULT_CONFIG, writer, badRows: noBadRows };
const headers = { 'content-type': 'text/plain;charset=UTF-8', ...viewerHeaders(Date.now()) };

// Built before timing, like the baseline's bodies: the loop measures the handler, not the harness.
const requests: IngestRequest[] = bodies.map((body, i) => ({
  method: 'POST',
  path: '/v1/events',
  headers: { ...headers, 'content-length': String(body.length) },
  body,
  bodyTruncated: false,
  requestId: `bench-${i}`,
  servingRegion: 'eu-central-1',
  now: Date.now(),
}));
const request = (i: number): IngestRequest => requests[i % PAYLOADS];

async function ingestRound(): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < PER_ROUND; i++) {
    const res = await ingest(request(i), deps);
    if (res.status !== 204) throw new Error(`unexpected status ${res.status}: ${res.body}`);
  }
  return PER_ROUND / ((performance.now() - t0) / 1000);
}

async function bytesBaselineRound(): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < PER_ROUND; i++) {
    sink += utf8Out.encode(JSON.stringify(JSON.parse(utf8In.decode(bodies[i % PAYLOADS])))).length;
    await Promise.resolve(); // same per-request await floor as the async handler
  }
  return PER_ROUND / ((performance.now() - t0) / 1000);
}

async function stringBaselineRound(): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < PER_ROUND; i++) {
    sink += JSON.stringify(JSON.parse(texts[i % PAYLOADS])).length;
    await Promise.resolve();
  }
  return PER_ROUND / ((performance.now() - t0) / 1000);
}

await ingestRound();
await bytesBaselineRound();
await stringBaselineRound();
const ing: number[] = [];
const base: number[] = [];
const strBase: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  ing.push(await ingestRound());
  base.push(await bytesBaselineRound());
  strBase.push(await stringBaselineRound());
}
const ratio = median(ing) / median(base);
const strRatio = median(ing) / median(strBase);
const avgBytes = bodies.reduce((a, b) => a + b.length, 0) / PAYLOADS;
report('edge-throughput', [
  { metric: 'ingest core, 20-event batches', value: median(ing), unit: 'batches/s' },
  { metric: 'ingest core, events', value: median(ing) * 20, unit: 'events/s' },
  {
    metric: 'baseline: decode + JSON.parse + JSON.stringify + encode',
    value: median(base),
    unit: 'batches/s',
  },
  { metric: 'ratio ingest / bytes baseline', value: ratio, target: '≥ 0.5', pass: ratio >= 0.5 },
  {
    metric: 'baseline: JSON.parse + JSON.stringify on strings',
    value: median(strBase),
    unit: 'batches/s',
  },
  {
    metric: 'ratio ingest / string baseline (strictest)',
    value: strRatio,
    target: '≥ 0.5',
    pass: strRatio >= 0.5,
  },
  { metric: 'mean body size', value: Math.round(avgBytes), unit: 'bytes' },
]);
if (sink < 0) console.log(sink);
