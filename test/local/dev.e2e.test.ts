import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStreamName } from '../../local/config.js';
import { startDev, type DevStack } from '../../local/dev.js';
import { localKinesisClient } from '../../local/kinesis-local.js';
import {
  EVENT_TYPES,
  type BeaconBatch,
  type EnrichedRecord,
  type EventType,
} from '../../schemas/index.js';
import { makeBatch } from '../helpers/batch-factory.js';
import { readStream } from '../helpers/kinesis-streams.js';

/**
 * The whole local stack in-process on a temp data dir: HTTP → CloudFront emulator (built viewer
 * function + built origin-request bundle) → kinesalite → consumer → DuckDB → dashboard API, then a
 * restart on the same data dir.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-dev-'));
let dev: DevStack | undefined;
const since = new Date(Date.now() - 1000).toISOString();

const FRANKFURT = {
  'x-beacon-pop': 'FRA56-C1',
  'CloudFront-Viewer-Country': 'DE',
  'CloudFront-Viewer-City': 'Frankfurt am Main',
  'CloudFront-Viewer-ASN': '3320',
};
const SINGAPORE = {
  'x-beacon-pop': 'SIN2-C1',
  'CloudFront-Viewer-Country': 'SG',
  'CloudFront-Viewer-City': 'Singapore',
  'CloudFront-Viewer-ASN': '9506',
};
const DEMO: EventType[] = [
  'requested',
  'started',
  'first_frame',
  'variant_loaded',
  'volume_changed',
  'paused',
  'resumed',
  'heartbeat',
];

async function post(body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${dev!.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers },
    body,
  });
}

async function getJson<T>(p: string): Promise<T> {
  const res = await fetch(`${dev!.url}${p}`);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as T;
}

/** Polls until `check` returns a value (bounded: the pipeline is asynchronous by design). */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Expected /counts body: every type 0 except those of the batches. */
function expectedCounts(batches: BeaconBatch[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0]));
  for (const b of batches) for (const e of b.events) counts[e.type] += 1;
  return counts;
}

async function countsEqual(
  expected: Record<string, number>,
): Promise<Record<string, number> | undefined> {
  const counts = await getJson<Record<string, number>>(
    `/api/v1/counts?since=${encodeURIComponent(since)}`,
  );
  return JSON.stringify(counts) === JSON.stringify(expected) ? counts : undefined;
}

/** Every record of one stream, read from kinesalite from the start. */
async function streamRecords(endpoint: string, stream: string): Promise<EnrichedRecord[]> {
  const client = localKinesisClient(endpoint);
  try {
    return (await readStream(client, stream)).map((r) => JSON.parse(r.data) as EnrichedRecord);
  } finally {
    client.destroy();
  }
}

const fra = makeBatch({ types: DEMO });
const sin = makeBatch({ types: DEMO });

beforeAll(async () => {
  dev = await startDev({ port: 0, dataDir, pollIntervalMs: 50 });
});

