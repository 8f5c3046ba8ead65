/**
 * DuckDB as the local time-series store (an EventSink plus a read side for the dashboard API).
 *
 * DuckDB lets only one process open a database file read-write, so the consumer and the
 * dashboard API must share this one instance in one process: writes go through a single write
 * connection, one transaction per batch, queued so two batches never interleave; reads use their
 * own small pool of connections and see committed data only (MVCC), so a slow dashboard query
 * never holds up ingestion and never sees half a batch.
 *
 * Bulk path (the fastest of the methods bench/core-pipeline/duckdb-insert.ts compares): rows are
 * converted to DataChunks and appended to an unconstrained TEMP staging table, then one
 * `INSERT ... SELECT` moves them into the keyed table. Duplicates within and across batches are
 * skipped by the primary key, first write wins. They are rare (a client retry whose first attempt was stored), and
 * `ON CONFLICT DO NOTHING` costs clearly more time per row than a plain INSERT against the same
 * key (docs/BENCHMARKS.md, core-store), so a batch is first written with plain INSERTs; only if
 * the key rejects it is the transaction rolled back and the batch written again with
 * `ON CONFLICT DO NOTHING`. After such a hit the next SKIP_DUPLICATES_AFTER_HIT batches use
 * ON CONFLICT at once, so a burst of retried requests costs one extra attempt, not one per batch.
 *
 * Rollups: the same transaction feeds the batch's really new events (all of them on the fast path;
 * those `INSERT ... RETURNING` names on the other) to the rollup engine and appends its delta rows;
 * a failed transaction rolls the engine back too, so rollups are exactly as idempotent as events.
 * Upkeep (compaction of closed minutes, eviction of idle sessions) runs in the write queue.
 */
import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { withDuckDbDefaults, type DuckDbConfig } from '../config.js';
import { SinkWriteError, StoreClosedError } from '../errors.js';
import type { Checkpoint, EventSink, WriteBatchInput } from './sink.js';
import { BAD_ROWS_TABLE, EVENTS_TABLE, REFUSALS_TABLE } from './duckdb-schema.js';
import { type InsertMode, loadViaStaging } from './duckdb-load.js';

export { type InsertMode, loadViaStaging } from './duckdb-load.js';
import { ConnectionPool } from './duckdb-pool.js';
import { type AppliedBatch, RollupEngine } from '../rollups/engine.js';
import type { EventRow } from '../rows.js';
import { loadSessions } from './duckdb-rollup-state.js';
import { writeDeltas } from './duckdb-rollup-writer.js';
import { compactRollups, openRollups } from './duckdb-rollup-upkeep.js';
import { mapCmcdInTransaction } from './duckdb-cmcd-state.js';

/** Rows as plain JS values (BIGINT/COUNT as number, TIMESTAMP as Date). */
export type QueryRow = Record<string, unknown>;

/** The DuckDB store. Create with `DuckDbStore.open`. */
export class DuckDbStore implements EventSink {
  private writeQueue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /**
   * Batches written a second time because the primary key rejected a duplicate on the fast path
   * (diagnostics; see the class comment).
   */
  duplicateRetries = 0;
  /** Batches still to write with ON CONFLICT straight away, after a duplicate was seen. */
  private skipDuplicatesFor = 0;

