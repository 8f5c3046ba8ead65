/**
 * The body of `GET /api/v1/health`: `ok`, or `degraded` with each problem's reason, since when
 * and what it affects. Two problems are known, each one a promise at risk:
 * - `store_write_failing`: the consumer's writes fail (disk full, a read-only or unwritable
 *   file). The edge still acknowledges (the events wait in the stream), checkpoints stay put, and
 *   the consumer retries with backoff; `lagMs` says how old the oldest unstored record is.
 * - `overloaded`: the edge shed requests (503 `overloaded`) within the last `shedWindowMs`.
 * - `edge_errors`: the edge answered admitted requests with 5xx within the last `shedWindowMs`
 *   (503 `stream_unavailable` while the stream is down, or a failing edge function): those
 *   events were refused, and clients retry them.
 * All clear by themselves once writes succeed again or the load drops.
 *
 * Degraded is still HTTP 200: the stack answers and keeps what it acknowledges; a check that
 * needs to page someone reads `status`.
 */
import type { KinesisConsumer } from '../../core-pipeline/consumer/index.js';
import type { AdmissionStats } from '../cloudfront/admission.js';

type ConsumerStats = ReturnType<KinesisConsumer['stats']>;

/** One reason the stack is degraded. */
export interface HealthProblem {
  reason: 'store_write_failing' | 'overloaded' | 'edge_errors';
  detail: string;
  /** ISO time the problem started (the store's first failed write of the current run). */
  since?: string;
  /** ISO time the problem was last seen (the latest failed write, the latest shed request). */
  lastSeen: string;
}

/** What {@link healthReport} reads. */
export interface HealthInputs {
  consumer: ConsumerStats;
  /** Admission control of the edge; absent when it is off. */
  admission?: AdmissionStats;
  now: number;
  /** Shedding this recent makes the stack degraded. */
  shedWindowMs: number;
}

/** The status part of the health body, plus the consumer's lag. */
export interface HealthReport {
  status: 'ok' | 'degraded';
  problems: HealthProblem[];
  /** Age (ms) of the oldest record read but not stored; 0 when every read record is stored. */
  lagMs: number;
}

/**
 * Decides `ok` or `degraded` from the consumer's and the edge's counters.
 * @example healthReport({ consumer: consumer.stats(), admission: a.stats(), now: Date.now(), shedWindowMs: 10_000 })
 */
export function healthReport(inputs: HealthInputs): HealthReport {
  const { consumer, admission, now } = inputs;
  const problems: HealthProblem[] = [];
  const unstored = consumer.shards
    .map((s) => s.oldestUnstoredAt)
    .filter((t): t is number => t !== null);
  const behind = Math.max(0, ...consumer.shards.map((s) => s.millisBehindLatest ?? 0));
  const lagMs = Math.max(behind, unstored.length > 0 ? now - Math.min(...unstored) : 0);
  const sink = consumer.sink;
  if (sink.failingSince !== null) {
    problems.push({
      reason: 'store_write_failing',
      detail: `the store has refused ${sink.consecutiveFailures} write(s) in a row; events wait in the stream and are stored once writing works again. Last error: ${sink.lastError?.message ?? 'unknown'}`,
      since: new Date(sink.failingSince).toISOString(),
      lastSeen: new Date(sink.lastError?.at ?? sink.failingSince).toISOString(),
    });
  }
  if (admission?.lastShedAt != null && now - admission.lastShedAt <= inputs.shedWindowMs) {
    problems.push({
      reason: 'overloaded',
      detail: `the edge answered 503 overloaded to ${admission.shed} request(s) so far (limit now ${admission.limit} in flight, at most ${admission.maxInFlight}); shed requests were not stored and are retried by clients`,
      lastSeen: new Date(admission.lastShedAt).toISOString(),
    });
  }
  if (
    admission?.lastErrorAt != null &&
    admission.recentErrors > 0 &&
    now - admission.lastErrorAt <= inputs.shedWindowMs
  ) {
    problems.push({
      reason: 'edge_errors',
      detail: `${admission.recentErrors} 5xx answers in the last ${Math.round(admission.errorWindowMs / 1000)} s (${admission.errors} so far); see the edge's log for their reasons (503 stream_unavailable: the stream is unreachable)`,
      lastSeen: new Date(admission.lastErrorAt).toISOString(),
    });
  }
  return { status: problems.length > 0 ? 'degraded' : 'ok', problems, lagMs };
}
