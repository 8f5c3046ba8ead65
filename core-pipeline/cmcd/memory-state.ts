/**
 * CMCD session states held in memory, for sinks that cannot keep them in a transaction with the
 * rows (InfluxDB, Timestream: the AWS Lambda consumer). The stream's partition key is the session
 * id, so all of a session's records reach one shard and one consumer, in order; the state lives
 * as long as the Lambda container. A recycled container (or a session evicted from the bounded
 * LRU) starts the session afresh: its next lines are mapped as a session's first, so the open
 * interval (an unfinished stall, startup without its `s`) and the counters so far are lost for
 * it. docs/METRICS.md says what that costs.
 *
 * These stores key a point on its type (InfluxDB tag, Timestream measure name), so a resent line
 * must come out as the row it was the first time, not as the stateless mapping of a late line,
 * or it would be stored twice. The rows of recent writes are kept (bounded) and a line whose id is
 * among them is given its earlier row again: the same point, overwritten with itself.
 */
import type { EventRow } from '../rows.js';
import { applyCmcd } from './apply.js';
import type { CmcdBatch } from './record.js';
import type { CmcdSessionState } from './state.js';

/** Sessions kept by default: a state is a few hundred bytes, so this stays within a few tens of MB. */
export const DEFAULT_CMCD_MEMORY_SESSIONS = 100_000;
/** Rows of recent writes kept to answer resends with (a row is around a kilobyte). */
export const DEFAULT_CMCD_RECENT_ROWS = 20_000;

/** A write's mapped rows, and the call that keeps the states they leave once the write is stored. */
export interface MappedCmcd {
  rows: EventRow[];
  commit: () => void;
}

/** A bounded LRU of CMCD session states. */
export class CmcdMemoryState {
  private readonly states = new Map<string, CmcdSessionState>();
  private readonly recent = new Map<string, EventRow>();

  constructor(
    private readonly maxSessions = DEFAULT_CMCD_MEMORY_SESSIONS,
    private readonly maxRecentRows = DEFAULT_CMCD_RECENT_ROWS,
  ) {}

  /** Sessions held. */
  get size(): number {
    return this.states.size;
  }

  /**
   * Maps a write's CMCD batches from the held states. Nothing changes until `commit` is called,
   * so a write that fails and is retried maps from the same states and gives the same rows.
   */
  map(batches: readonly CmcdBatch[] | undefined): MappedCmcd {
    if (!batches?.length) return { rows: [], commit: () => undefined };
    const applied = applyCmcd(batches, (sid) => this.states.get(sid));
    const rows = applied.rows.map((r) => this.recent.get(r.event_id) ?? r);
    return { rows, commit: () => this.keep(applied.states, rows) };
  }

  private keep(states: ReadonlyMap<string, CmcdSessionState>, rows: readonly EventRow[]): void {
    for (const r of rows) {
      this.recent.delete(r.event_id);
      this.recent.set(r.event_id, r);
    }
    for (const id of this.recent.keys()) {
      if (this.recent.size <= this.maxRecentRows) break;
      this.recent.delete(id);
    }
    for (const [sid, state] of states) {
      // Re-inserted so the Map's order is least recently written first.
      this.states.delete(sid);
      this.states.set(sid, state);
    }
    for (const sid of this.states.keys()) {
      if (this.states.size <= this.maxSessions) break;
      this.states.delete(sid);
    }
  }
}
