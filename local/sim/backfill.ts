/**
 * `beacons simulate --backfill N`: N historical events of simulated sessions spread over a past
 * window, written straight through the core pipeline into a store, not over HTTP. Each batch
 * becomes the record the edge would build (edge/ingest/enrich.ts `buildRecord`, with the POP,
 * serving region and nearest stream the local edge would choose), then rows (core-pipeline
 * `recordToRows`), then `writeBatch` in groups, as the consumer writes them.
 *
 * Clocks are taken as synchronised and the network as instant (sent = received), so every row's
 * event time is exactly its scripted time and the ground truth's minutes are exact.
 */
import { randomUUID } from 'node:crypto';
import type { EventRow } from '../../core-pipeline/rows.js';
import type { EventSink } from '../../core-pipeline/sinks/sink.js';
import { recordToRows } from '../../core-pipeline/transform.js';
import { DEFAULT_REGIONS, type StreamTarget } from '../../edge/config.js';
import { buildRecord } from '../../edge/ingest/enrich.js';
import { nearestStreams } from '../../edge/routing/nearest.js';
import type { BeaconEvent } from '../../schemas/index.js';
import { audienceFor } from './audience.js';
import { makeBatch } from './batch.js';
import type { Fault } from './faults.js';
import { createSeat, type PlannedSession } from './plan.js';
import { stampEvent, URGENT_TYPES } from './session.js';
import type { TruthRecorder } from './truth.js';

/** Options of {@link backfill}. */
export interface BackfillOptions {
  sink: Pick<EventSink, 'writeBatch'>;
  /** Events to write. */
  events: number;
  /** The window ends now and starts this long before. */
  sinceMs: number;
  /** "Now" (ms since epoch). Default Date.now(). */
  nowMs?: number;
  seed: number;
  faults?: readonly Fault[];
  truth?: TruthRecorder;
  /** Rows per writeBatch (one transaction each). Default 20,000. */
  rowsPerWrite?: number;
  /** Called after each write. */
  onProgress?: (written: number) => void;
}

/** What a backfill did. */
export interface BackfillSummary {
  events: number;
  sessions: number;
  /** Events `recordToRows` could not turn into rows (none for the simulator's sessions). */
  invalidEvents: number;
  elapsedMs: number;
}

const FLUSH_AFTER_MS = 2_000;
const MAX_BATCH = 20;
const STREAMS: StreamTarget[] = DEFAULT_REGIONS.map((region) => ({ region, streamName: 'local' }));

/**
 * Seats are added one after the other, each playing sessions back to back over the window,
 * until `events` are written (the last session is cut there).
 */
export async function backfill(opts: BackfillOptions): Promise<BackfillSummary> {
  const started = performance.now();
  const now = opts.nowMs ?? Date.now();
  const startMs = now - opts.sinceMs;
  const faults = opts.faults ?? [];
  const audience = audienceFor(faults);
  const rowsPerWrite = opts.rowsPerWrite ?? 20_000;
  let rows: EventRow[] = [];
  let written = 0;
  let queued = 0;
  let sessions = 0;
  let invalid = 0;
  const write = async () => {
    if (rows.length === 0) return;
    const events = rows;
    rows = [];
    await opts.sink.writeBatch({ events, badRows: [], checkpoints: [] });
    written += events.length;
    opts.onProgress?.(written);
  };
  const stagger = Math.min(opts.sinceMs / 3, 300_000);
  for (let index = 0; queued < opts.events; index++) {
    const seat = createSeat({
      audience,
      faults,
      seed: opts.seed,
      index,
      startMs,
      staggerMs: stagger,
    });
    for (let s = seat.next(); s.startAt < now && queued < opts.events; s = seat.next()) {
      const due = s.script.events.filter((e) => s.startAt + e.at <= now).length;
      const take = Math.min(due, opts.events - queued);
      if (take === 0) continue;
      sessions += 1;
      for (const batch of sdkBatches(s, take)) {
        const { events, invalidEvents } = recordToRows(recordFor(s, batch), batch.sentAt + 1_000);
        invalid += invalidEvents.length;
        rows.push(...events);
      }
      queued += take;
      opts.truth?.addSession(
        s,
        Array.from({ length: take }, (_, i) => i),
      );
      if (rows.length >= rowsPerWrite) await write();
    }
  }
  await write();
  return {
    events: written,
    sessions,
    invalidEvents: invalid,
    elapsedMs: performance.now() - started,
  };
}

/** The first `count` events of a session, grouped as the SDK flushes them, with the send time. */
function sdkBatches(s: PlannedSession, count: number): { events: BeaconEvent[]; sentAt: number }[] {
  const out: { events: BeaconEvent[]; sentAt: number }[] = [];
  let events: BeaconEvent[] = [];
  let since = 0;
  for (let i = 0; i < count; i++) {
    const ts = s.startAt + s.script.events[i].at;
    // The timer fires before this event when the oldest buffered one waited long enough.
    if (events.length > 0 && ts - since >= FLUSH_AFTER_MS) {
      out.push({ events, sentAt: since + FLUSH_AFTER_MS });
      events = [];
    }
    if (events.length === 0) since = ts;
    const e = stampEvent(s.script, i, ts);
    events.push(e);
    if (events.length >= MAX_BATCH || URGENT_TYPES.has(e.type)) {
      out.push({ events, sentAt: ts });
      events = [];
    }
  }
  if (events.length > 0) out.push({ events, sentAt: events[events.length - 1].ts });
  return out;
}

/** The record the local edge would write for this batch (received at its send time). */
function recordFor(s: PlannedSession, batch: { events: BeaconEvent[]; sentAt: number }) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.headers)) headers[k.toLowerCase()] = v;
  const servingRegion = s.slice.serving_region;
  // The events as the batch carries them: named as its declared schema version names them.
  const wire = makeBatch(s.script, batch.events, batch.sentAt);
  return buildRecord(
    wire,
    wire.events.map((event, index) => ({ index, event })),
    {
      headers,
      requestId: randomUUID(),
      servingRegion,
      streamRegion: nearestStreams(servingRegion, STREAMS)[0].region,
      stamp: { pop: s.slice.pop, region: servingRegion, t: batch.sentAt },
    },
  );
}