  /** Minutes that received rollup deltas since their last compaction. */
  private readonly dirtyMinutes = new Set<number>();
  private maintenanceTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly readers: ConnectionPool,
    /** Where the database lives (`:memory:` for tests). */
    readonly path: string,
    /** The rollup engine; null when rollups are off (measurements only). */
    private readonly rollups: RollupEngine | null,
    private readonly config: DuckDbConfig,
    /** Removes the in-memory store's spill folder (nothing for a file store). */
    private readonly removeSpill: () => void,
  ) {
    if (rollups && config.rollupMaintenanceMs > 0) {
      this.maintenanceTimer = setInterval(() => {
        this.maintainRollups().catch(() => undefined);
      }, config.rollupMaintenanceMs);
      this.maintenanceTimer.unref();
    }
  }

  /**
   * Opens (creating if needed) a database file and its tables.
   * @param path a file path, or `':memory:'`.
   * @param hooks.log hears about one-time work on open (rollups computed from an older store's events).
   * @example const store = await DuckDbStore.open(join(dataDir, 'beacons.duckdb'));
   */
  static async open(
    path: string,
    config: Partial<DuckDbConfig> = {},
    hooks: { log?: (message: string) => void } = {},
  ): Promise<DuckDbStore> {
    const c = withDuckDbDefaults(config);
    // An in-memory database spills to `.tmp/` in the working directory by default, which every
    // process started there shares: two stores would read each other's spill files. Its own
    // folder, removed at close; a file store spills beside its file (`<file>.tmp`).
    const spill =
      path === ':memory:' ? fs.mkdtempSync(nodePath.join(os.tmpdir(), 'beacons-duckdb-')) : null;
    const instance = await DuckDBInstance.create(path, {
      ...(spill ? { temp_directory: spill } : {}),
      memory_limit: c.memoryLimit,
      threads: String(c.threads),
      checkpoint_threshold: c.checkpointThreshold,
      allocator_flush_threshold: c.allocatorFlushThreshold,
    });
    const removeSpill = () => {
      if (spill) fs.rmSync(spill, { recursive: true, force: true });
    };
    try {
      const writer = await instance.connect();
      const engine = c.rollups ? new RollupEngine() : null;
      // Before anything reads the events: a store of millions of events needs more than the base.
      await fitMemoryLimit(writer, c);
      await openRollups(writer, engine, c, Date.now(), hooks.log);
      const readers = await ConnectionPool.create(instance, c.readConnections);
      return new DuckDbStore(instance, writer, readers, path, engine, c, removeSpill);
    } catch (err) {
      instance.closeSync();
      removeSpill();
      throw err;
    }
  }

  /**
   * Stores one batch atomically: events, bad rows, rollout refusals and checkpoints commit together
   * or not at all.
   * @throws SinkWriteError (cause = DuckDB's error) after rolling back.
   */
  writeBatch(input: WriteBatchInput): Promise<void> {
    return this.enqueue(async () => {
      const mode: InsertMode = this.skipDuplicatesFor > 0 ? 'skip-duplicates' : 'insert';
      if (mode === 'skip-duplicates') this.skipDuplicatesFor -= 1;
      const failed = await this.transaction(input, mode);
      if (!failed) return;
      if (mode === 'insert' && failed.rolledBack && isDuplicateKeyError(failed.error)) {
        this.duplicateRetries += 1;
        this.skipDuplicatesFor = SKIP_DUPLICATES_AFTER_HIT;
        const again = await this.transaction(input, 'skip-duplicates');
        if (again) throw writeError(again, ' (on the second attempt, after a duplicate key)');
        return;
      }
      throw writeError(failed);
    });
  }

  /**
   * One transaction: CMCD mapping and state, events, bad rows, refusals, checkpoints, COMMIT. Resolves undefined when committed;
   * otherwise rolls back and resolves with the error (and whether the rollback worked: if it did
   * not, the connection may still be inside the transaction and nothing is retried on it).
   */
  private async transaction(
    input: WriteBatchInput,
    mode: InsertMode,
  ): Promise<FailedTransaction | undefined> {
    const con = this.writer;
    const engine = this.rollups;
    let applied: AppliedBatch | undefined;
    try {
      await con.run('BEGIN TRANSACTION');
      // CMCD lines become rows here, from each session's state as this transaction sees it, so
      // the rows and the state they leave commit (or roll back) together.
      const events = input.cmcd?.length
        ? input.events.concat(await mapCmcdInTransaction(con, input.cmcd))
        : input.events;
      // Sessions the engine does not hold but the store may: their state comes from their stored
      // events, read before this batch's events are inserted.
      if (engine) await loadSessions(con, engine, engine.unknownSessions(events));
      const inserted = await loadViaStaging(
        con,
        EVENTS_TABLE,
        events as unknown as Record<string, unknown>[],
        mode,
        engine && mode === 'skip-duplicates' ? EVENTS_TABLE.key : undefined,
      );
      if (engine) {
        let fresh = events;
        if (inserted) {
          const split = splitInserted(events, inserted);
          fresh = split.fresh;
          // A resent event proves its session has stored events, even at seq 0: load the state
          // of such a session from the stored events other than this batch's new ones.
          const resent = engine.unknownSessions(split.resent, true);
          await loadSessions(con, engine, resent, fresh);
        }
        applied = engine.apply(fresh);
        await this.appendDeltas(applied);
      }
      await loadViaStaging(
        con,
        BAD_ROWS_TABLE,
        input.badRows as unknown as Record<string, unknown>[],
        mode,
      );
      if (input.refusals?.length) {
        await loadViaStaging(
          con,
          REFUSALS_TABLE,
          input.refusals as unknown as Record<string, unknown>[],
          mode,
        );
      }
      for (const cp of latestPerShard(input.checkpoints)) {
        await con.run(
          `INSERT INTO checkpoints VALUES ($1, $2, $3, now()::TIMESTAMP)
           ON CONFLICT (stream, shard_id) DO UPDATE SET sequence_number = excluded.sequence_number, updated_at = excluded.updated_at`,
          [cp.stream, cp.shardId, cp.sequenceNumber],
        );
      }
      await con.run('COMMIT');
      applied?.commit();
      return undefined;
    } catch (error) {
      applied?.rollback();
      try {
        await con.run('ROLLBACK');
        return { error, rolledBack: true };
      } catch (rollbackError) {
        // A COMMIT that fails (the WAL cannot be written: disk full, file too large) ends the
        // transaction itself; nothing is left to roll back, and the connection is usable again.
        if (isNoTransactionError(rollbackError)) return { error, rolledBack: true };
        return { error, rolledBack: false, rollbackError };
      }
    }
  }

  /** Sessions the rollup engine holds in memory (diagnostics). */
  get rollupSessions(): number {
    return this.rollups?.size ?? 0;
  }

  /** Appends a batch's rollup deltas inside the open transaction. */
  private async appendDeltas(applied: AppliedBatch): Promise<void> {
    await writeDeltas(this.writer, applied);
    for (const d of applied.rollups) this.dirtyMinutes.add(d.minuteMs);
    for (const t of applied.typeCounts) this.dirtyMinutes.add(t.minuteMs);
  }

  /**
   * Rollup upkeep, in the write queue: merges the delta rows of minutes older than
   * `rollupCompactAfterMs` into one row per key, and forgets idle sessions past the horizon and
   * the longest-held ones past `rollupMaxSessions`.
   * Runs on a timer; callable directly (tests).
   * @returns rows removed by the compaction.
   */
  maintainRollups(nowMs = Date.now()): Promise<number> {
    const engine = this.rollups;
    if (!engine) return Promise.resolve(0);
    return this.enqueue(async () => {
      await fitMemoryLimit(this.writer, this.config);
      engine.evictIdle(nowMs, this.config.rollupHorizonMs);
      engine.evictBeyond(this.config.rollupMaxSessions);
      const cutoff = nowMs - this.config.rollupCompactAfterMs;
      const minutes = [...this.dirtyMinutes].filter((m) => m + 60_000 <= cutoff);
      if (minutes.length === 0) return 0;
      const removed = await compactRollups(this.writer, minutes);
      for (const m of minutes) this.dirtyMinutes.delete(m);
      return removed;
    });
  }

  /** Every stored checkpoint. */
  async loadCheckpoints(): Promise<Checkpoint[]> {
    const rows = await this.query(
      'SELECT stream, shard_id, sequence_number FROM checkpoints ORDER BY stream, shard_id',
    );
    return rows.map((r) => ({
      stream: String(r.stream),
      shardId: String(r.shard_id),
      sequenceNumber: String(r.sequence_number),
    }));
  }

  /**
   * Runs a read query with bound parameters on a pooled read connection. BIGINTs come back as
   * numbers (counts and ms never exceed 2^53 here).
   */
  async query(sql: string, params: DuckDBValue[] = []): Promise<QueryRow[]> {
    if (this.closed) throw new StoreClosedError();
    return this.readers.use(async (con) => {
      const reader = await con.runAndReadAll(sql, params);
      return reader.getRowObjectsJS().map(bigintsToNumbers);
    });
  }

  /** Waits for queued writes, then closes connections and the instance. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.maintenanceTimer);
    await this.writeQueue.catch(() => undefined);
    await this.readers.close();
    this.writer.closeSync();
    this.instance.closeSync();
    this.removeSpill();
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    const run = this.writeQueue.then(task, task);
    this.writeQueue = run.catch(() => undefined);
    return run;
  }
}

/** The events whose ids the INSERT ... RETURNING named (the ones really new), and the others. */
function splitInserted(
  events: readonly EventRow[],
  ids: readonly unknown[],
): { fresh: EventRow[]; resent: EventRow[] } {
  const inserted = new Set(ids as string[]);
  const fresh: EventRow[] = [];
  const resent: EventRow[] = [];
  for (const e of events) (inserted.delete(e.event_id) ? fresh : resent).push(e);
  return { fresh, resent };
}

