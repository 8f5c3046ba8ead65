/**
 * Scripts one simulated playback session as a player SDK would report it (events of schema 1-0-0,
 * which batch.ts names as the session's declared version names them):
 * requested → variant_loaded → started → first_frame (at exactly `startup_ms` after the request),
 * then per 10 s of playback a heartbeat with cumulative counters and the time-weighted average
 * bitrate so far, and now and then pauses, volume changes, seeks, stalls, rendition switches and
 * errors; a start failure or an exit before video start for some; session_end last.
 * Faults (`effects`, faults.ts) scale the behaviour of one slice's sessions.
 */
import type {
  BeaconEvent,
  EventType,
  SchemaVersion,
  SessionEndReason,
} from '../../schemas/index.js';
import { NO_EFFECTS, type SessionEffects } from './faults.js';
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
  /** SDK version the batches report (batch.ts has the default). */
  sdkVersion?: string;
  /** Schema version the batches declare (batch.ts has the default). */
  schemaVersion?: SchemaVersion;
  events: ScriptedEvent[];
}

/** Options of {@link scriptSession}. */
export interface SessionOptions {
  /** Slow starts, frequent long stalls, more failures, lower renditions (BAD_EFFECTS). */
  bad?: boolean;
  /** What faults do to this session; `bad` wins when both are given. */
  effects?: Readonly<SessionEffects>;
  /** What is played; drawn from the catalogue when absent. */
  content?: Readonly<CatalogueItem>;
  /** Which player; drawn when absent. */
  player?: Readonly<PlayerKind>;
  /** Heartbeat interval (the SDK's default is 10 s). */
  heartbeatMs?: number;
  /** The viewer's id, kept over their sessions; a fresh one when absent. */
  viewerId?: string;
  /** SDK version the batches report; the simulator's own when absent. */
  sdkVersion?: string;
  /** Schema version the batches declare; 1-0-0 when absent. */
  schemaVersion?: SchemaVersion;
}

/** A title of the simulated catalogue. */
export interface CatalogueItem {
  id: string;
  seconds: number;
  weight: number;
}

/** A player integration and its share of sessions. */
export interface PlayerKind {
  name: string;
  version: string;
  weight: number;
}

