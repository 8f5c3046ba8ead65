/**
 * A simulated audience turned straight into store rows, in event-time order: sessions scripted by
 * the simulator (local/sim/session.ts) for viewers drawn from its geography start at a steady
 * rate, and `advance(t)` returns the rows of every event up to t, one record per session per call
 * (as a consumer batch holds a few records of each session), plus now and then a bad row.
 */
import { toStoredBadRow } from '../../core-pipeline/bad-rows.js';
import type { EventRow, StoredBadRow } from '../../core-pipeline/rows.js';
import { recordToRows } from '../../core-pipeline/transform.js';
import { defaultAudience } from '../../local/sim/audience.js';
import { makeBatch } from '../../local/sim/batch.js';
import {
  drawViewer,
  servingRegionOf,
  storedPop,
  type ViewerProfile,
} from '../../local/sim/geography.js';
import type { Rng } from '../../local/sim/random.js';
import { scriptSession, stampEvent, type SessionScript } from '../../local/sim/session.js';
import { RECORD_VERSION, type EnrichedRecord } from '../../schemas/record.js';

/** The simulator's SDK releases mid-rollout, so the rollout read has versions to group. */
const SDK_RELEASES = defaultAudience().sdkVersions;
/** Share of sessions behind a troubled network (slow starts, stalls): the simulator's "bad". */
const BAD_SHARE = 0.05;
/** One bad row per this many events (the bad-rows panel has something to list). */
const EVENTS_PER_BAD_ROW = 20_000;
/** Delivery delay from event to receipt (SDK batching and network). */
const DELIVERY_MS = 1_500;

interface Playing {
  script: SessionScript;
  viewer: ViewerProfile;
  startMs: number;
  next: number;
}

/** Rows of one step: events in time order and the bad rows received meanwhile. */
export interface AudienceRows {
  events: EventRow[];
  badRows: StoredBadRow[];
}

const DEVICE: Record<ViewerProfile['device'], EnrichedRecord['edge']['device']> = {
  desktop: 'desktop',
  android: 'mobile',
  ios: 'mobile',
  tablet: 'tablet',
  smarttv: 'smarttv',
};

/** The record the edge would have written for these events of one session. */
function recordOf(p: Playing, from: number, to: number, receivedAt: number): EnrichedRecord {
  const events = [];
  for (let i = from; i < to; i++)
    events.push(stampEvent(p.script, i, p.startMs + p.script.events[i].at));
  const batch = makeBatch(p.script, events, receivedAt);
  const place = p.viewer.place;
  const region = servingRegionOf(p.viewer.pop);
  const device = p.viewer.device;
  return {
    ...batch,
    record_version: RECORD_VERSION,
    received_at: receivedAt,
    skew_ms: 0,
    geo: {
      country: place.country,
      region: place.region,
      city: place.city,
      time_zone: place.timeZone,
      asn: p.viewer.asn,
      lat: Math.round(place.lat * 10) / 10,
      lon: Math.round(place.lon * 10) / 10,
    },
    edge: {
      pop: storedPop(p.viewer.pop),
      edge_region: region,
      serving_region: region,
      stream_region: region,
      request_id: `${p.script.sessionId}-${from}`,
      device: DEVICE[device],
      ...(device === 'android' || device === 'ios' ? { os: device } : {}),
    },
  } as EnrichedRecord;
}

/** Sessions starting at `sessionsPerMinute` from `startMs` on, rows handed out step by step. */
export class Audience {
  private playing: Playing[] = [];
  private startCarry = 0;
  private badCarry = 0;

  constructor(
    private readonly rng: Rng,
    private readonly sessionsPerMinute: number,
    private cursorMs: number,
  ) {}

  /** A session of one of the simulator's SDK releases, in the schema version that release sends. */
  private script(): SessionScript {
    const bad = this.rng.chance(BAD_SHARE);
    const sdk = this.rng.weighted(SDK_RELEASES);
    return scriptSession(this.rng, {
      bad,
      sdkVersion: sdk.version,
      schemaVersion: sdk.schemaVersion,
    });
  }

  /**
   * Every event with event time in [the previous cursor, toMs), sorted by time; with `emit`
   * false the sessions move on without rows (to reach a steady state fast).
   */
  advance(toMs: number, emit = true): AudienceRows {
    const span = toMs - this.cursorMs;
    this.startCarry += (this.sessionsPerMinute * span) / 60_000;
    const starting = Math.floor(this.startCarry);
    this.startCarry -= starting;
    for (let i = 0; i < starting; i++) {
      this.playing.push({
        script: this.script(),
        viewer: drawViewer(this.rng),
        startMs: Math.round(this.cursorMs + this.rng.next() * span),
        next: 0,
      });
    }
    const events: EventRow[] = [];
    const still: Playing[] = [];
    for (const p of this.playing) {
      const evs = p.script.events;
      let end = p.next;
      while (end < evs.length && p.startMs + evs[end].at < toMs) end++;
      if (end > p.next && emit) {
        const last = p.startMs + evs[end - 1].at;
        events.push(...recordToRows(recordOf(p, p.next, end, last + DELIVERY_MS), last).events);
      }
      p.next = end;
      if (p.next < evs.length) still.push(p);
    }
    this.playing = still;
    this.cursorMs = toMs;
    events.sort((a, b) => a.time - b.time);
    this.badCarry += events.length / EVENTS_PER_BAD_ROW;
    const badRows: StoredBadRow[] = [];
    for (; this.badCarry >= 1; this.badCarry -= 1) {
      badRows.push(
        toStoredBadRow(
          {
            received_at: toMs - 1,
            request_id: `bench-bad-${this.rng.id(12)}`,
            status: 400,
            reason: 'invalid_event',
            detail: 'volume: must be <= 1',
            payload: '{"type":"volume_changed","volume":7}',
            payload_encoding: 'json',
          },
          toMs,
        ),
      );
    }
    return { events, badRows };
  }

  /** Sessions playing or about to play right now. */
  get active(): number {
    return this.playing.length;
  }
}

/** Mean events per session of the simulator's scripts (a sample), to size the start rate. */
export function meanEventsPerSession(rng: Rng, sample = 400): number {
  let n = 0;
  for (let i = 0; i < sample; i++)
    n += scriptSession(rng, { bad: rng.chance(BAD_SHARE) }).events.length;
  return n / sample;
}
