/**
 * After the stack stopped: its DuckDB file read back and matched against what the edge accepted.
 *
 * - Loss = events the edge accepted (204, or `accepted` of a 200) − distinct accepted ids found in
 *   the file.
 * - Latency per request = `ingested_at` of its events − the time the POST was sent. The core
 *   pipeline stamps `ingested_at` when it decodes the Kinesis batch, just before the group commit
 *   that makes the rows queryable, so this is a slight lower bound of POST → queryable.
 * - The API view bounds it from above: each request's lag to the first count poll whose count
 *   covers every event accepted up to it.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import type { CountPoint } from './count-poller.js';
import type { Sent } from './offered-load.js';

/** What the read-back found. */
export interface ReadBack {
  /** Accepted events found in the store. */
  found: number;
  /** POST → ingested_at (ms) of each request whose events were all found. */
  latency: number[];
  /** POST → counted by the API (ms), an upper bound per request. */
  apiLag: number[];
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

/** Matches every accepted request against the stored events and the count curve. */
export function matchStored(
  sent: readonly Sent[],
  store: ReadonlyMap<string, number>,
  curve: readonly CountPoint[],
): ReadBack {
  let found = 0;
  const latency: number[] = [];
  const apiLag: number[] = [];
  let cumulative = 0;
  let c = 0;
  for (const s of [...sent].sort((a, b) => a.sentEpoch - b.sentEpoch)) {
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
    if (all) latency.push(ingested - s.sentEpoch);
    // API view: the first poll whose committed count covers every event accepted up to this one
    // (an upper bound for this request: other shards' events may be counted before it).
    cumulative += s.ids.length;
    while (c < curve.length && curve[c].stored < cumulative) c += 1;
    if (c < curve.length) apiLag.push(curve[c].t - s.sentEpoch);
  }
  return { found, latency, apiLag };
}
