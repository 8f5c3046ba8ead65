/**
 * Fault: the whole `beacons dev` process is killed with SIGKILL while clients send, and started
 * again on the same data directory and port. The killed process leaves its lock file, kinesalite's
 * LevelDB and DuckDB's WAL behind; the new one must take over the stale lock, resume from the
 * stored checkpoints, and end with every acknowledged event stored exactly once. Clients retry
 * as the SDK does (network failures included) and so also deliver what the kill cut off.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
// @ts-expect-error plain .mjs build script without type declarations
import { buildCli } from '../../../scripts/build-cli.mjs';
import { freePort } from '../../../bench/e2e-load/stack-process.js';
import { makeBatch } from '../../helpers/batch-factory.js';
import { type CliChild, startCliUntil, killCliChildren } from '../../helpers/cli-process.js';
import { storedEventIds } from '../../helpers/fault-stack.js';
import { waitFor } from '../../helpers/kinesis-streams.js';
import { deliver } from '../../helpers/retrying-client.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-sigkill-'));

/** Starts `beacons dev` and resolves once it serves. */
function startDev(port: number): Promise<CliChild> {
  return startCliUntil(
    ['dev', '--port', String(port), '--data-dir', dataDir, '--no-simulate'],
    /Press Ctrl-C to stop/,
  );
}

beforeAll(async () => {
  await buildCli();
});

afterAll(() => {
  killCliChildren();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('beacons dev killed with SIGKILL mid-load', () => {
  it('restarts on the same data directory and stores every acknowledged event once', async () => {
    const port = await freePort();
    const first = await startDev(port);
    const since = new Date(Date.now() - 60_000).toISOString();
    const batches = Array.from({ length: 200 }, () =>
      makeBatch({ count: 8, types: ['heartbeat'] }),
    );
    const sent = new Set(batches.flatMap((b) => b.events.map((e) => e.id)));
    let ok = 0;
    let cutOff = 0;
    const delivery = deliver({
      url: `http://127.0.0.1:${port}/v1/events`,
      batches,
      concurrency: 8,
      headers: { 'x-beacon-pop': 'FRA56-C1' },
      requestTimeoutMs: 5000,
      deadline: Date.now() + 150_000,
      onAnswer: (status) => {
        if (status === 204) ok += 1;
        if (status === 0) cutOff += 1;
      },
    });

    await waitFor('a first share acknowledged', () => ok >= 80, 30_000);
    first.child.kill('SIGKILL');
    await first.exit;
    const okAtKill = ok;
    // The killed process could not remove its lock: the restart must see it is stale.
    expect(fs.readFileSync(path.join(dataDir, 'beacons.lock'), 'utf8').split('\n')[0]).toBe(
      String(first.child.pid),
    );
    const second = await startDev(port);
    const report = await delivery;
    expect(report.undelivered).toHaveLength(0);
    expect(report.acked).toStrictEqual(sent);
    expect(ok).toBeGreaterThan(okAtKill);

    // Drained: the counts API sees every event (the store keeps each event id once).
    await waitFor(
      'the restarted stack to store every event',
      async () => {
        const res = await fetch(
          `http://127.0.0.1:${port}/api/v1/counts?since=${encodeURIComponent(since)}`,
        );
        const counts = (await res.json()) as Record<string, number>;
        return counts.heartbeat >= sent.size;
      },
      30_000,
    );
    second.child.kill('SIGINT');
    expect(await second.exit).toBe(0);

    // Read the DuckDB file directly: every acknowledged id once, nothing else.
    const store = await DuckDbStore.open(path.join(dataDir, 'beacons.duckdb'));
    try {
      const stored = await storedEventIds(store);
      expect(new Set(stored.keys())).toStrictEqual(sent);
      expect([...stored.values()].every((n) => n === 1)).toBe(true);
      console.info(
        `SIGKILL: ${batches.length} batches, ${sent.size} events, ${okAtKill} batches acknowledged before the kill, ${cutOff} requests cut off, ${report.attempts} requests, acknowledged ${report.acked.size}, stored ${stored.size}`,
      );
    } finally {
      await store.close();
    }
  }, 240_000);
});
