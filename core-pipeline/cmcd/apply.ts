/**
 * Maps the CMCD batches of one sink write, threading each session's state through its records
 * in order. The store supplies the states it holds and keeps the ones returned, committing them
 * with the rows (DuckDB) or after the write succeeded (the in-memory state of the AWS sinks), so
 * a write that fails and is retried maps from the same states again.
 */
import type { EventRow } from '../rows.js';
import { mapCmcdEntries } from './map.js';
import type { CmcdBatch } from './record.js';
import type { CmcdSessionState } from './state.js';

/** Rows of every batch, and the new state of every session they touched. */
export interface AppliedCmcd {
  rows: EventRow[];
  states: Map<string, CmcdSessionState>;
}

/** Entries (report lines) in the batches: the rows they become, one each. */
export function cmcdEntryCount(batches: readonly CmcdBatch[] | undefined): number {
  let n = 0;
  for (const b of batches ?? []) n += b.entries.length;
  return n;
}

/** The sessions the batches belong to, each once. */
export function cmcdSessionIds(batches: readonly CmcdBatch[]): string[] {
  return [...new Set(batches.map((b) => b.context.session_id))];
}

/**
 * Maps every batch, in order, from the states `stateOf` gives (undefined: a session not seen).
 * Pure given `stateOf`: the same batches and states give the same rows and states.
 */
export function applyCmcd(
  batches: readonly CmcdBatch[],
  stateOf: (sessionId: string) => CmcdSessionState | undefined,
): AppliedCmcd {
  const states = new Map<string, CmcdSessionState>();
  const rows: EventRow[] = [];
  for (const b of batches) {
    const sid = b.context.session_id;
    const out = mapCmcdEntries(states.get(sid) ?? stateOf(sid), b.entries, b.context);
    states.set(sid, out.state);
    for (const r of out.rows) rows.push(r);
  }
  return { rows, states };
}
