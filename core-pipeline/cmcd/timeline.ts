/**
 * The play-state timeline of one CMCD session: state changes and the time accounted to them.
 * Mutates the state it is given (the mapper hands it its own copy). Pure otherwise.
 *
 * Durations are differences of one client's `ts`, so the clock skew cancels. A `ts` earlier than
 * the last one accounted (a client clock stepped back) adds nothing and does not move the clock.
 */
import type { CmcdSessionState } from './state.js';

/** The play states of CTA-5004-B (`sta`); anything else is kept in attrs but moves nothing. */
const PLAY_STATES: ReadonlySet<string> = new Set([
  's',
  'p',
  'k',
  'r',
  'a',
  'w',
  'e',
  'f',
  'q',
  'd',
]);

/** Whether `v` is a CMCD play-state token. */
export function isPlayState(v: unknown): v is string {
  return typeof v === 'string' && PLAY_STATES.has(v);
}

/**
 * Accounts the time from the state's clock to `ts` to the current state: time in `p` is played
 * (and weighted by the known bitrate), time in `r` after the first frame is stalled. Rebuffering
 * before the first frame is startup, and rebuffering during a seek is seek time, not stalls
 * (CTA-2066).
 */
export function advance(s: CmcdSessionState, ts: number): void {
  if (s.clock !== null && s.sta !== null && ts > s.clock) {
    const d = ts - s.clock;
    if (s.sta === 'p') {
      s.playedMs += d;
      if (s.bitrate !== null) {
        s.bitsMs += s.bitrate * d;
        s.bitratePlayedMs += d;
      }
    } else if (s.sta === 'r' && s.firstFrame && s.seekFrom === null) {
      s.stallMs += d;
    }
  }
  if (s.clock === null || ts > s.clock) s.clock = ts;
}

/** What a state change left behind: the state before it and when that state was entered. */
export interface Transition {
  prev: string | null;
  prevSince: number | null;
  /** Whether the session had rendered a first frame before this change. */
  hadFirstFrame: boolean;
  /** ts of the `k` line when this change comes during a seek (see CmcdSessionState.seekFrom). */
  seekFrom: number | null;
}

/**
 * Moves the session to play state `sta` at `ts` (after accounting the time up to it). The same
 * state again changes nothing but the clock. Entering `r` after the first frame counts a stall,
 * unless it is the wait of a seek.
 */
export function enter(s: CmcdSessionState, sta: string, ts: number): Transition {
  advance(s, ts);
  const t: Transition = {
    prev: s.sta,
    prevSince: s.enteredAt,
    hadFirstFrame: s.firstFrame,
    seekFrom: s.seekFrom,
  };
  if (sta === s.sta) return t;
  // A seek lasts from its `k` through the `r`/`w` wait after it to the next `p`.
  if (sta === 'k') s.seekFrom ??= ts;
  else if (sta !== 'r' && sta !== 'w') s.seekFrom = null;
  if (sta === 'r' && s.firstFrame && s.seekFrom === null) s.stallCount += 1;
  if (sta === 's' && s.startedAt === null) s.startedAt = ts;
  if (sta === 'p') s.firstFrame = true;
  s.sta = sta;
  s.enteredAt = ts;
  return t;
}

/** The session's cumulative counters at its clock; null while no play state was ever reported. */
export function counters(
  s: CmcdSessionState,
): { played_ms: number; stall_ms: number; stall_count: number } | null {
  if (s.sta === null) return null;
  return { played_ms: s.playedMs, stall_ms: s.stallMs, stall_count: s.stallCount };
}

/**
 * The session's bitrate as a heartbeat reports it: the time-weighted average over the played time
 * whose bitrate was known (what the SDK's heartbeats carry), else the current bitrate.
 */
export function averageBitrate(s: CmcdSessionState): number | null {
  if (s.bitratePlayedMs > 0) return Math.round(s.bitsMs / s.bitratePlayedMs);
  return s.bitrate;
}
