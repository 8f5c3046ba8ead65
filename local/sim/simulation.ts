/**
 * `beacons simulate`: many viewers around the world playing video, sending their beacons to the
 * local stack as the SDK would (batches flushed every 2 s, at once after first frame, errors,
 * ended and session end), at a chosen overall event rate, for a bounded time, to loopback only.
 * One POP can be made bad (`badPop`) so the dashboard's regional diagnostics point at it.
 * Like the SDK, a viewer resends a batch the edge could not take (network failure, 429, 5xx) with
 * backoff and Retry-After (resend.ts), within bounds so the simulation ends. The benchmark's
 * fixed-rate load generator is its sibling, load.ts, and never resends: it measures offered load.
 */
import type { BeaconEvent } from '../../schemas/index.js';
import { makeBatch, spoilOneEvent } from './batch.js';
import { acceptedCount, createPoster, loopbackUrl } from './http.js';
import { createViewerPool, type Viewer } from './pool.js';
import { createRng } from './random.js';
import { postWithRetry, type ResendPolicy } from './resend.js';
import { URGENT_TYPES, type SessionScript } from './session.js';

/** Options of {@link runSimulation}. */
export interface SimulationOptions {
  /** Base URL of the local stack (loopback only). */
  url: string;
  /** Viewers watching at once. */
  viewers: number;
  durationSeconds: number;
  /** Overall events per second across all viewers. */
  eventsPerSecond: number;
  /** IATA code (`SIN`) of a POP whose viewers get slow starts and stalls. */
  badPop?: string;
  /** Share of batches with one invalid event (they show up as bad rows). Default 0. */
  invalidRatio?: number;
  seed?: number;
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
  sessions: number;
  /** Batches sent (each once, however many times it was resent). */
  requests: number;
  events: number;
  /** Events the edge acknowledged (204, or counted in a 200's `accepted`). */
  eventsAccepted: number;
  /** Resends: attempts after a batch's first, after a network failure, 429 or 5xx. */
  retries: number;
  /** Batches still failing (network, 429, 5xx) when their retries ran out, and their events. */
  batchesFailed: number;
  eventsFailed: number;
  /** Batches refused with a status that is never retried (a 4xx such as 400 or 413), and their events. */
  batchesRefused: number;
  eventsRefused: number;
  /** Responses by HTTP status, every attempt (0 = no response). */
  statuses: Record<string, number>;
}

/** Oldest buffered event waits at most this long (the SDK waits 10 s; shorter keeps the dashboard lively). */
const FLUSH_AFTER_MS = 2_000;
const MAX_BATCH = 20;
const TICK_MS = 100;

interface Outbox {
  script: SessionScript;
  events: BeaconEvent[];
  since: number;
}

/**
 * Runs the simulation until `durationSeconds` pass (or `signal` aborts), then flushes what the
 * viewers still hold and waits for the answers.
 * @throws UsageError when `url` is not loopback.
 */
export async function runSimulation(opts: SimulationOptions): Promise<SimulationSummary> {
  const base = loopbackUrl(opts.url);
  const rng = createRng(opts.seed);
  const pool = createViewerPool({ rng, size: Math.max(1, opts.viewers), badPop: opts.badPop });
  const poster = createPoster(base, 32);
  const path = opts.path ?? '/v1/events';
  const summary: SimulationSummary = {
    elapsedMs: 0,
    sessions: 0,
    requests: 0,
    events: 0,
    eventsAccepted: 0,
    retries: 0,
    batchesFailed: 0,
    eventsFailed: 0,
    batchesRefused: 0,
    eventsRefused: 0,
    statuses: {},
  };
  const outboxes = new Map<Viewer, Outbox>();
  const pending = new Set<Promise<void>>();

  const flush = (viewer: Viewer) => {
    const box = outboxes.get(viewer);
    outboxes.delete(viewer);
    if (!box || box.events.length === 0) return;
    let batch = makeBatch(box.script, box.events, Date.now());
    if (opts.invalidRatio && rng.chance(opts.invalidRatio))
      batch = spoilOneEvent(batch, rng.int(0, batch.events.length - 1));
    summary.requests += 1;
    summary.events += batch.events.length;
    const sent = batch.events.length;
    // Serialised once: every resend carries the same bytes, hence the same event ids.
    const p = postWithRetry(poster, path, JSON.stringify(batch), viewer.headers, {
      policy: opts.resend,
      signal: opts.signal,
      onAttempt: (result) => {
        summary.statuses[result.status] = (summary.statuses[result.status] ?? 0) + 1;
      },
    }).then(({ outcome, result, retries }) => {
      summary.retries += retries;
      if (outcome === 'acknowledged') summary.eventsAccepted += acceptedCount(result, sent);
      else if (outcome === 'refused') {
        summary.batchesRefused += 1;
        summary.eventsRefused += sent;
      } else {
        summary.batchesFailed += 1;
        summary.eventsFailed += sent;
      }
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const start = performance.now();
  let budget = 0;
  let seat = 0;
  let lastTick = start;
  let lastProgress = start;
  try {
    while (performance.now() - start < opts.durationSeconds * 1000 && !opts.signal?.aborted) {
      const now = performance.now();
      budget += ((now - lastTick) / 1000) * opts.eventsPerSecond;
      lastTick = now;
      for (; budget >= 1; budget -= 1) {
        const viewer = pool.viewers[seat];
        seat = (seat + 1) % pool.viewers.length;
        const { script, events } = pool.take(viewer, 1, Date.now());
        let box = outboxes.get(viewer);
        if (box && box.script !== script) {
          flush(viewer);
          box = undefined;
        }
        if (!box) {
          box = { script, events: [], since: now };
          outboxes.set(viewer, box);
        }
        box.events.push(...events);
        if (box.events.length >= MAX_BATCH || events.some((e) => URGENT_TYPES.has(e.type)))
          flush(viewer);
      }
      for (const [viewer, box] of outboxes) if (now - box.since >= FLUSH_AFTER_MS) flush(viewer);
      if (opts.onProgress && now - lastProgress >= 1000) {
        lastProgress = now;
        opts.onProgress({ ...summary, sessions: pool.sessionsStarted(), elapsedMs: now - start });
      }
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    for (const viewer of [...outboxes.keys()]) flush(viewer);
    await Promise.all(pending);
  } finally {
    poster.close();
  }
  return { ...summary, sessions: pool.sessionsStarted(), elapsedMs: performance.now() - start };
}
