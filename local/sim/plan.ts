/**
 * The schedule of a simulated audience: `viewers` seats, each playing scripted sessions back to
 * back (a short pause between them, and now and then a new viewer taking the seat: churn). Each
 * seat has its own random stream derived from the seed, so a seat's sessions are the same
 * whatever the timing of the run: `--seed` reproduces sessions and faults exactly.
 *
 * The live runner (simulation.ts) plays the schedule in real time; `planSessions` lays it out
 * in virtual time, for tests and for the backfill.
 */
import type { SliceKey } from '../../core-pipeline/rollups/aggregate.js';
import type { Audience } from './audience.js';
import { SIM_SDK } from './batch.js';
import { effectsFor, type Fault } from './faults.js';
import {
  drawViewer,
  servingRegionOf,
  storedDevice,
  storedPop,
  viewerHeaders,
  type ViewerProfile,
} from './geography.js';
import { createRng, type Rng } from './random.js';
import { scriptSession, type SessionScript } from './session.js';

/** One session of the schedule. */
export interface PlannedSession {
  seat: number;
  /** When the session starts (ms since epoch): event `i` happens at `startAt + events[i].at`. */
  startAt: number;
  profile: ViewerProfile;
  /** Request headers that place the viewer (POP, geo, device). */
  headers: Record<string, string>;
  /** The session's slice, each dimension's value as the store will hold it. */
  slice: SliceKey;
  script: SessionScript;
}

/** Options of {@link createSeat}. */
export interface SeatOptions {
  audience: Audience;
  faults: readonly Fault[];
  seed: number;
  index: number;
  /** The run's start (ms since epoch). */
  startMs: number;
  /** First sessions start spread over this long, so the audience does not arrive at once. */
  staggerMs: number;
}

/** A seat: `next()` gives its sessions in order. */
export interface Seat {
  next(): PlannedSession;
}

/** Chance that a seat's next session is a different viewer's. */
const CHURN = 0.35;

/** A seat's random stream: the seed and the seat's index mixed (splitmix-style constants). */
function seatRng(seed: number, index: number): Rng {
  return createRng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}

/** Creates one seat of the audience. */
export function createSeat(opts: SeatOptions): Seat {
  const rng = seatRng(opts.seed, opts.index);
  const au = opts.audience;
  let viewer: { profile: ViewerProfile; headers: Record<string, string>; id: string } | undefined;
  let nextStart = opts.startMs + Math.floor(rng.next() * opts.staggerMs);
  return {
    next() {
      if (!viewer || rng.chance(CHURN)) {
        const profile = drawViewer(rng, au.places);
        viewer = { profile, headers: viewerHeaders(profile, rng), id: `v-${rng.id(12)}` };
      }
      const content = rng.weighted(au.contents);
      const player = rng.weighted(au.players);
      const sdk = rng.weighted(au.sdkVersions);
      const p = viewer.profile;
      const slice: SliceKey = {
        serving_region: servingRegionOf(p.pop),
        pop: storedPop(p.pop),
        country: p.place.country,
        country_region: p.place.region,
        asn: p.asn,
        device: storedDevice(p.device),
        player_name: player.name,
        sdk_name: SIM_SDK.name,
        sdk_version: sdk.version,
        schema_version: sdk.schemaVersion,
        content_id: content.id,
        // The simulator speaks our beacon schema only.
        source: 'sdk',
        player_version: player.version,
      };
      const effects = effectsFor(opts.faults, {
        pop: slice.pop,
        country: slice.country,
        asn: slice.asn,
        region: slice.serving_region,
        device: slice.device,
        content: slice.content_id,
        player: slice.player_name,
      });
      const script = scriptSession(rng, {
        effects,
        content,
        player,
        viewerId: viewer.id,
        sdkVersion: sdk.version,
        schemaVersion: sdk.schemaVersion,
      });
      const startAt = nextStart;
      // The next session follows after a short browse between titles.
      nextStart = startAt + (script.events.at(-1)?.at ?? 0) + rng.int(2_000, 20_000);
      return { seat: opts.index, startAt, profile: p, headers: viewer.headers, slice, script };
    },
  };
}

/** Options of {@link planSessions}. */
export interface PlanOptions extends Omit<SeatOptions, 'index'> {
  viewers: number;
  durationMs: number;
}

/**
 * Every session that starts within the run, in virtual time. Events after the run's end are
 * not sent by a run; `eventsDue` tells which are.
 */
export function planSessions(opts: PlanOptions): PlannedSession[] {
  const end = opts.startMs + opts.durationMs;
  const out: PlannedSession[] = [];
  for (let index = 0; index < opts.viewers; index++) {
    const seat = createSeat({ ...opts, index });
    for (let s = seat.next(); s.startAt < end; s = seat.next()) out.push(s);
  }
  return out;
}

/** How many of a session's events happen at or before `until` (ms since epoch). */
export function eventsDue(session: PlannedSession, until: number): number {
  const events = session.script.events;
  let n = 0;
  while (n < events.length && session.startAt + events[n].at <= until) n++;
  return n;
}

/** The spread of first session starts for a run of this length: up to 10 s, a third of short runs. */
export function staggerFor(durationMs: number): number {
  return Math.min(10_000, durationMs / 3);
}
