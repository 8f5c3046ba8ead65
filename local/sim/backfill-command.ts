/**
 * `beacons simulate --backfill N --since 1h [--data-dir D]`: opens the local store itself, so it
 * takes the data directory's lock first. DuckDB lets one process open a database file; while
 * `beacons dev` runs it holds the lock, and the backfill refuses with a clear message.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { DuckDbStore } from '../../core-pipeline/sinks/duckdb.js';
import { DEV_DEFAULTS } from '../config.js';
import { lockDataDir } from '../data-dir-lock.js';
import { DataDirBusyError, UsageError } from '../errors.js';
import { backfill } from './backfill.js';
import type { Fault } from './faults.js';
import { TruthRecorder } from './truth.js';
import { truthJson, writeTruth } from './truth-file.js';

/** Parsed flags of a backfill. */
export interface BackfillCommandOptions {
  events: number;
  sinceMs: number;
  dataDir: string;
  seed?: number;
  faults: Fault[];
  truthFile?: string;
}

/** Runs the backfill; resolves to the exit code. */
export async function backfillCommand(o: BackfillCommandOptions): Promise<number> {
  const seed = o.seed ?? (Date.now() ^ (process.pid << 16)) >>> 0;
  await fs.mkdir(o.dataDir, { recursive: true });
  let unlock: () => Promise<void>;
  try {
    unlock = await lockDataDir(o.dataDir);
  } catch (err) {
    if (err instanceof DataDirBusyError)
      throw new UsageError(
        `${o.dataDir} is in use by "beacons dev" (DuckDB allows one process per database file): stop beacons dev first, then run the backfill, then start it again`,
      );
    throw err;
  }
  const dbPath = path.join(o.dataDir, 'beacons.duckdb');
  try {
    const store = await DuckDbStore.open(
      dbPath,
      { threads: DEV_DEFAULTS.duckdbThreads },
      { log: (m) => console.log(m) },
    );
    const truth = o.truthFile ? new TruthRecorder() : undefined;
    const nowMs = Date.now();
    console.log(
      `backfilling ${o.events} events over the last ${o.sinceMs / 60_000} min into ${dbPath} (seed ${seed})`,
    );
    let last = performance.now();
    const started = last;
    try {
      const s = await backfill({
        sink: store,
        events: o.events,
        sinceMs: o.sinceMs,
        nowMs,
        seed,
        faults: o.faults,
        truth,
        onProgress: (n) => {
          if (performance.now() - last < 2_000) return;
          last = performance.now();
          console.log(`  ${n} events, ${Math.round(n / ((last - started) / 1000))} events/s`);
        },
      });
      console.log(
        `done: ${s.events} events of ${s.sessions} sessions in ${(s.elapsedMs / 1000).toFixed(1)} s (${Math.round(s.events / (s.elapsedMs / 1000))} events/s)` +
          (s.invalidEvents ? `; ${s.invalidEvents} events could not be turned into rows` : ''),
      );
      if (truth && o.truthFile) {
        await writeTruth(
          o.truthFile,
          truthJson(
            truth,
            {
              seed,
              backfill: o.events,
              sinceMs: o.sinceMs,
              startedAt: nowMs - o.sinceMs,
              endedAt: nowMs,
            },
            o.faults,
          ),
        );
        console.log(`  ground truth in ${o.truthFile}`);
      }
      return s.invalidEvents > 0 ? 1 : 0;
    } finally {
      await store.close();
    }
  } finally {
    await unlock();
  }
}
