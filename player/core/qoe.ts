/**
 * The quality-of-experience state machine, as CTA-2066 defines the measures:
 * - startup time: play request → first frame with the playhead advancing (`first_frame.startup_ms`);
 *   a session attached mid-playback has no known request, so it reports no startup time rather
 *   than a wrong one (CTA-2066 excludes sessions without a start, it does not count them as zero);
 * - stalls: rebuffering after the first frame, excluding seeks; one lasts until playback resumes
 *   (playing, or the playhead advancing), a pause, a seek or the session end. Stalls shorter than
 *   `minStallMs` are ignored and their time counts as played, so played + stall stays wall time;
 * - played time: wall clock while playing (excluding pauses, stalls and seeks);
 * - time-weighted bitrate: Σ(bitrate × played time) / Σ played time.
 *
 * It knows nothing about players or transport: adapters feed it normalised signals, it calls
 * `emit` with schema event types. Signals are idempotent (hls.js and the video element may both
 * report the same stall).
 */
import type { EventType } from '../../schemas/index.js';
import type { Clock, TimerHandle, Timers } from './clock.js';

/** Where an emitted event happened, when not "now" (a stall reported after its threshold). */
export interface EmitAt {
  mono: number;
  playhead: number;
}

/** What the state machine needs from the tracker. */
interface QoeDeps {
  clock: Clock;
  timers: Timers;
  minStallMs: number;
  /** Creates an event of the current session. */
  emit(type: EventType, fields?: Record<string, unknown>, at?: EmitAt): void;
}

/** Cumulative counters (heartbeat, session_end). */
export interface QoeCounters {
  played_ms: number;
  stall_ms: number;
  stall_count: number;
  /** Time-weighted average bitrate over played time, bits/s; absent until a bitrate is known. */
  bitrate?: number;
}

/** The state machine's inputs and read-outs. */
export interface Qoe {
  request(autoplay?: boolean): void;
  playing(playhead: number): void;
  progress(playhead: number): void;
  pause(): void;
  /** A stall signal; `sinceMono` backdates the start (hls.js reports stalls after detecting them). */
  waiting(sinceMono?: number): void;
  seeking(from: number, to?: number): void;
  seeked(playhead: number): void;
  ended(): void;
  /** A fatal error: any stall ends now, playback is over. */
  fatal(): void;
  /** Bitrate now being played, bits/s (0 = unknown). */
  setBitrate(bps: number): void;
  /** Counters including the time up to now (an ongoing reported stall counts). */
  counters(): QoeCounters;
  /** Ends the session: closes a stall (reported if long enough) and returns the final counters. */
  finish(): QoeCounters;
  /** True between the first frame and a pause/end: the heartbeat runs. */
  isPlaying(): boolean;
}

interface Stall {
  at: number;
  playhead: number;
  reported: boolean;
  timer: TimerHandle | null;
}

