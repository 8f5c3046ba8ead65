/**
 * The load offered to the stack: `runLoad` (local/sim/load.ts) in this process, open loop,
 * keep-alive connections, every event id unique. It shares the machine's cores with the stack,
 * as a real local run would. Each response is kept with the ids of the events the edge accepted,
 * for the read-back to look for, and with the time the request was due, which every latency is
 * measured from.
 */
import type { BeaconBatch } from '../../schemas/index.js';
import { runLoad, type LoadResponse, type LoadSummary } from '../../local/sim/load.js';

/** A request the edge accepted events of; times are epoch ms. */
export interface Sent {
  /** When the fixed rate had it due (or when it left, if that was earlier). */
  scheduledEpoch: number;
  sentEpoch: number;
  answeredEpoch: number;
  ids: string[];
}

/** What {@link sendLoad} offers. */
export interface OfferedLoad {
  eventsPerSecond: number;
  durationSeconds: number;
  batchSize: number;
  concurrency: number;
}

/** The outcome of a load run. */
export interface LoadRun {
  load: LoadSummary;
  /** Requests with at least one accepted event. */
  sent: Sent[];
  /** Responses by HTTP status (0 = no response). */
  statuses: Record<string, number>;
}

/** Accepted event ids of one response: all on 204, all but the listed rejections on 200. */
export function acceptedIds(r: LoadResponse): string[] {
  const ids = r.batch.events.map((e) => e.id);
  if (r.result.status === 204) return ids;
  if (r.result.status !== 200) return [];
  const rejected = new Set(
    ((JSON.parse(r.result.body) as { rejected?: { index: number }[] }).rejected ?? []).map(
      (x) => x.index,
    ),
  );
  return ids.filter((_, i) => !rejected.has(i));
}

/** Hooks of the load for a caller that follows some requests (freshness.ts). */
export interface LoadHooks {
  prepare?: (batch: BeaconBatch, request: number, scheduledAt: number) => BeaconBatch;
  onResponse?: (r: LoadResponse) => void;
}

/** Sends the load to the stack at `url` and collects every accepted request. */
export async function sendLoad(
  url: string,
  offer: OfferedLoad,
  hooks: LoadHooks = {},
): Promise<LoadRun> {
  const origin = performance.timeOrigin;
  const sent: Sent[] = [];
  const statuses: Record<string, number> = {};
  const load = await runLoad({
    url,
    eventsPerSecond: offer.eventsPerSecond,
    durationSeconds: offer.durationSeconds,
    batchSize: offer.batchSize,
    concurrency: offer.concurrency,
    seed: 20260101 ^ Date.now(),
    prepare: hooks.prepare,
    onResponse: (r) => {
      // A 503 that sheds load is told apart from a failure: past capacity, shedding is the answer.
      const key =
        r.result.status === 503 && r.result.body.includes('"overloaded"')
          ? '503 overloaded'
          : String(r.result.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
      const ids = acceptedIds(r);
      if (ids.length > 0)
        sent.push({
          scheduledEpoch: origin + Math.min(r.scheduledAt, r.sentAt),
          sentEpoch: origin + r.sentAt,
          answeredEpoch: origin + r.answeredAt,
          ids,
        });
      hooks.onResponse?.(r);
    },
  });
  return { load, sent, statuses };
}
