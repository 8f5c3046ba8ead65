/**
 * Checks the fault and overload tests make against a running or stopped local stack: bounded
 * polling, the health body, and the event ids in a DuckDB file read back after the stop.
 */
import { DuckDBInstance } from '@duckdb/node-api';

/** Polls until `check` returns a value (bounded: the pipeline is asynchronous by design). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The parts of GET /api/v1/health the tests read. */
export interface Health {
  status: 'ok' | 'degraded';
  problems: { reason: string; detail: string; since?: string; lastSeen: string }[];
  consumer: {
    lagMs: number;
    shards: { stream: string; shardId: string; checkpoint: string | null }[];
    sink: { failingSince: number | null; lastError: { message: string } | null };
  };
  edge: { shed: number; admitted: number; inFlight: number; limit: number; maxInFlight: number };
}

/** GET /api/v1/health of the stack at `url`. */
export async function health(url: string): Promise<Health> {
  const res = await fetch(`${url}/api/v1/health`);
  if (!res.ok) throw new Error(`/api/v1/health answered ${res.status}`);
  return (await res.json()) as Health;
}

/** Events stored since `since`, through the fixed-contract /api/v1/counts. */
export async function storedCount(url: string, since: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/counts?since=${encodeURIComponent(since)}`);
  if (!res.ok) throw new Error(`/api/v1/counts answered ${res.status}`);
  return Object.values((await res.json()) as Record<string, number>).reduce((a, b) => a + b, 0);
}

/** event_id → number of rows with it, from a stopped stack's DuckDB file. */
export async function storedEventIds(dbFile: string): Promise<Map<string, number>> {
  const instance = await DuckDBInstance.create(dbFile, { access_mode: 'READ_ONLY' });
  try {
    const con = await instance.connect();
    const reader = await con.runAndReadAll(
      'SELECT event_id, CAST(count(*) AS INTEGER) FROM events GROUP BY event_id',
    );
    const [ids, counts] = reader.getColumnsJS() as [string[], number[]];
    con.closeSync();
    return new Map(ids.map((id, i) => [id, counts[i]]));
  } finally {
    instance.closeSync();
  }
}
