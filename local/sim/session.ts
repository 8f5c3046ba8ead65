/**
 * Scripts one simulated playback session as a player SDK would report it (schema 1-0-0):
 * requested → variant_loaded → started → first_frame, then per 10 s of playback a heartbeat with
 * cumulative counters and, now and then, pauses, volume changes, seeks, stalls, rendition switches
 * and errors; a start failure or an exit before video start for some; session_end last.
 * A "bad" session (viewer behind a troubled POP) starts slowly, stalls often and fails more.
 */
import type { BeaconEvent, EventType, SessionEndReason } from '../../schemas/index.js';
import type { Rng } from './random.js';

/** One event of a script: its type, fields, and when it happens in session time. */
export interface ScriptedEvent {
  /** Milliseconds since the session started (simulated time). */
  at: number;
  type: EventType;
  playhead: number;
  fields?: Record<string, unknown>;
}

/** A whole session, ready to be stamped and sent. */
export interface SessionScript {
  sessionId: string;
  viewerId: string;
  contentId: string;
  playerName: string;
  playerVersion: string;
  events: ScriptedEvent[];
}

/** Options of {@link scriptSession}. */
export interface SessionOptions {
  /** Slow starts, frequent long stalls, more failures, lower renditions. */
  bad?: boolean;
  /** Heartbeat interval (the SDK's default is 10 s). */
  heartbeatMs?: number;
}

const LADDER = [
  { bitrate: 400_000, width: 640, height: 360 },
  { bitrate: 1_200_000, width: 960, height: 540 },
  { bitrate: 2_500_000, width: 1280, height: 720 },
  { bitrate: 5_000_000, width: 1920, height: 1080 },
];
const CATALOGUE = [
  { id: 'big-buck-bunny', seconds: 596 },
  { id: 'sintel', seconds: 888 },
  { id: 'tears-of-steel', seconds: 734 },
  { id: 'elephants-dream', seconds: 654 },
  { id: 'cosmos-laundromat', seconds: 730 },
  { id: 'news-evening-2026-03-14', seconds: 1_800 },
  { id: 'match-highlights-week-12', seconds: 420 },
];
const PLAYERS = [
  { name: 'hls.js', version: '1.7.4', weight: 5 },
  { name: 'dash.js', version: '5.2.1', weight: 2 },
  { name: 'html5', version: '1.0.0', weight: 1 },
];
const FATAL_START_ERRORS = [
  'manifestLoadError',
  'MEDIA_ERR_SRC_NOT_SUPPORTED',
  'keySystemNoAccess',
];
const FATAL_PLAY_ERRORS = ['fragLoadError', 'MEDIA_ERR_DECODE', 'bufferAppendError'];

/**
 * Scripts one session. Deterministic for a given rng state.
 * @example scriptSession(createRng(1), { bad: true }).events.map((e) => e.type)
 */