/** Batches written with ON CONFLICT straight away after a duplicate key was seen. */
const SKIP_DUPLICATES_AFTER_HIT = 32;

/** A transaction that did not commit. */
interface FailedTransaction {
  error: unknown;
  rolledBack: boolean;
  rollbackError?: unknown;
}

/** The SinkWriteError for a failed transaction, naming a failed rollback too. */
function writeError(f: FailedTransaction, when = ''): SinkWriteError {
  const message = f.error instanceof Error ? f.error.message : String(f.error);
  const rollback = f.rolledBack
    ? ''
    : `; ROLLBACK failed too: ${f.rollbackError instanceof Error ? f.rollbackError.message : String(f.rollbackError)}`;
  return new SinkWriteError(`DuckDB write failed${when}: ${message}${rollback}`, {
    cause: f.error,
  });
}

/** DuckDB's error for a key that is already there ("Constraint Error: Duplicate key ..."). */
function isDuplicateKeyError(err: unknown): boolean {
  return (
    err instanceof Error &&
    /^Constraint Error/i.test(err.message) &&
    /duplicate key/i.test(err.message)
  );
}

/** DuckDB's answer to a ROLLBACK outside a transaction. */
function isNoTransactionError(err: unknown): boolean {
  return err instanceof Error && /no transaction is active/i.test(err.message);
}

