/**
 * Freshness as a dashboard user sees it: one request of the load per `everyMs` of its schedule
 * carries a content id of its own (the load's own traffic, on the load's own connections, so it
 * waits for a free one like any other request), and is then looked for through the API,
 * `GET /api/v1/qoe?range=15m&content_id=<id>`, until its session is counted.
 *
 * One poller, one query at a time: every `pollMs` it asks for the oldest request not yet seen,
 * and while the answer says "there", for the next one, so a slow stack gets a few API reads per
 * second, not one per outstanding request. Rows arrive in about the order sent; a request that
 * became queryable before an older one is timed when the older one is, later than it was, and
 * one never seen holds up those after it (all count as missing; the loss row tells them apart).
 *
 * Freshness of a sampled request = the time the first answer that counted it arrived − the time
 * the request was due by the fixed rate (its scheduled send time, not when a connection was free):
 * an upper bound, by at most `pollMs` plus one query in order.
 */
import type { LoadResponse } from '../../local/sim/load.js';
import type { BeaconBatch } from '../../schemas/index.js';

/** One sampled request; times are `performance.now()` values. */
export interface Probe {
  contentId: string;
  scheduledAt: number;
  /** Set when the edge accepted at least one of its events. */
  accepted: boolean;
  /** When the first answer counting its session arrived. */
  queryableAt?: number;
}

/** The sampler: hooks for the load, and the wait for the polls. */
export interface Freshness {
  probes: Probe[];
  prepare(batch: BeaconBatch, request: number, scheduledAt: number): BeaconBatch;
  onResponse(r: LoadResponse): void;
  /** Waits until every accepted probe was found or `deadline` (performance.now()) passed. */
  finish(deadline: number): Promise<void>;
}

/** What the freshness rows report. */
export interface FreshnessResult {
  /** Scheduled send → queryable through the API, ms, of each probe that was found. */
  latency: number[];
  /** Accepted probes never found through the API before the deadline. */
  missing: number;
  sampled: number;
}

/** Sessions the API counts for a content id (0 on any non-2xx answer: looked for again later). */
async function sessionsOf(url: string, contentId: string): Promise<number> {
  const res = await fetch(
    `${url}/api/v1/qoe?range=15m&content_id=${encodeURIComponent(contentId)}`,
  );
  if (!res.ok) return 0;
  return ((await res.json()) as { sessions?: number }).sessions ?? 0;
}

/** Samples one request per `everyMs` of schedule and polls the API at `url` for them. */
export function sampleFreshness(
  url: string,
  opts: { everyMs: number; pollMs: number; runId: string },
): Freshness {
  const probes: Probe[] = [];
  const byContent = new Map<string, Probe>();
  /** Accepted probes not yet seen through the API, in the order their responses came. */
  const outstanding: Probe[] = [];
  let nextSlot = Number.NEGATIVE_INFINITY;
  let deadline = Number.POSITIVE_INFINITY;
  let finishing = false;

  const poller = (async () => {
    while (performance.now() < deadline && !(finishing && outstanding.length === 0)) {
      const t0 = performance.now();
      try {
        while (outstanding.length > 0 && (await sessionsOf(url, outstanding[0].contentId)) >= 1) {
          (outstanding.shift() as Probe).queryableAt = performance.now();
        }
      } catch {
        // the stack is busy or restarting its listener: ask again next round
      }
      await new Promise((r) => setTimeout(r, Math.max(0, opts.pollMs - (performance.now() - t0))));
    }
  })();

  return {
    probes,
    prepare(batch, _request, scheduledAt) {
      if (scheduledAt < nextSlot) return batch;
      nextSlot = scheduledAt + opts.everyMs;
      const probe: Probe = {
        contentId: `fresh-${opts.runId}-${probes.length}`,
        scheduledAt,
        accepted: false,
      };
      probes.push(probe);
      byContent.set(probe.contentId, probe);
      return { ...batch, content_id: probe.contentId };
    },
    onResponse(r) {
      const probe = byContent.get(r.batch.content_id);
      if (!probe || r.accepted === 0) return;
      probe.accepted = true;
      probe.scheduledAt = Math.min(probe.scheduledAt, r.sentAt);
      outstanding.push(probe);
    },
    async finish(until) {
      deadline = until;
      finishing = true;
      await poller;
    },
  };
}

/** The freshness figures of a finished sampler. */
export function freshnessResult(probes: readonly Probe[]): FreshnessResult {
  const accepted = probes.filter((p) => p.accepted);
  const found = accepted.filter((p) => p.queryableAt !== undefined);
  return {
    latency: found.map((p) => (p.queryableAt as number) - p.scheduledAt),
    missing: accepted.length - found.length,
    sampled: accepted.length,
  };
}