export function scriptSession(rng: Rng, opts: SessionOptions = {}): SessionScript {
  const bad = opts.bad === true;
  const heartbeatMs = opts.heartbeatMs ?? 10_000;
  const content = rng.pick(CATALOGUE);
  const player = rng.weighted(PLAYERS);
  const events: ScriptedEvent[] = [];
  let t = 0;
  let playhead = 0;
  const emit = (type: EventType, fields?: Record<string, unknown>) =>
    events.push({ at: Math.round(t), type, playhead: round(playhead, 3), fields });

  emit('requested', { autoplay: rng.chance(0.4) });
  let level = bad ? rng.int(0, 1) : rng.int(1, 3);
  t += rng.int(40, 250);
  emit('variant_loaded', { ...LADDER[level], level });
  const startup = Math.min(
    120_000,
    Math.max(150, Math.round(rng.logNormal(bad ? 3_800 : 900, 0.5))),
  );

  const counters = { played_ms: 0, stall_ms: 0, stall_count: 0 };
  const end = (reason: SessionEndReason) => emit('session_end', { ...counters, reason });
  if (rng.chance(bad ? 0.08 : 0.015)) {
    t += startup * 1.5;
    emit('error', {
      code: rng.pick(FATAL_START_ERRORS),
      message: 'playback could not start',
      fatal: true,
    });
    end('error');
    return finish();
  }
  if (rng.chance(bad ? 0.1 : 0.03)) {
    // Exit before video start: the viewer gave up waiting (no error).
    t += startup * 0.6;
    end('unload');
    return finish();
  }
  t += startup * 0.8;
  emit('started');
  t += startup * 0.2;
  emit('first_frame', { startup_ms: startup });

  const watchMs = Math.min(content.seconds * 1000, Math.max(20_000, rng.logNormal(240_000, 0.9)));
  let volume = 1;
  let muted = false;
  let dropped = 0;
  while (counters.played_ms < watchMs) {
    const slice = Math.min(heartbeatMs, watchMs - counters.played_ms);
    const sliceStart = t;
    if (rng.chance(bad ? 0.3 : 0.025)) {
      t += rng.int(0, slice);
      emit('stall_start');
      const d = Math.max(250, Math.round(rng.logNormal(bad ? 2_500 : 600, 0.6)));
      t += d;
      counters.stall_ms += d;
      counters.stall_count += 1;
      emit('stall_end', { stall_ms: d });
    }
    if (rng.chance(bad ? 0.2 : 0.06)) {
      const prev = level;
      level = Math.max(
        0,
        Math.min(LADDER.length - 1, level + (rng.chance(bad ? 0.75 : 0.45) ? -1 : 1)),
      );
      if (level !== prev) {
        emit('variant_loaded', { ...LADDER[level], level });
        emit('bitrate_changed', { ...LADDER[level], level, prev_bitrate: LADDER[prev].bitrate });
      }
    }
    if (rng.chance(0.025)) {
      emit('paused');
      t += rng.int(2_000, 60_000);
      emit('resumed');
    }
    if (rng.chance(0.03)) {
      volume = round(rng.next(), 2);
      emit('volume_changed', { volume, muted });
    }
    if (rng.chance(0.008)) {
      muted = !muted;
      emit(muted ? 'muted' : 'unmuted');
      emit('volume_changed', { volume, muted });
    }
    if (rng.chance(0.02)) {
      const to = round(rng.next() * content.seconds * 0.9, 3);
      emit('seeking', { to });
      const seekMs = rng.int(80, bad ? 3_000 : 1_200);
      t += seekMs;
      playhead = to;
      emit('seeked', { seek_ms: seekMs });
    }
    if (rng.chance(0.004))
      emit('error', { code: 'bufferStalledError', message: 'buffer stalled', fatal: false });
    t = Math.max(t, sliceStart + slice);
    counters.played_ms += slice;
    playhead = Math.min(content.seconds, playhead + slice / 1000);
    dropped += rng.int(0, bad ? 40 : 4);
    emit('heartbeat', { ...counters, bitrate: LADDER[level].bitrate, dropped_frames: dropped });
    if (rng.chance(bad ? 0.01 : 0.0015)) {
      emit('error', { code: rng.pick(FATAL_PLAY_ERRORS), message: 'playback failed', fatal: true });
      end('error');
      return finish();
    }
  }
  if (playhead >= content.seconds - 0.5) {
    emit('ended');
    end('ended');
  } else {
    end('unload');
  }
  return finish();

  function finish(): SessionScript {
    return {
      sessionId: rng.id(22),
      viewerId: `v-${rng.id(12)}`,
      contentId: content.id,
      playerName: player.name,
      playerVersion: player.version,
      events,
    };
  }
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Turns event `index` of a script into a schema event stamped with the client clock `ts`. */
export function stampEvent(script: SessionScript, index: number, ts: number): BeaconEvent {
  const e = script.events[index];
  return {
    type: e.type,
    id: `${script.sessionId}-${index.toString(36)}`,
    seq: index,
    ts,
    playhead: e.playhead,
    ...e.fields,
  } as BeaconEvent;
}

/** Event types after which the SDK flushes at once instead of waiting for the timer. */
export const URGENT_TYPES: ReadonlySet<EventType> = new Set([
  'first_frame',
  'error',
  'ended',
  'session_end',
]);
