/**
 * The `cmcd_sessions` table: each CMCD session's play-state timeline (core-pipeline/cmcd/state.ts),
 * read and written inside the batch's transaction, so the rows of a batch and the state they
 * leave commit together: a batch replayed after a crash maps from the state its first attempt
 * mapped from, and gives the same rows.
 */
import { type DuckDBConnection, listValue } from '@duckdb/node-api';
import { applyCmcd, cmcdSessionIds } from '../cmcd/apply.js';
import type { CmcdBatch } from '../cmcd/record.js';
import { type CmcdSessionState, parseCmcdState, serializeCmcdState } from '../cmcd/state.js';
import type { EventRow } from '../rows.js';

/** DDL of the state table (idempotent). `updated_at`: the ingest time of the last batch that moved it. */
export const CMCD_SESSIONS_DDL = `CREATE TABLE IF NOT EXISTS cmcd_sessions (
  session_id VARCHAR NOT NULL PRIMARY KEY, state VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL)`;

/**
 * Maps a batch's CMCD records from the stored states and writes the states they leave, in the
 * caller's open transaction. Returns the rows (one per entry). `updated_at` is the batches' own
 * ingest time, so a replay writes the same state row.
 */
export async function mapCmcdInTransaction(
  con: DuckDBConnection,
  batches: readonly CmcdBatch[],
): Promise<EventRow[]> {
  if (batches.length === 0) return [];
  const ingestedAt = Math.max(...batches.map((b) => b.context.ingested_at));
  const stored = await loadStates(con, cmcdSessionIds(batches));
  const { rows, states } = applyCmcd(batches, (sid) => stored.get(sid));
  await saveStates(con, states, ingestedAt);
  return rows;
}

async function loadStates(
  con: DuckDBConnection,
  sessionIds: readonly string[],
): Promise<Map<string, CmcdSessionState>> {
  const reader = await con.runAndReadAll(
    'SELECT session_id, state FROM cmcd_sessions WHERE session_id IN (SELECT unnest($1::VARCHAR[]))',
    [listValue([...sessionIds])],
  );
  const out = new Map<string, CmcdSessionState>();
  for (const row of reader.getRowObjectsJS()) {
    const state = parseCmcdState(String(row.state));
    if (state) out.set(String(row.session_id), state);
  }
  return out;
}

async function saveStates(
  con: DuckDBConnection,
  states: ReadonlyMap<string, CmcdSessionState>,
  ingestedAt: number,
): Promise<void> {
  if (states.size === 0) return;
  const ids = [...states.keys()];
  const texts = ids.map((id) => serializeCmcdState(states.get(id) as CmcdSessionState));
  await con.run(
    `INSERT INTO cmcd_sessions
     SELECT unnest($1::VARCHAR[]), unnest($2::VARCHAR[]), make_timestamp_ms($3::BIGINT)
     ON CONFLICT (session_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    [listValue(ids), listValue(texts), ingestedAt],
  );
}
