/**
 * The API's view of progress: the stored count (GET /api/v1/counts, the fixed contract: committed
 * and queryable rows) polled at a fixed interval while the load runs and drains: the benchmark
 * waits on it for every accepted event to be queryable, and times the drain with it.
 */

/** One poll: when it was sent (epoch ms) and the count it got. */
export interface CountPoint {
  t: number;
  stored: number;
}

/** A running poller. */
export interface CountPoller {
  /** Polls so far, oldest first; grows while the poller runs. */
  curve: CountPoint[];
  /** Stops after the poll in progress. */
  stop(): Promise<void>;
}

/** Events stored (committed, queryable) with received_at ≥ since, through the fixed-contract API. */
async function storedCount(url: string, since: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/counts?since=${encodeURIComponent(since)}`);
  if (!res.ok) throw new Error(`/api/v1/counts answered ${res.status}`);
  return Object.values((await res.json()) as Record<string, number>).reduce((a, b) => a + b, 0);
}

/**
 * Polls the stored count every `everyMs`; `afterCount` runs after each successful poll (the
 * benchmark samples the stack's RSS there).
 */
export function pollStoredCount(
  url: string,
  since: string,
  everyMs: number,
  afterCount: () => void,
  log: (line: string) => void,
): CountPoller {
  const curve: CountPoint[] = [];
  let polling = true;
  const done = (async () => {
    while (polling) {
      const t0 = Date.now();
      try {
        const stored = await storedCount(url, since);
        curve.push({ t: t0, stored });
        afterCount();
      } catch (err) {
        log(`count poll failed: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (Date.now() - t0))));
    }
  })();
  return {
    curve,
    stop: () => {
      polling = false;
      return done;
    },
  };
}
