import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoad, type LoadResponse } from '../../local/sim/load.js';
import {
  eventually,
  health,
  storedCount,
  storedEventIds,
  type Health,
} from '../helpers/stack-checks.js';
import { startStackProcess, type StackProcess } from '../helpers/stack-process.js';

/**
 * The store cannot write, on the real stack: `beacons dev` runs as its own process, and its
 * file-size limit (RLIMIT_FSIZE, set from outside with prlimit) is lowered to the size the
 * DuckDB write-ahead log has reached. Every commit then fails in the kernel with EFBIG ("File
 * too large"), as it would on a full disk; Node ignores SIGXFSZ, so it is an error, not a crash.
 * kinesalite, in the same process, keeps working because its LevelDB files stay far below the
 * limit. Then the limit is lifted, as space would be freed.
 *
 * Asserted: the edge keeps acknowledging (the events wait in the stream); health says degraded
 * with the store's error and a growing lag; checkpoints do not move while writes fail; the
 * process does not crash; once writes work, health is ok and every acknowledged event is
 * stored exactly once.
 */
const WAL_MIN_BYTES = 8 * 1024 * 1024;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-store-fault-'));
const wal = path.join(dataDir, 'beacons.duckdb.wal');
let stack: StackProcess | undefined;
const prlimit = (pid: number, soft: string) =>
  execFileSync('prlimit', ['--pid', String(pid), `--fsize=${soft}:`]);

afterAll(async () => {
  if (stack && stack.child.exitCode === null) {
    prlimit(stack.pid, 'unlimited');
    await stack.stop();
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Sends a load and keeps the ids of the events the edge acknowledged. */
async function send(url: string, eventsPerSecond: number, seconds: number, acked: Set<string>) {
  const statuses: Record<string, number> = {};
  let shedWithoutRetryAfter = 0;
  await runLoad({
    url,
    eventsPerSecond,
    durationSeconds: seconds,
    batchSize: 20,
    concurrency: 32,
    onResponse: (r: LoadResponse) => {
      statuses[r.result.status] = (statuses[r.result.status] ?? 0) + 1;
      if (r.result.status === 503 && !(Number(r.result.retryAfter) >= 1))
        shedWithoutRetryAfter += 1;
      if (r.result.status === 204) for (const e of r.batch.events) acked.add(e.id);
    },
  });
  expect(shedWithoutRetryAfter).toBe(0);
  return statuses;
}

const walSize = () => (fs.existsSync(wal) ? fs.statSync(wal).size : 0);
const checkpoints = (h: Health) =>
  Object.fromEntries(h.consumer.shards.map((s) => [`${s.stream}/${s.shardId}`, s.checkpoint]));

describe('the store cannot write (beacons dev, file-size limit)', () => {
  it('keeps acknowledged events in the stream, says degraded and why, and stores them all once writing works', async () => {
    stack = await startStackProcess(dataDir, 'store-fault');
    const { url, pid } = stack;
    const since = new Date(Date.now() - 1000).toISOString();
    const acked = new Set<string>();

    // Grow the WAL past the size of any LevelDB file, so the limit hits DuckDB only.
    const warmUntil = Date.now() + 60_000;
    while (walSize() < WAL_MIN_BYTES && Date.now() < warmUntil) await send(url, 4_000, 2, acked);
    expect(walSize()).toBeGreaterThanOrEqual(WAL_MIN_BYTES);
    // At least every acknowledged event: a 503 stream_unavailable whose write landed late is
    // stored too (documented, not a loss); every acknowledged id is checked at the end.
    const storedBefore = await eventually('warm-up stored', async () => {
      const n = await storedCount(url, since);
      return n >= acked.size ? n : undefined;
    });
    const ackedBefore = acked.size;

    prlimit(pid, String(walSize()));
    const during = await send(url, 2_000, 3, acked);
    // The edge does not depend on the store: it acknowledges (a busy machine may shed some).
    expect(Object.keys(during).filter((s) => s !== '204' && s !== '503')).toStrictEqual([]);
    expect(during['204']).toBeGreaterThan(0);
    const degraded = await eventually('health degraded', async () => {
      const h = await health(url);
      return h.status === 'degraded' && h.consumer.lagMs > 0 ? h : undefined;
    });
    const problem = degraded.problems.find((p) => p.reason === 'store_write_failing');
    expect(problem?.detail).toMatch(/File too large/);
    expect(degraded.consumer.sink.lastError?.message).toMatch(/File too large/);
    // While writes fail: checkpoints stay, nothing more is stored, and the consumer keeps trying.
    const held = checkpoints(degraded);
    await new Promise((r) => setTimeout(r, 3_000));
    const later = await health(url);
    expect(later.status).toBe('degraded');
    expect(checkpoints(later)).toStrictEqual(held);
    expect(later.consumer.lagMs).toBeGreaterThan(degraded.consumer.lagMs);
    expect(await storedCount(url, since)).toBe(storedBefore);
    expect(stack.child.exitCode).toBeNull();

    prlimit(pid, 'unlimited');
    await eventually('health ok', async () =>
      (await health(url)).status === 'ok' ? true : undefined,
    );
    await eventually('every acknowledged event stored', async () =>
      (await storedCount(url, since)) >= acked.size ? true : undefined,
    );
    expect(await stack.stop()).toBe(0);
    expect(stack.output()).toMatch(/write failed, re-reading from checkpoint/);

    const stored = await storedEventIds(path.join(dataDir, 'beacons.duckdb'));
    expect([...acked].filter((id) => stored.get(id) !== 1)).toStrictEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(acked.size);
    // The figures of the reliability table.
    console.info(
      `store fault: ${ackedBefore} events before, ${acked.size - ackedBefore} acknowledged while the store failed, ${acked.size} acknowledged and ${stored.size} stored in all, lag ${later.consumer.lagMs} ms`,
    );
  }, 180_000);
});
