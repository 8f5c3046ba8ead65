import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_HEADER } from '../../edge/config.js';
import { KVS_KEYS } from '../../edge/kvs.js';
import { formatKvsFile, KVS_FILE_NAME, parseKvsFile } from '../../local/cloudfront/kvs.js';
import { startDev, type DevStack } from '../../local/dev.js';
import type { BeaconBatch } from '../../schemas/index.js';
import { makeBatch } from '../helpers/batch-factory.js';
import { eventually } from '../helpers/stack-checks.js';

/**
 * The CORS allow-list changed without a restart or rebuild, on the whole local stack: the
 * KeyValueStore file in the data directory is edited while `beacons dev` runs. The viewer function
 * reads it, Lambda@Edge follows the verdict it stamps, and the promise holds across the change:
 * every refused POST is stored once as a bad row, every accepted one once as events.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-kvs-'));
const kvsFile = path.join(dataDir, KVS_FILE_NAME);
const SITE = 'https://site.example';
const OTHER = 'https://other.example';
const since = new Date(Date.now() - 1000).toISOString();
let dev: DevStack | undefined;
const logs: string[] = [];

beforeAll(async () => {
  dev = await startDev({ port: 0, dataDir, pollIntervalMs: 50, log: (l) => logs.push(l) });
});

afterAll(async () => {
  await dev?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function setAllowList(value: string): void {
  fs.writeFileSync(kvsFile, formatKvsFile([{ key: KVS_KEYS.allowedOrigins, value }]));
}

/** A browser's preflight from `origin`: its status and Access-Control-Allow-Origin. */
async function preflight(origin: string): Promise<{ status: number; allow: string | null }> {
  const res = await fetch(`${dev!.url}/v1/events`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST' },
  });
  await res.arrayBuffer();
  return { status: res.status, allow: res.headers.get('access-control-allow-origin') };
}

/** Waits (at most 5 s, the promise made to operators) until a preflight from `origin` gets `want`. */
async function preflightBecomes(origin: string, want: { status: number; allow: string | null }) {
  return eventually(
    `preflight from ${origin} answered ${JSON.stringify(want)}`,
    async () => {
      const got = await preflight(origin);
      return got.status === want.status && got.allow === want.allow ? got : undefined;
    },
    5000,
  );
}

async function post(batch: BeaconBatch, origin: string, extra: Record<string, string> = {}) {
  const res = await fetch(`${dev!.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin, ...extra },
    body: JSON.stringify(batch),
  });
  const text = await res.text();
  return {
    status: res.status,
    error: text ? (JSON.parse(text) as { error?: string }).error : undefined,
    allow: res.headers.get('access-control-allow-origin'),
    requestId: String(res.headers.get('x-amz-cf-id')),
  };
}

interface BadRows {
  counts: Record<string, number>;
  recent: { reason: string; status: number; request_id: string; payload: string }[];
}
const badRows = async (): Promise<BadRows> =>
  (await (await fetch(`${dev!.url}/api/v1/bad-rows?range=15m`)).json()) as BadRows;

const storedEvents = async (): Promise<number> => {
  const res = await fetch(`${dev!.url}/api/v1/counts?since=${encodeURIComponent(since)}`);
  return Object.values((await res.json()) as Record<string, number>).reduce((a, b) => a + b, 0);
};

describe('CORS allow-list from the KeyValueStore on the local stack', () => {
  const fromSite = makeBatch({ types: ['started', 'paused'] });
  const refused = makeBatch({ types: ['started', 'heartbeat', 'paused'] });
  const forged = makeBatch({ types: ['started'] });
  const readmitted = makeBatch({ types: ['started', 'resumed'] });
  const refusedIds: string[] = [];

  it('seeds the store file from the local configuration on the first start', () => {
    expect(parseKvsFile(fs.readFileSync(kvsFile, 'utf8'))).toStrictEqual([
      { key: KVS_KEYS.allowedOrigins, value: '*' },
      { key: KVS_KEYS.rolloutSchemas, value: '-' },
      { key: KVS_KEYS.rolloutSdks, value: '-' },
    ]);
  });

  it('refuses an origin removed from the file within 5 s: no CORS allow, 403 and one bad row per POST', async () => {
    expect(await preflight(OTHER)).toStrictEqual({ status: 204, allow: '*' });
    setAllowList(SITE);
    await preflightBecomes(OTHER, { status: 403, allow: null });
    expect(await preflight(SITE)).toStrictEqual({ status: 204, allow: SITE });

    const ok = await post(fromSite, SITE);
    expect(ok).toMatchObject({ status: 204, allow: SITE });
    const no = await post(refused, OTHER);
    expect(no).toMatchObject({ status: 403, error: 'origin_not_allowed', allow: null });
    // A client's own edge header, claiming an allow verdict, is overwritten by the function.
    const stamp = `pop=FRA;region=eu-central-1;t=${Date.now()};o=1`;
    const faked = await post(forged, OTHER, { [EDGE_HEADER]: stamp });
    expect(faked).toMatchObject({ status: 403, error: 'origin_not_allowed' });
    refusedIds.push(no.requestId, faked.requestId);

    const bad = await eventually('both bad rows', async () => {
      const b = await badRows();
      return b.counts.origin_not_allowed === 2 ? b : undefined;
    });
    expect(bad.counts).toStrictEqual({ origin_not_allowed: 2 });
    const rows = bad.recent.filter((r) => refusedIds.includes(r.request_id));
    expect(rows.map((r) => [r.request_id, r.status, r.payload]).sort()).toStrictEqual(
      [
        [no.requestId, 403, JSON.stringify(refused)],
        [faked.requestId, 403, JSON.stringify(forged)],
      ].sort(),
    );
    // Only the allowed origin's events are stored.
    expect(
      await eventually('the site events', async () => {
        const n = await storedEvents();
        return n === fromSite.events.length ? n : undefined;
      }),
    ).toBe(fromSite.events.length);
  });

  it('accepts the origin again once it is back in the file', async () => {
    setAllowList(`${SITE} ${OTHER}`);
    await preflightBecomes(OTHER, { status: 204, allow: OTHER });
    expect(await post(readmitted, OTHER)).toMatchObject({ status: 204, allow: OTHER });
    const expected = fromSite.events.length + readmitted.events.length;
    expect(
      await eventually('the readmitted events', async () => {
        const n = await storedEvents();
        return n === expected ? n : undefined;
      }),
    ).toBe(expected);
    // Still exactly the two refusals as bad rows: nothing accepted became one.
    expect((await badRows()).counts).toStrictEqual({ origin_not_allowed: 2 });
  });

  it('keeps serving the last good list through a broken edit', async () => {
    fs.writeFileSync(kvsFile, '{"data":[{"key":');
    // The store looks at its file when a request needs it: ask until it said it keeps the old list.
    await eventually('the refusal of the broken file', async () => {
      await preflight(OTHER);
      return logs.find((l) =>
        /^\[kvs\] .* not JSON: .*still serving the previous content$/.test(l),
      );
    });
    expect(await preflight(OTHER)).toStrictEqual({ status: 204, allow: OTHER });
    setAllowList(SITE);
    await preflightBecomes(OTHER, { status: 403, allow: null });
  });
});
