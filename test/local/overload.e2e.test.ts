import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEV_DEFAULTS } from '../../local/config.js';
import { startDev, type DevStack } from '../../local/dev.js';
import { runLoad, type LoadResponse } from '../../local/sim/load.js';
import { eventually, health, storedCount, storedEventIds } from '../helpers/stack-checks.js';

/**
 * Overload on the whole local stack: a burst of thousands of requests at once (each on its own
 * connection, loopback only). The edge admits what it can run and sheds the rest with 503
 * overloaded + Retry-After, nothing else fails, health says degraded and then ok again by
 * itself, the edge takes load again, and every acknowledged event is stored exactly once.
 */
const BURST = 2_000;
const BATCH = 5;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-overload-'));
let dev: DevStack | undefined;

afterAll(async () => {
  await dev?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Ids of the events one answer acknowledged: all on 204, all but the rejected on 200. */
function ackedIds(r: LoadResponse): string[] {
  if (r.result.status === 204) return r.batch.events.map((e) => e.id);
  if (r.result.status !== 200) return [];
  const rejected = new Set(
    (JSON.parse(r.result.body) as { rejected: { index: number }[] }).rejected.map((x) => x.index),
  );
  return r.batch.events.map((e) => e.id).filter((_, i) => !rejected.has(i));
}

describe('overload (beacons dev)', () => {
  it('sheds a burst with 503 overloaded + Retry-After, recovers by itself, and stores every acknowledged event once', async () => {
    dev = await startDev({ port: 0, dataDir, pollIntervalMs: 100 });
    const since = new Date(Date.now() - 1000).toISOString();
    const answers: Record<string, number> = {};
    const acked = new Set<string>();
    let shedWithoutRetryAfter = 0;
    let peakRss = process.memoryUsage().rss;
    const rssBefore = peakRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);

    const summary = await runLoad({
      url: dev.url,
      // Every request due at once, each on a connection of its own.
      eventsPerSecond: BURST * BATCH * 100,
      durationSeconds: 0.01,
      batchSize: BATCH,
      concurrency: BURST,
      seed: 8,
      onResponse: (r) => {
        let key = String(r.result.status);
        if (r.result.status >= 300 && r.result.body.startsWith('{'))
          key += ` ${(JSON.parse(r.result.body) as { error: string }).error}`;
        if (r.result.status === 0) key += ` ${r.result.error}`;
        answers[key] = (answers[key] ?? 0) + 1;
        if (r.result.status === 503 && !(Number(r.result.retryAfter) >= 1))
          shedWithoutRetryAfter += 1;
        for (const id of ackedIds(r)) acked.add(id);
      },
    });
    clearInterval(sampler);

    // A session's last batch may be smaller than BATCH: a few more requests than BURST.
    expect(summary.sent).toBeGreaterThanOrEqual(BURST);
    const shed = answers['503 overloaded'] ?? 0;
    const admitted = (answers['204'] ?? 0) + (answers['200'] ?? 0);
    // Every request answered: admitted, or shed, or (an admitted request whose write to the
    // stream ran out of time on a starved machine) 503 stream_unavailable. Both 503s carry
    // Retry-After and acknowledge nothing; no other status, no dropped connection.
    const late = answers['503 stream_unavailable'] ?? 0;
    expect(answers, JSON.stringify(answers)).toStrictEqual({
      ...(answers['204'] ? { 204: answers['204'] } : {}),
      ...(answers['200'] ? { 200: answers['200'] } : {}),
      '503 overloaded': shed,
      ...(late ? { '503 stream_unavailable': late } : {}),
    });
    expect(late).toBeLessThan(shed);
    expect(shed).toBeGreaterThan(0);
    expect(admitted).toBeGreaterThan(0);
    expect(shedWithoutRetryAfter).toBe(0);
    // Bounded: the burst's sockets and the shed answers, not a queue of 3,000 edge calls.
    expect(peakRss - rssBefore).toBeLessThan(400e6);

    const during = await health(dev.url);
    expect(during.status).toBe('degraded');
    expect(during.problems.map((p) => p.reason)).toContain('overloaded');
    expect(during.edge.shed).toBe(shed);
    expect(during.edge.admitted).toBe(admitted);

    // Recovery by itself: the edge takes a request again, and health is ok once the window passed.
    const one = await runLoad({
      url: dev.url,
      eventsPerSecond: 1,
      durationSeconds: 1,
      batchSize: 1,
      concurrency: 1,
      seed: 9,
      onResponse: (r) => {
        for (const id of ackedIds(r)) acked.add(id);
      },
    });
    expect(one.statuses).toStrictEqual({ 204: 1 });
    await eventually(
      'health ok again',
      async () => ((await health(dev!.url)).status === 'ok' ? true : undefined),
      DEV_DEFAULTS.shedHealthWindowMs + 20_000,
      500,
    );
    await eventually(
      'every acknowledged event stored',
      async () => ((await storedCount(dev!.url, since)) >= acked.size ? true : undefined),
      60_000,
      250,
    );

    await dev.stop();
    const stored = await storedEventIds(path.join(dataDir, 'beacons.duckdb'));
    const missing = [...acked].filter((id) => !stored.has(id));
    expect(missing).toStrictEqual([]);
    expect([...acked].filter((id) => stored.get(id) !== 1)).toStrictEqual([]);
    // The figures of the reliability table.
    console.info(
      `overload burst: ${summary.sent} requests, ${JSON.stringify(answers)}, ${acked.size} events acknowledged, ${acked.size - missing.length} stored, peak RSS growth ${((peakRss - rssBefore) / 1e6).toFixed(0)} MB`,
    );
  }, 180_000);
});
