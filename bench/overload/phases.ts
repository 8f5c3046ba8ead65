/**
 * The overload benchmark's traffic: open-loop phases of `runLoad` (local/sim/load.ts) at the
 * stack, loopback only, every event id unique. Each phase tallies its answers by status and
 * error reason, keeps the ids of every acknowledged event (204, or `accepted` of a 200) for the
 * read-back, and the latency of admitted and of shed requests.
 */
import { runLoad, type LoadResponse } from '../../local/sim/load.js';
import { acceptedIds } from '../e2e-load/offered-load.js';

/** One phase's offer. */
export interface PhaseOffer {
  name: string;
  eventsPerSecond: number;
  durationSeconds: number;
  batchSize: number;
  /** Client connections (requests in flight at most). */
  concurrency: number;
}

/** What one phase got back. */
export interface PhaseResult {
  name: string;
  requests: number;
  elapsedMs: number;
  /** Answers by `<status>` or `<status> <reason>` for JSON errors; `0 <error>` = no answer. */
  answers: Record<string, number>;
  /** Shed requests (503 overloaded) and those of them that carried Retry-After. */
  shed: number;
  shedWithRetryAfter: number;
  /** 5xx answers other than 503 overloaded. */
  otherServerErrors: number;
  /** Requests that got no answer at all (connection refused or reset). */
  noAnswer: number;
  /** Events acknowledged (their ids are in `ackedIds`). */
  acked: number;
  /** Latency (ms) of admitted answers (2xx) and of shed ones. */
  admittedMs: number[];
  shedMs: number[];
}

/** The JSON error reason of an answer, if it has one. */
function reasonOf(r: LoadResponse): string | undefined {
  if (r.result.status < 300) return undefined;
  try {
    const e = (JSON.parse(r.result.body) as { error?: unknown }).error;
    return typeof e === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}

/** Runs one phase; acknowledged ids are added to `ackedIds`. */
export async function runPhase(
  url: string,
  offer: PhaseOffer,
  ackedIds: Set<string>,
): Promise<PhaseResult> {
  const out: PhaseResult = {
    name: offer.name,
    requests: 0,
    elapsedMs: 0,
    answers: {},
    shed: 0,
    shedWithRetryAfter: 0,
    otherServerErrors: 0,
    noAnswer: 0,
    acked: 0,
    admittedMs: [],
    shedMs: [],
  };
  const summary = await runLoad({
    url,
    eventsPerSecond: offer.eventsPerSecond,
    durationSeconds: offer.durationSeconds,
    batchSize: offer.batchSize,
    concurrency: offer.concurrency,
    seed: 20261129 ^ Date.now(),
    onResponse: (r) => {
      const reason = reasonOf(r);
      const key =
        r.result.status === 0
          ? `0 ${r.result.error ?? 'no answer'}`
          : reason
            ? `${r.result.status} ${reason}`
            : String(r.result.status);
      out.answers[key] = (out.answers[key] ?? 0) + 1;
      const ms = r.answeredAt - r.sentAt;
      if (r.result.status === 0) out.noAnswer += 1;
      else if (r.result.status === 503 && reason === 'overloaded') {
        out.shed += 1;
        if (r.result.retryAfter !== undefined && Number(r.result.retryAfter) > 0)
          out.shedWithRetryAfter += 1;
        out.shedMs.push(ms);
      } else if (r.result.status >= 500) out.otherServerErrors += 1;
      else if (r.result.status < 300) out.admittedMs.push(ms);
      for (const id of acceptedIds(r)) {
        ackedIds.add(id);
        out.acked += 1;
      }
    },
  });
  out.requests = summary.sent;
  out.elapsedMs = summary.elapsedMs;
  return out;
}

/**
 * Sends one small batch at a time until one is acknowledged with 204 (the edge takes load
 * again); resolves with the ms it took, or NaN after `limitMs`.
 */
export async function timeToFirstAccept(
  url: string,
  ackedIds: Set<string>,
  limitMs: number,
): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < limitMs) {
    const phase = await runPhase(
      url,
      { name: 'probe', eventsPerSecond: 20, durationSeconds: 0.05, batchSize: 1, concurrency: 1 },
      ackedIds,
    );
    if (phase.acked > 0) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
  return Number.NaN;
}
