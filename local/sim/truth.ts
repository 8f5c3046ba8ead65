/**
 * Ground truth of a simulation: the QoE aggregates of the events the edge acknowledged, per
 * event-time minute, per slice (every rollup dimension) and overall, computed straight from the
 * scripts, independently of the core pipeline's rollup engine. The definitions are those of
 * `QoeAggregate` (docs/METRICS.md): session outcomes at the session's anchor (the minute of its
 * earliest event), time-based sums at each event's minute, counter sums as differences between a
 * session's consecutive cumulative counters.
 *
 * One choice the aggregate leaves open: the bits played between two heartbeats are the
 * difference of (average bitrate so far × played time so far), the exact bits the script played,
 * not the later heartbeat's average times the played delta.
 */
import {
  emptyAggregate,
  mergeInto,
  type QoeAggregate,
  ROLLUP_DIMENSIONS,
  type RollupDimension,
  sketchBucket,
} from '../../core-pipeline/rollups/aggregate.js';
import type { PlannedSession } from './plan.js';

const MINUTE = 60_000;

/** Aggregates per minute, and the exact startup times of the whole, for one slice or overall. */
export interface SliceTruth {
  minutes: Map<number, QoeAggregate>;
  /** Every startup_ms counted, for exact percentiles. */
  startups: number[];
}

/** Collects the truth of sessions as they settle. */
export class TruthRecorder {
  readonly overall: SliceTruth = { minutes: new Map(), startups: [] };
  /** `dimension` → value → truth. */
  readonly slices = new Map<RollupDimension, Map<string, SliceTruth>>(
    ROLLUP_DIMENSIONS.map((d) => [d, new Map()]),
  );
  sessions = 0;
  eventsAcknowledged = 0;

  /**
   * Adds a session's acknowledged events (`acked`: indexes into its script; event `i` happened at
   * `startAt + events[i].at`). Call once per session, after its last batch settled.
   */
  addSession(session: PlannedSession, acked: Iterable<number>): void {
    const parts = sessionAggregates(session, acked);
    if (parts.size === 0) return;
    this.sessions += 1;
    const startups: number[] = [];
    for (const agg of parts.values()) {
      this.eventsAcknowledged += agg.events;
      if (agg.startups > 0) startups.push(agg.startupMsSum);
    }
    const targets = [this.overall];
    for (const d of ROLLUP_DIMENSIONS) {
      const byValue = this.slices.get(d) as Map<string, SliceTruth>;
      const value = session.slice[d];
      const t = byValue.get(value) ?? { minutes: new Map(), startups: [] };
      byValue.set(value, t);
      targets.push(t);
    }
    for (const t of targets) {
      for (const [minute, agg] of parts) {
        const into = t.minutes.get(minute);
        if (into) mergeInto(into, agg);
        else t.minutes.set(minute, mergeInto(emptyAggregate(), agg));
      }
      t.startups.push(...startups);
    }
  }
}

const COUNTER_TYPES = new Set(['heartbeat', 'session_end']);
const PLAY_TYPES = new Set(['requested', 'started', 'first_frame']);

/** One session's contribution, by event-time minute (start of the minute, ms since epoch). */
export function sessionAggregates(
  session: PlannedSession,
  ackedIndexes: Iterable<number>,
): Map<number, QoeAggregate> {
  const events = session.script.events;
  const acked = [...new Set(ackedIndexes)].sort((x, y) => x - y);
  const out = new Map<number, QoeAggregate>();
  if (acked.length === 0) return out;
  const timeOf = (i: number) => session.startAt + events[i].at;
  const at = (time: number): QoeAggregate => {
    const minute = Math.floor(time / MINUTE) * MINUTE;
    const agg = out.get(minute) ?? emptyAggregate();
    out.set(minute, agg);
    return agg;
  };
  const anchor = at(Math.min(...acked.map(timeOf)));
  anchor.sessions += 1;

  let firstFrame: number | undefined;
  let firstFatal: number | undefined;
  let ended = false;
  let isPlay = false;
  let prev = { played: 0, stall: 0, count: 0 };
  let prevBits = 0;
  let prevBitsPlayed = 0;
  for (const i of acked) {
    const e = events[i];
    const f = (e.fields ?? {}) as Record<string, unknown>;
    const agg = at(timeOf(i));
    agg.events += 1;
    if (PLAY_TYPES.has(e.type)) isPlay = true;
    if (e.type === 'first_frame' && firstFrame === undefined) {
      firstFrame = i;
      const ms = f.startup_ms as number;
      anchor.startups += 1;
      anchor.startupMsSum += ms;
      const b = sketchBucket(ms);
      anchor.startupSketch.set(b, (anchor.startupSketch.get(b) ?? 0) + 1);
    } else if (e.type === 'error') {
      if (f.fatal === true) firstFatal ??= i;
      else agg.nonFatalErrors += 1;
    } else if (e.type === 'session_end') ended = true;
    else if (e.type === 'bitrate_changed') agg.switches += 1;
    else if (e.type === 'seeked' && typeof f.seek_ms === 'number') {
      agg.seeks += 1;
      agg.seekMsSum += f.seek_ms;
      agg.seekMsSq += f.seek_ms ** 2;
    }
    if (COUNTER_TYPES.has(e.type)) {
      const now = {
        played: f.played_ms as number,
        stall: f.stall_ms as number,
        count: f.stall_count as number,
      };
      const dp = now.played - prev.played;
      const ds = now.stall - prev.stall;
      agg.playedMs += dp;
      agg.stallMs += ds;
      agg.stallCount += now.count - prev.count;
      if (dp > 0 || ds > 0) {
        agg.observations += 1;
        agg.stallSq += ds * ds;
        agg.watchSq += (dp + ds) ** 2;
        agg.stallWatch += ds * (dp + ds);
      }
      if (typeof f.bitrate === 'number') {
        const bits = f.bitrate * now.played;
        const w = bits - prevBits;
        const p = now.played - prevBitsPlayed;
        if (p > 0) {
          agg.bitrateWeighted += w;
          agg.bitratePlayedMs += p;
          agg.bitrateWeightedSq += w * w;
          agg.bitratePlayedSq += p * p;
          agg.bitrateCross += w * p;
        }
        prevBits = bits;
        prevBitsPlayed = now.played;
      }
      prev = now;
    }
  }
  if (isPlay) {
    anchor.plays += 1;
    if (firstFatal !== undefined) {
      if (firstFrame === undefined || firstFatal < firstFrame) anchor.startFailures += 1;
      else anchor.playbackFailures += 1;
    } else if (ended && firstFrame === undefined) anchor.exitsBeforeStart += 1;
  }
  return out;
}
