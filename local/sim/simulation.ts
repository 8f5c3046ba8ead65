/**
 * `beacons simulate`: an audience of `viewers` seats, each playing scripted sessions back to back
 * (plan.ts), against the local stack over loopback. Every event is sent when its scripted time
 * comes, batched as the SDK batches (flushed every 2 s, at once after first frame, errors, ended
 * and session end), stamped with the time it happened. Faults (faults.ts) degrade chosen slices.
 * Like the SDK, a viewer resends a batch the edge could not take (network failure, 429, 5xx) with
 * backoff and Retry-After (resend.ts), within bounds so the simulation ends. The ground truth of
 * what the edge acknowledged is collected on request (truth.ts).
 * The benchmark's fixed-rate load generator is its sibling, load.ts, and never resends.
 */
import type { BeaconEvent } from '../../schemas/index.js';
import { audienceFor, type Audience } from './audience.js';
import { makeBatch, spoilOneEvent } from './batch.js';
import type { Fault } from './faults.js';
import { createPoster, loopbackUrl, type PostResult } from './http.js';
import { createSeat, type PlannedSession, type Seat, staggerFor } from './plan.js';
import { createRng } from './random.js';
import { postWithRetry, type ResendPolicy } from './resend.js';
import { stampEvent, URGENT_TYPES } from './session.js';
import { TruthRecorder } from './truth.js';

/** Options of {@link runSimulation}. */
export interface SimulationOptions {
  /** Base URL of the local stack (loopback only). */
  url: string;
  /** Viewers watching at once. */
  viewers: number;
  /** How long viewers keep starting and playing; Infinity runs until `signal` aborts. */
  durationSeconds: number;
  faults?: readonly Fault[];
  /** The audience; the default plus the slices `faults` name when absent. */
  audience?: Audience;
  /** Share of batches with one invalid event (they show up as bad rows). Default 0. */
  invalidRatio?: number;
  /** Makes sessions and faults reproducible. Default: a random seed. */
  seed?: number;
  /** Collect the ground truth (returned as `truth`). */
  truth?: boolean;
  /** Ingest path. Default /v1/events. */
  path?: string;
  /** Bounds of the resends; the simulator's defaults (SIM_RESEND) when absent. */
  resend?: Readonly<ResendPolicy>;
  /** Called about once a second. */
  onProgress?: (s: SimulationSummary) => void;
  signal?: AbortSignal;
}

/** Totals of a simulation. */
export interface SimulationSummary {
  elapsedMs: number;
  seed: number;
  startedAt: number;
  sessions: number;
  /** Batches sent (each once, however many times it was resent). */
  requests: number;
  events: number;
  /** Events the edge acknowledged (204, or not listed as rejected in a 200). */
  eventsAccepted: number;
  /** Resends: attempts after a batch's first, after a network failure, 429 or 5xx. */
  retries: number;
  /** Batches still failing (network, 429, 5xx) when their retries ran out, and their events. */
  batchesFailed: number;
  eventsFailed: number;
  /** Batches refused with a status that is never retried (a 4xx such as 400 or 413), and their events. */
  batchesRefused: number;
  eventsRefused: number;
  /**
   * Sessions that stopped sending on a 410 (their schema or SDK version retired by the rollout
   * switch, or left out of a canary), as the SDK stops; their later events are never sent.
   */
  sessionsStopped: number;
  /** Responses by HTTP status, every attempt (0 = no response). */
  statuses: Record<string, number>;
  /** The ground truth, when `truth` was asked for. */
  truth?: TruthRecorder;
}

/** Oldest buffered event waits at most this long (the SDK waits 10 s; shorter keeps the dashboard lively). */
const FLUSH_AFTER_MS = 2_000;
const MAX_BATCH = 20;
const TICK_MS = 50;

/** A session being played, and what became of its events. */
interface Playing {
  session: PlannedSession;
  /** Next event index to send. */
  cursor: number;
  outbox: BeaconEvent[];
  outboxSince: number;
  acked: Set<number>;
  inFlight: number;
  done: boolean;
  /** A 410 came back: the session sends nothing more. */
  stopped: boolean;
}

/**
 * Runs the audience until `durationSeconds` pass (or `signal` aborts), then flushes what the
 * viewers still hold and waits for the answers. Events scripted after the end are not sent.
 * @throws UsageError when `url` is not loopback.
 */