/** Creates the state machine for one session. */
export function createQoe(d: QoeDeps): Qoe {
  const mono = () => d.clock.mono();
  let requestedAt: number | null = null;
  let started = false;
  let firstFrame = false;
  let startPlayhead = 0;
  let paused = true;
  let resumePending = false;
  let seekAt: number | null = null;
  let seekedPlayhead: number | null = null;
  let over = false;
  let stall: Stall | null = null;
  let lastPlayhead = 0;
  let playedMs = 0;
  let stallMs = 0;
  let stallCount = 0;
  let bitrate = 0;
  let bitMs = 0;
  let bitrateMs = 0;
  let activeSince: number | null = null;
  let runStart = 0;

  const active = () => firstFrame && !paused && seekAt === null && !stall && !over;

  /** Adds the played time since the last change; call before and after every state change. */
  function settle(now = mono()): void {
    if (activeSince !== null) addPlayed(now - activeSince);
    const a = active();
    if (a && activeSince === null) runStart = now;
    activeSince = a ? now : null;
  }
  /** Adds (or, with a negative value, takes back) played time. */
  function addPlayed(ms: number): void {
    playedMs += ms;
    if (bitrate > 0) {
      bitMs += bitrate * ms;
      bitrateMs += ms;
    }
  }

  function reportStall(s: Stall): void {
    if (s.reported) return;
    s.reported = true;
    d.emit('stall_start', undefined, { mono: s.at, playhead: s.playhead });
  }

  function endStall(now: number): void {
    const s = stall;
    if (!s) return;
    if (s.timer !== null) d.timers.clearTimeout(s.timer);
    stall = null;
    const ms = Math.max(0, now - s.at);
    if (s.reported || ms >= d.minStallMs) {
      reportStall(s);
      stallMs += ms;
      stallCount++;
      d.emit('stall_end', { stall_ms: Math.round(ms) });
    } else {
      // Too short to count as a stall: it was playback as far as the viewer could tell.
      addPlayed(ms);
    }
  }

  /** Runs a state change with played time settled on both sides. */
  function change(fn: (now: number) => void): void {
    const now = mono();
    settle(now);
    fn(now);
    settle(now);
  }

  function startPlaying(playhead: number): void {
    paused = false;
    if (!started) {
      started = true;
      startPlayhead = playhead;
      d.emit('started');
    } else if (resumePending && firstFrame) {
      d.emit('resumed');
    }
    resumePending = false;
  }

  const qoe: Qoe = {
    request: (autoplay) =>
      change(() => {
        if (over) return;
        paused = false;
        if (!firstFrame && requestedAt === null) {
          requestedAt = mono();
          d.emit('requested', autoplay === undefined ? undefined : { autoplay: !!autoplay });
        }
      }),
    playing: (playhead) =>
      change((now) => {
        if (over) return;
        endStall(now);
        if (seekAt !== null && seekedPlayhead !== null) seekAt = seekedPlayhead = null;
        startPlaying(playhead);
      }),
    progress: (playhead) =>
      change((now) => {
        if (!(playhead >= 0) || over) return;
        const advanced = playhead > lastPlayhead;
        lastPlayhead = playhead;
        if (seekAt !== null) {
          // Still seeking, or buffering at the seek target: the seek ends when the playhead moves on.
          if (seekedPlayhead === null || !(playhead > seekedPlayhead) || paused) return;
          seekAt = seekedPlayhead = null;
        }
        if (resumePending && firstFrame && !paused && advanced) startPlaying(playhead);
        if (started && !firstFrame && !paused && playhead > startPlayhead) {
          firstFrame = true;
          if (requestedAt !== null)
            d.emit('first_frame', { startup_ms: Math.round(now - requestedAt) });
        }
        if (stall && advanced && playhead > stall.playhead) endStall(now);
      }),
    pause: () =>
      change((now) => {
        if (over || paused) return;
        endStall(now);
        paused = true;
        if (firstFrame) resumePending = true;
        // A pause before the first frame abandons this start; the next play request restarts the clock.
        else requestedAt = null;
        d.emit('paused');
      }),
    waiting: (sinceMono) =>
      change((now) => {
        if (!firstFrame || paused || seekAt !== null || stall || over) return;
        const wasActive = activeSince !== null;
        const at =
          wasActive && typeof sinceMono === 'number' && sinceMono < now && sinceMono >= runStart
            ? sinceMono
            : now;
        // The stall began before we heard of it (hls.js reports after detecting): that time was not played.
        if (at < now) addPlayed(at - now);
        const s: Stall = { at, playhead: lastPlayhead, reported: false, timer: null };
        stall = s;
        const wait = d.minStallMs - (now - at);
        if (wait <= 0) reportStall(s);
        else s.timer = d.timers.setTimeout(() => reportStall(s), wait);
      }),
    seeking: (from, to) =>
      change((now) => {
        if (over) return;
        endStall(now);
        if (seekAt === null || seekedPlayhead !== null) seekAt = now;
        seekedPlayhead = null;
        d.emit('seeking', typeof to === 'number' && to >= 0 ? { to } : undefined, {
          mono: now,
          playhead: from,
        });
      }),
    seeked: (playhead) =>
      change((now) => {
        if (over || seekAt === null || seekedPlayhead !== null) return;
        d.emit('seeked', { seek_ms: Math.round(now - seekAt) }, { mono: now, playhead });
        lastPlayhead = playhead;
        if (!started || !firstFrame) startPlayhead = playhead;
        seekedPlayhead = playhead;
        if (paused) seekAt = seekedPlayhead = null;
      }),
    ended: () =>
      change((now) => {
        if (over) return;
        endStall(now);
        over = true;
        d.emit('ended');
      }),
    fatal: () =>
      change((now) => {
        endStall(now);
        over = true;
      }),
    setBitrate: (bps) =>
      change(() => {
        // biome-ignore lint/complexity/useMathMinMax: an unknown (NaN) bitrate must become 0, and Math.max(NaN, 0) is NaN.
        bitrate = bps > 0 ? bps : 0;
      }),
    counters: () => {
      const now = mono();
      settle(now);
      const ongoing = stall?.reported ? now - stall.at : 0;
      const c: QoeCounters = {
        played_ms: Math.round(playedMs),
        stall_ms: Math.round(stallMs + ongoing),
        stall_count: stallCount + (stall?.reported ? 1 : 0),
      };
      if (bitrateMs > 0) c.bitrate = Math.round(bitMs / bitrateMs);
      else if (bitrate > 0) c.bitrate = Math.round(bitrate);
      return c;
    },
    finish: () => {
      change((now) => {
        endStall(now);
        over = true;
      });
      return qoe.counters();
    },
    isPlaying: () => firstFrame && !paused && !over,
  };
  return qoe;
}