/** One checkpoint per shard: the highest sequence number (they are decimal strings of up to 128 bits). */
function latestPerShard(checkpoints: readonly Checkpoint[]): Checkpoint[] {
  const byShard = new Map<string, Checkpoint>();
  for (const cp of checkpoints) {
    const key = `${cp.stream}\u0000${cp.shardId}`;
    const prev = byShard.get(key);
    if (!prev || BigInt(cp.sequenceNumber) > BigInt(prev.sequenceNumber)) byShard.set(key, cp);
  }
  return [...byShard.values()];
}

function bigintsToNumbers(row: Record<string, unknown>): QueryRow {
  for (const k of Object.keys(row)) {
    const v = row[k];
    if (typeof v === 'bigint') row[k] = Number(v);
  }
  return row;
}

/**
 * The memory limit for a store of `events` events: `memoryLimit` (in MB or GB) plus
 * `memoryPerEventBytes` per event, at most `memoryLimitMaxMb`; null when the limit stays fixed
 * (no per-event memory, or a limit in another unit).
 */
export function memoryLimitMb(events: number, c: DuckDbConfig): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(MB|MiB|GB|GiB)\s*$/i.exec(c.memoryLimit);
  if (!m || c.memoryPerEventBytes <= 0) return null;
  const baseMb = Number(m[1]) * (/^g/i.test(m[2]) ? 1024 : 1);
  const grown = baseMb + Math.ceil((events * c.memoryPerEventBytes) / 2 ** 20);
  return Math.max(baseMb, Math.min(c.memoryLimitMaxMb, grown));
}

/** Sets DuckDB's memory limit for the store's current size (see DuckDbConfig.memoryPerEventBytes). */
async function fitMemoryLimit(con: DuckDBConnection, c: DuckDbConfig): Promise<void> {
  // The catalog's row count: no scan, and 0 for a store not created yet.
  const reader = await con.runAndReadAll(
    "SELECT coalesce(sum(estimated_size), 0) AS n FROM duckdb_tables() WHERE table_name = 'events' AND NOT temporary",
  );
  const mb = memoryLimitMb(Number(reader.getRowObjectsJS()[0]?.n ?? 0), c);
  if (mb !== null) await con.run(`SET memory_limit = '${mb}MiB'`);
}