afterAll(async () => {
  await dev?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('local stack (beacons dev)', () => {
  it('accepts batches from two regions and shows them in /api/v1/counts', async () => {
    expect((await post(JSON.stringify(fra), FRANKFURT)).status).toBe(204);
    const res = await post(JSON.stringify(sin), SINGAPORE);
    expect(res.status).toBe(204);
    expect(res.headers.get('x-amz-cf-pop')).toBe('SIN2-C1');
    const expected = expectedCounts([fra, sin]);
    expect(await eventually('counts of both batches', () => countsEqual(expected))).toStrictEqual(
      expected,
    );
  });

  it('wrote each record to the stream of the region nearest its POP', async () => {
    const eu = await streamRecords(dev!.kinesisEndpoint, localStreamName('eu-central-1'));
    const ap = await streamRecords(dev!.kinesisEndpoint, localStreamName('ap-southeast-1'));
    const us = await streamRecords(dev!.kinesisEndpoint, localStreamName('us-east-1'));
    expect(eu.map((r) => r.session_id)).toStrictEqual([fra.session_id]);
    expect(ap.map((r) => r.session_id)).toStrictEqual([sin.session_id]);
    expect(us).toStrictEqual([]);
    expect(eu[0].edge).toMatchObject({
      pop: 'FRA',
      edge_region: 'eu-central-1',
      serving_region: 'eu-central-1',
      stream_region: 'eu-central-1',
    });
    expect(ap[0].edge).toMatchObject({
      pop: 'SIN',
      edge_region: 'ap-southeast-1',
      serving_region: 'ap-southeast-1',
      stream_region: 'ap-southeast-1',
    });
    expect(eu[0].geo).toMatchObject({ country: 'DE', city: 'Frankfurt am Main', asn: '3320' });
    // No raw client IP anywhere in what the edge wrote.
    expect(JSON.stringify([eu, ap])).not.toMatch(/127\.0\.0\.1|::1/);
    const regions = await getJson<{ rows: { value: string; sessions: number }[] }>(
      '/api/v1/breakdown?dimension=serving_region&range=15m',
    );
    expect(regions.rows.map((r) => [r.value, r.sessions]).sort()).toStrictEqual([
      ['ap-southeast-1', 1],
      ['eu-central-1', 1],
    ]);
  });

  it('keeps a malformed body as a bad row', async () => {
    const res = await post('{"schema_version": "1-0-0", "events": [', FRANKFURT);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_json' });
    const requestId = res.headers.get('x-amz-cf-id');
    const bad = await eventually('the bad row', async () => {
      const body = await getJson<{
        counts: Record<string, number>;
        recent: { reason: string; request_id: string; status: number; pop: string }[];
      }>('/api/v1/bad-rows?range=15m');
      return body.recent.find((r) => r.request_id === requestId) ? body : undefined;
    });
    expect(bad.counts).toStrictEqual({ invalid_json: 1 });
    expect(bad.recent[0]).toMatchObject({ reason: 'invalid_json', status: 400, pop: 'FRA' });
  });

  it('serves the dashboard with the four demo panels and uPlot', async () => {
    const html = await (await fetch(`${dev!.url}/dashboard`)).text();
    for (const title of ['Started', 'Paused', 'Volume changed', 'Variant loaded'])
      expect(html).toContain(`<h2>${title} <code>`);
    for (const src of [
      '/dashboard/vendor/uPlot.iife.min.js',
      '/dashboard/app.js',
      '/dashboard/vendor/uPlot.min.css',
      '/dashboard/styles.css',
    ]) {
      expect(html).toContain(src);
      const res = await fetch(`${dev!.url}${src}`);
      expect(res.status, src).toBe(200);
      expect(res.headers.get('content-type')).toMatch(
        src.endsWith('.js') ? /^text\/javascript/ : /^text\/css/,
      );
    }
    expect(await (await fetch(`${dev!.url}/dashboard/vendor/uPlot.iife.min.js`)).text()).toContain(
      'uPlot',
    );
    const landing = await fetch(`${dev!.url}/`);
    expect(await landing.text()).toContain('href="/dashboard"');
    expect((await fetch(`${dev!.url}/dashboard`, { method: 'POST' })).status).toBe(405);
    // The demo page is mounted on the same server.
    const demo = await fetch(`${dev!.url}/demo/`);
    expect(demo.status).toBe(200);
    expect(demo.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('resumes after a restart on the same data dir without loss or duplicates', async () => {
    await dev!.stop();
    dev = await startDev({ port: 0, dataDir, pollIntervalMs: 50 });
    // Everything stored before the restart is still there, and nothing was read twice.
    expect(await countsEqual(expectedCounts([fra, sin]))).toBeDefined();
    const later = makeBatch({ types: DEMO });
    expect((await post(JSON.stringify(later), FRANKFURT)).status).toBe(204);
    const expected = expectedCounts([fra, sin, later]);
    expect(await eventually('counts after restart', () => countsEqual(expected))).toStrictEqual(
      expected,
    );
    const health = await getJson<{ status: string; consumer: { records: number; events: number } }>(
      '/api/v1/health',
    );
    // The consumer resumed from its checkpoints: since the restart it read only the new record.
    expect(health.status).toBe('ok');
    expect(health.consumer.records).toBe(1);
    expect(health.consumer.events).toBe(later.events.length);
    const bad = await getJson<{ counts: Record<string, number> }>('/api/v1/bad-rows?range=15m');
    expect(bad.counts).toStrictEqual({ invalid_json: 1 });
  });
});