export async function runSimulation(opts: SimulationOptions): Promise<SimulationSummary> {
  const base = loopbackUrl(opts.url);
  const seed = opts.seed ?? (Date.now() ^ (process.pid << 16)) >>> 0;
  const faults = opts.faults ?? [];
  const audience = opts.audience ?? audienceFor(faults);
  const spoilRng = createRng(seed ^ 0x5bd1e995);
  const poster = createPoster(base, 32);
  const path = opts.path ?? '/v1/events';
  const startedAt = Date.now();
  const durationMs = opts.durationSeconds * 1000;
  const end = startedAt + durationMs;
  const truth = opts.truth ? new TruthRecorder() : undefined;
  const summary: SimulationSummary = {
    elapsedMs: 0,
    seed,
    startedAt,
    sessions: 0,
    requests: 0,
    events: 0,
    eventsAccepted: 0,
    retries: 0,
    batchesFailed: 0,
    eventsFailed: 0,
    batchesRefused: 0,
    sessionsStopped: 0,
    eventsRefused: 0,
    statuses: {},
    truth,
  };
  const stagger = Number.isFinite(durationMs) ? staggerFor(durationMs) : 10_000;
  const seats: { seat: Seat; upcoming: PlannedSession; playing?: Playing }[] = [];
  for (let index = 0; index < Math.max(1, opts.viewers); index++) {
    const seat = createSeat({
      audience,
      faults,
      seed,
      index,
      startMs: startedAt,
      staggerMs: stagger,
    });
    seats.push({ seat, upcoming: seat.next() });
  }
  const pending = new Set<Promise<void>>();

  const settle = (p: Playing) => {
    if (p.done && p.inFlight === 0) truth?.addSession(p.session, p.acked);
  };

  const flush = (p: Playing) => {
    if (p.stopped) p.outbox = [];
    if (p.outbox.length === 0) return;
    const events = p.outbox;
    p.outbox = [];
    let batch = makeBatch(p.session.script, events, Date.now());
    if (opts.invalidRatio && spoilRng.chance(opts.invalidRatio))
      batch = spoilOneEvent(batch, spoilRng.int(0, batch.events.length - 1));
    summary.requests += 1;
    summary.events += events.length;
    p.inFlight += 1;
    // Serialised once: every resend carries the same bytes, hence the same event ids.
    const sent = postWithRetry(poster, path, JSON.stringify(batch), p.session.headers, {
      policy: opts.resend,
      signal: opts.signal,
      onAttempt: (result) => {
        summary.statuses[result.status] = (summary.statuses[result.status] ?? 0) + 1;
      },
    }).then(({ outcome, result, retries }) => {
      summary.retries += retries;
      if (outcome === 'acknowledged') {
        const taken = acceptedPositions(result, events.length);
        summary.eventsAccepted += taken.length;
        for (const i of taken) p.acked.add(events[i].seq);
      } else if (outcome === 'refused') {
        summary.batchesRefused += 1;
        summary.eventsRefused += events.length;
        if (result.status === 410 && !p.stopped) {
          p.stopped = true;
          summary.sessionsStopped += 1;
        }
      } else {
        summary.batchesFailed += 1;
        summary.eventsFailed += events.length;
      }
      p.inFlight -= 1;
      settle(p);
    });
    pending.add(sent);
    void sent.finally(() => pending.delete(sent));
  };

  const finish = (p: Playing) => {
    flush(p);
    p.done = true;
    settle(p);
  };

  let lastProgress = performance.now();
  try {
    for (;;) {
      const now = Date.now();
      const until = Math.min(now, end);
      const over = now >= end || opts.signal?.aborted === true;
      for (const s of seats) {
        if (!s.playing && !over && s.upcoming.startAt <= now) {
          summary.sessions += 1;
          s.playing = {
            session: s.upcoming,
            cursor: 0,
            outbox: [],
            outboxSince: now,
            acked: new Set(),
            inFlight: 0,
            done: false,
            stopped: false,
          };
          s.upcoming = s.seat.next();
        }
        const p = s.playing;
        if (!p) continue;
        const events = p.session.script.events;
        while (p.cursor < events.length && p.session.startAt + events[p.cursor].at <= until) {
          const e = stampEvent(p.session.script, p.cursor, p.session.startAt + events[p.cursor].at);
          if (p.outbox.length === 0) p.outboxSince = now;
          p.outbox.push(e);
          p.cursor += 1;
          if (p.outbox.length >= MAX_BATCH || URGENT_TYPES.has(e.type)) flush(p);
        }
        if (p.cursor >= events.length || over) {
          finish(p);
          s.playing = undefined;
        } else if (p.outbox.length > 0 && now - p.outboxSince >= FLUSH_AFTER_MS) flush(p);
      }
      if (opts.onProgress && performance.now() - lastProgress >= 1000) {
        lastProgress = performance.now();
        opts.onProgress({ ...summary, elapsedMs: now - startedAt });
      }
      if (over) break;
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    await Promise.all(pending);
  } finally {
    poster.close();
  }
  return { ...summary, elapsedMs: Date.now() - startedAt };
}

/**
 * Positions in the batch of the events a 2xx took: all on 204; on 200 all but those listed in
 * `rejected`; none when a 200's body cannot be read (nothing is claimed that was not confirmed).
 */
function acceptedPositions(result: PostResult, sent: number): number[] {
  const all = Array.from({ length: sent }, (_, i) => i);
  if (result.status === 204) return all;
  if (result.status !== 200) return [];
  try {
    const body = JSON.parse(result.body) as {
      accepted?: unknown;
      rejected?: { index?: unknown }[];
    };
    if (!Array.isArray(body.rejected))
      return typeof body.accepted === 'number' && body.accepted === sent ? all : [];
    const refused = new Set(body.rejected.map((r) => r.index));
    return all.filter((i) => !refused.has(i));
  } catch {
    return [];
  }
}