const LADDER = [
  { bitrate: 400_000, width: 640, height: 360 },
  { bitrate: 1_200_000, width: 960, height: 540 },
  { bitrate: 2_500_000, width: 1280, height: 720 },
  { bitrate: 5_000_000, width: 1920, height: 1080 },
];
/** The catalogue, by share of sessions. */
export const CATALOGUE: readonly CatalogueItem[] = [
  { id: 'big-buck-bunny', seconds: 596, weight: 3 },
  { id: 'sintel', seconds: 888, weight: 2 },
  { id: 'tears-of-steel', seconds: 734, weight: 2 },
  { id: 'elephants-dream', seconds: 654, weight: 1 },
  { id: 'cosmos-laundromat', seconds: 730, weight: 1 },
  { id: 'news-evening-2026-03-14', seconds: 1_800, weight: 2 },
  { id: 'match-highlights-week-12', seconds: 420, weight: 2 },
];
/** Players, by share of sessions. */
export const PLAYERS: readonly PlayerKind[] = [
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

/** Baseline behaviour of a healthy session. */
const BASE = {
  startFailure: 0.015,
  exit: 0.03,
  playbackFailure: 0.02,
  startupMedianMs: 900,
  /** Chance of a stall in each heartbeat interval of playback. */
  stallChance: 0.025,
  stallMedianMs: 600,
  seekChance: 0.02,
  seekMs: [80, 1_200] as const,
};

/** What the `bad` option means, in fault terms. */
const BAD_EFFECTS: Readonly<SessionEffects> = Object.freeze({
  ...NO_EFFECTS,
  stallRate: 12,
  stallTime: 4,
  startupFactor: 4,
  startFailure: 0.08,
  exit: 0.1,
  playbackFailure: 0.1,
  bitrateFactor: 0.5,
  seekFactor: 2,
});

/**
 * Scripts one session. Deterministic for a given rng state.
 * @example scriptSession(createRng(1), { bad: true }).events.map((e) => e.type)
 */
export function scriptSession(rng: Rng, opts: SessionOptions = {}): SessionScript {
  const fx = opts.bad === true ? BAD_EFFECTS : (opts.effects ?? NO_EFFECTS);
  const heartbeatMs = opts.heartbeatMs ?? 10_000;
  const content = opts.content ?? rng.weighted(CATALOGUE);
  const player = opts.player ?? rng.weighted(PLAYERS);
  const rendition = (level: number) => ({
    ...LADDER[level],
    bitrate: Math.max(1, Math.round(LADDER[level].bitrate * fx.bitrateFactor)),
    level,
  });
  const events: ScriptedEvent[] = [];
  let t = 0;
  let playhead = 0;
  const emit = (type: EventType, fields?: Record<string, unknown>) =>
    events.push({ at: Math.round(t), type, playhead: round(playhead, 3), fields });

  emit('requested', { autoplay: rng.chance(0.4) });
  let level = rng.int(1, 3);
  const startup = Math.min(
    120_000,
    Math.max(
      150,
      Math.round(rng.logNormal(BASE.startupMedianMs, 0.5) * fx.startupFactor + fx.startupAddMs),
    ),
  );
  t = Math.min(rng.int(40, 250), startup * 0.3);
  emit('variant_loaded', rendition(level));

  const counters = { played_ms: 0, stall_ms: 0, stall_count: 0 };
  const end = (reason: SessionEndReason) => emit('session_end', { ...counters, reason });
  // One draw each, whatever the probabilities, so a fault on one metric leaves the others' draws alone.
  const failsToStart = rng.next() < (fx.startFailure ?? BASE.startFailure);
  const exits = rng.next() < (fx.exit ?? BASE.exit);
  const failsLater = rng.next() < (fx.playbackFailure ?? BASE.playbackFailure);
  const failAt = rng.next();
  if (failsToStart) {
    t = startup * 1.5;
    emit('error', {
      code: rng.pick(FATAL_START_ERRORS),
      message: 'playback could not start',
      fatal: true,
    });
    end('error');
    return finish();
  }
  if (exits) {
    // Exit before video start: the viewer gave up waiting (no error).
    t = startup * 0.6;
    end('unload');
    return finish();
  }
  t = startup * 0.8;
  emit('started');
  t = startup;
  emit('first_frame', { startup_ms: startup });

  const watchMs = Math.round(
    Math.min(content.seconds * 1000, Math.max(20_000, rng.logNormal(240_000, 0.9))),
  );
  const failAtMs = failsLater ? failAt * watchMs : Number.POSITIVE_INFINITY;
  let volume = 1;
  let muted = false;
  let dropped = 0;
  // Σ bitrate × played ms: the heartbeat's bitrate is this over played_ms (time-weighted).
  let bitMs = 0;
  while (counters.played_ms < watchMs) {
    const slice = Math.min(heartbeatMs, watchMs - counters.played_ms);
    const sliceStart = t;
    if (rng.chance(Math.min(0.95, BASE.stallChance * fx.stallRate))) {
      t += rng.int(0, slice);
      emit('stall_start');
      const d = Math.max(250, Math.round(rng.logNormal(BASE.stallMedianMs, 0.6) * fx.stallTime));
      t += d;
      counters.stall_ms += d;
      counters.stall_count += 1;
      emit('stall_end', { stall_ms: d });
    }
    if (rng.chance(0.06)) {
      const prev = level;
      level = Math.max(0, Math.min(LADDER.length - 1, level + (rng.chance(0.45) ? -1 : 1)));
      if (level !== prev) {
        emit('variant_loaded', rendition(level));
        emit('bitrate_changed', {
          ...rendition(level),
          prev_bitrate: rendition(prev).bitrate,
        });
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
    if (rng.chance(BASE.seekChance)) {
      const to = round(rng.next() * content.seconds * 0.9, 3);
      emit('seeking', { to });
      const seekMs = Math.round(rng.int(...BASE.seekMs) * fx.seekFactor + fx.seekAddMs);
      t += seekMs;
      playhead = to;
      emit('seeked', { seek_ms: seekMs });
    }
    if (rng.chance(0.004))
      emit('error', { code: 'bufferStalledError', message: 'buffer stalled', fatal: false });
    t = Math.max(t, sliceStart + slice);
    counters.played_ms += slice;
    bitMs += rendition(level).bitrate * slice;
    playhead = Math.min(content.seconds, playhead + slice / 1000);
    dropped += rng.int(0, 4);
    emit('heartbeat', {
      ...counters,
      bitrate: Math.round(bitMs / counters.played_ms),
      dropped_frames: dropped,
    });
    if (counters.played_ms >= failAtMs) {
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
      viewerId: opts.viewerId ?? `v-${rng.id(12)}`,
      ...(opts.sdkVersion ? { sdkVersion: opts.sdkVersion } : {}),
      ...(opts.schemaVersion ? { schemaVersion: opts.schemaVersion } : {}),
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
