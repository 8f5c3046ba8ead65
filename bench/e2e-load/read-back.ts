/**
 * After the stack stopped: its DuckDB file read back and matched against what the edge accepted.
 *
 * - Loss = events the edge accepted (204, or `accepted` of a 200) − distinct accepted ids found in
 *   the file.
 * - Store latency per request = `ingested_at` of its events − the time the request was due by the
 *   fixed rate (its scheduled send time, so time spent waiting for a free connection counts). The
 *   core pipeline stamps `ingested_at` when it decodes the Kinesis batch, just before the group
 *   commit that makes the rows queryable, so this is a lower bound of scheduled send → queryable;
 *   freshness.ts measures the same through the API.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import type { Sent } from './offered-load.js';

/** What the read-back found. */
export interface ReadBack {
  /** Accepted events found in the store. */
  found: number;
  /** Scheduled send → ingested_at (ms) of each request whose events were all found. */
  latency: number[];
  /** Scheduled send → response (ms) of each accepted request. */
  response: number[];
}

/** event_id → ingested_at (epoch ms) of every stored event, read from the stopped stack's file. */
export async function readStore(dbFile: string): Promise<Map<string, number>> {
  const instance = await DuckDBInstance.create(dbFile, { access_mode: 'READ_ONLY' });
  try {
    const con = await instance.connect();
    const reader = await con.runAndReadAll(
      'SELECT event_id, CAST(epoch_ms(ingested_at) AS DOUBLE) FROM events',
    );
    const [ids, times] = reader.getColumnsJS() as [string[], number[]];
    con.closeSync();
    const out = new Map<string, number>();
    for (let i = 0; i < ids.length; i++) out.set(ids[i], times[i]);
    return out;
  } finally {
    instance.closeSync();
  }
}

/** Matches every accepted request against the stored events. */
export function matchStored(sent: readonly Sent[], store: ReadonlyMap<string, number>): ReadBack {
  let found = 0;
  const latency: number[] = [];
  const response: number[] = [];
  for (const s of sent) {
    response.push(s.answeredEpoch - s.scheduledEpoch);
    let ingested = -Infinity;
    let all = true;
    for (const id of s.ids) {
      const at = store.get(id);
      if (at === undefined) all = false;
      else {
        found += 1;
        ingested = Math.max(ingested, at);
      }
    }
    if (all) latency.push(ingested - s.scheduledEpoch);
  }
  return { found, latency, response };
}
