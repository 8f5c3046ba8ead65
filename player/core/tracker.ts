/**
 * The tracker: wires configuration, the session and its QoE state machine, the heartbeat, the page
 * lifecycle and the transport, and exposes the normalised player input that adapters drive.
 * Nothing here throws into the host page: inputs, callbacks and adapters run inside `guard`.
 */
import type {
  BeaconEvent,
  EventType,
  SchemaVersion,
  SessionEndReason,
} from '../../schemas/index.js';
import type { TrackerOptions } from '../config/options.js';
import { resolveConfig } from '../config/resolve.js';
import { CallbackError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { logDeprecationOnce } from '../transport/deprecation.js';
import { createQueue, type MediaFields } from '../transport/queue.js';
import type { DeprecationNotice, StopReason } from '../transport/results.js';
import { createStore, loadViewerId } from '../transport/store.js';
import { createTransport } from '../transport/transport.js';
import type { AdapterFactory, AdapterHandle, PlayerInput } from './adapter.js';
import { systemClock, systemTimers } from './clock.js';
import { createHeartbeat } from './heartbeat.js';
import { isValidId, isValidViewerId, randomId } from './ids.js';
import { createInput, type InputState } from './input.js';
import { defaultPage, listenPage } from './page.js';
import { createQoe, type EmitAt, type QoeCounters } from './qoe.js';
import { applyMedia } from './media-info.js';
import { isSampled } from './sampling.js';
import { createSession } from './session.js';

export type { SessionEndReason };

/** A running tracker. Every method is safe to call at any time and never throws. */
export interface Tracker {
  /** Attaches a player adapter (detaching the previous one); returns a function that detaches it. */
  attach(adapter: AdapterFactory): () => void;
  /** Detaches the adapter and ends the session (reason `detach`). */
  detach(): void;
  /** Normalised player signals, for players without an adapter. */
  readonly input: PlayerInput;
  /** Ends the current session now; the next player signal starts a new one. */
  endSession(reason?: SessionEndReason): void;
  /** Sends queued events now (unless a retry backoff is running). */
  flush(): void;
  /** Changes the ingest URL; takes effect with the next request. */
  setEndpoint(url: string): void;
  /** Id of the current session. */
  readonly sessionId: string;
  /** Viewer id sent with batches, or undefined when omitted. */
  readonly viewerId: string | undefined;
  /** True when the current session is inside the sample. */
  readonly sampled: boolean;
  /** Cumulative QoE counters of the current session. */
  counters(): QoeCounters;
  /** The schema version this tracker's sessions declare. */
  readonly schemaVersion: SchemaVersion;
  /** The edge's deprecation notice, once one came. */
  readonly deprecation: DeprecationNotice | undefined;
  /** Why the edge stopped the last stopped session (410), if it did. */
  readonly stopped: StopReason | undefined;
  /** Detaches, ends the session, sends what is queued and removes every listener and timer. */
  destroy(): void;
}

/** Events that are sent at once instead of waiting for the next periodic flush. */
const FLUSH_NOW = new Set<EventType>(['first_frame', 'ended', 'session_end']);

/**
 * Creates a tracker.
 * @example
 * const tracker = createTracker({ contentId: 'big-buck-bunny' });
 * tracker.attach(html5Adapter(document.querySelector('video')!));
 */
export function createTracker(options: TrackerOptions): Tracker {
  const { config, problems } = resolveConfig(options);
  const log: Logger = createLogger(config.logLevel, config.logSink);
  for (const p of problems) log.warn(p.message, p);
  const clock = config.clock ?? systemClock;
  const timers = config.timers ?? systemTimers;
  const guard = <T>(name: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      log.error(`${name} threw`, new CallbackError(`${name} threw`, name, { cause: err }));
      return undefined;
    }
  };

  const storage =
    config.storage === undefined
      ? (guard('localStorage', () => globalThis.localStorage) ?? null)
      : config.storage;
  let viewerId: string | undefined;
  if (!config.omitViewerId) {
    if (config.viewerId !== undefined && !isValidViewerId(config.viewerId))
      log.warn('invalid viewerId');
    viewerId = isValidViewerId(config.viewerId)
      ? config.viewerId
      : loadViewerId(storage, config.storageKey, randomId, log);
    if (!isValidViewerId(viewerId)) viewerId = randomId();
  }

  const queue = createQueue(config.maxQueueEvents);
  const store = createStore({
    storage,
    prefix: config.storageKey,
    instanceId: randomId(),
    now: () => clock.now(),
    leaseMs: config.leaseMs,
    log,
  });
  let deprecation: DeprecationNotice | undefined;
  let stopped: StopReason | undefined;
  const nav = globalThis.navigator as Navigator | undefined;
  const transport = createTransport({
    config,
    queue,
    store,
    fetch:
      config.fetch ??
      (typeof globalThis.fetch === 'function' ? (u, i) => globalThis.fetch(u, i) : null),
    sendBeacon:
      config.sendBeacon !== undefined
        ? config.sendBeacon
        : nav && typeof nav.sendBeacon === 'function'
          ? (u, d) => nav.sendBeacon(u, d)
          : null,
    clock,
    timers,
    random: config.random ?? Math.random,
    log,
    notify: (r) => guard('onBatchSent', () => config.onBatchSent?.(r)),
    deprecated(n) {
      logDeprecationOnce(n, log);
      if (deprecation) return;
      deprecation = n;
      guard('onDeprecation', () => config.onDeprecation?.(n));
    },
    stopped(r) {
      stopped = r;
      guard('onStopped', () => config.onStopped?.(r));
    },
  });

  let adapter: AdapterHandle | null = null;
  const meta = () => ({
    contentId:
      typeof config.contentId === 'function' ? config.contentId : () => config.contentId as string,
    viewerId,
    playerName: config.playerName ?? adapter?.playerName,
    playerVersion: config.playerVersion ?? adapter?.playerVersion,
    schemaVersion: config.schemaVersion,
  });
  /** The tracks and protection fields of the envelope (replaced, never changed, on a change). */
  let media: MediaFields = {};
  // An adapter written in plain JavaScript may set these to a non-function: read that as absent.
  const readout = (
    a: AdapterHandle | null,
    name: 'droppedFrames' | 'throughputKbps' | 'bufferMs',
  ): number | null => {
    const read = a?.[name];
    const v = typeof read === 'function' ? guard(`adapter.${name}`, () => read.call(a)) : null;
    return typeof v === 'number' && v >= 0 ? v : null;
  };
  const droppedFrames = (a: AdapterHandle | null) => readout(a, 'droppedFrames');
  const playhead = (): number => {
    const read = adapter?.playhead;
    const p =
      typeof read === 'function' ? guard('adapter.playhead', () => read.call(adapter)) : undefined;
    return typeof p === 'number' && p >= 0 ? p : state.lastPlayhead;
  };

  /** Set while the page is being hidden for good: sendBeacon, not fetch, carries the last events. */
  let unloading = false;
  function emit(type: EventType, fields?: Record<string, unknown>, at?: EmitAt): void {
    const s = state.session;
    const ts = at ? clock.now() - (clock.mono() - at.mono) : clock.now();
    const ev: BeaconEvent = s.event(type, fields, ts, at ? at.playhead : playhead());
    guard('onEvent', () => config.onEvent?.(ev, s.id));
    if (state.sampled) transport.enqueue(s.envelope(), ev);
    if (!unloading && (FLUSH_NOW.has(type) || (type === 'error' && fields?.fatal === true)))
      transport.flush();
  }

  /** played_ms of the session's last heartbeat: a final one is due when playback went on since. */
  let beatPlayed = 0;
  /** dropped_frames of the session's last heartbeat. */
  let beatDropped = 0;
  /** Emits a heartbeat with these counters, plus dropped frames since the session's baseline. */
  function beat(c: QoeCounters): void {
    const fields: Record<string, unknown> = { ...c };
    const dropped = droppedFrames(adapter);
    if (typeof dropped === 'number' && dropped >= 0) {
      // Counters restart with a new source; a value below the baseline means they did.
      if (state.droppedBase === null) state.droppedBase = dropped;
      else if (dropped < state.droppedBase) state.droppedBase = 0;
      // Cumulative: never below the last report (the final heartbeat of a session ended by a new
      // source may read the element's counter after it restarted).
      fields.dropped_frames = beatDropped = Math.max(dropped - state.droppedBase, beatDropped);
    }
    // Schema 1-1-0's CMCD-like readings, each within the schema's range or left out.
    const kbps = readout(adapter, 'throughputKbps');
    if (kbps !== null && kbps <= 1e8) fields.throughput_kbps = Math.round(kbps);
    const buffer = readout(adapter, 'bufferMs');
    if (buffer !== null && buffer <= 3.6e6) fields.buffer_ms = Math.round(buffer);
    beatPlayed = c.played_ms;
    emit('heartbeat', fields);
  }
  const heartbeat = createHeartbeat(config.heartbeatMs, timers, () =>
    guard('heartbeat', () => beat(state.qoe.counters())),
  );

  function newSession(id?: string): InputState['session'] {
    const s = createSession(isValidId(id) ? id : randomId(), meta, () => media);
    state.session = s;
    state.qoe = createQoe({ clock, timers, minStallMs: config.minStallMs, emit });
    state.sampled = isSampled(viewerId ?? s.id, config.sampleRate);
    state.variants = new Set();
    state.bitrate = 0;
    state.droppedBase = droppedFrames(adapter);
    beatPlayed = beatDropped = 0;
    return s;
  }

  function endSession(reason: SessionEndReason): void {
    heartbeat.stop();
    if (state.session.count === 0) return; // nothing was reported: no session to close
    const c = state.qoe.finish();
    // session_end carries no bitrate or dropped frames (schema 1-0-0): a last heartbeat with the
    // final counters does, so the time played since the last one (or a session shorter than one
    // heartbeat period) still counts towards average bitrate.
    if (c.played_ms > beatPlayed) beat(c);
    emit('session_end', {
      played_ms: c.played_ms,
      stall_ms: c.stall_ms,
      stall_count: c.stall_count,
      reason,
    });
    newSession();
  }

  const state = { lastPlayhead: 0, droppedBase: null } as InputState;
  if (config.sessionId !== undefined && !isValidId(config.sessionId)) log.warn('invalid sessionId');
  newSession(config.sessionId);

  const input = createInput({
    state,
    media: (info) => {
      media = applyMedia(media, info);
    },
    emit,
    playhead,
    endSession,
    sync: () => (state.qoe.isPlaying() ? heartbeat.start() : heartbeat.stop()),
    guard,
    log,
  });

  // Events a previous page could not send (reload, crash) go first.
  queue.merge(store.adopt());
  if (queue.size()) {
    log.info(`adopted ${queue.size()} stored event(s)`);
    transport.persist();
    transport.flush();
  }

  const unlistenPage = listenPage(
    config.page === undefined ? defaultPage() : config.page,
    {
      hidden: () => transport.flushBeacon(),
      pagehide: () => {
        unloading = true;
        try {
          endSession('unload');
        } finally {
          unloading = false;
        }
        transport.flushBeacon();
        transport.release();
      },
      pageshow: (persisted) => persisted && transport.claim(),
    },
    (fn) => guard('page lifecycle', fn),
  );

  function detach(): void {
    const a = adapter;
    if (!a) return;
    endSession('detach');
    adapter = null;
    guard('adapter.detach', () => a.detach());
  }

  return {
    attach(factory) {
      detach();
      const handle = guard('adapter attach', () => factory(input));
      if (!handle || typeof handle.detach !== 'function') {
        log.error('adapter did not attach');
        return () => {};
      }
      adapter = handle;
      state.droppedBase = droppedFrames(handle);
      return () => {
        if (adapter === handle) detach();
      };
    },
    detach: () => guard('detach', detach),
    input,
    endSession: (reason = 'detach') => guard('endSession', () => endSession(reason)),
    flush: () => transport.flush(),
    setEndpoint: (url) => transport.setEndpoint(url),
    get sessionId() {
      return state.session.id;
    },
    viewerId,
    get sampled() {
      return state.sampled;
    },
    counters: () => state.qoe.counters(),
    schemaVersion: config.schemaVersion,
    get deprecation() {
      return deprecation;
    },
    get stopped() {
      return stopped;
    },
    destroy: () =>
      guard('destroy', () => {
        detach();
        endSession('detach');
        unlistenPage();
        transport.flush();
        transport.destroy();
        // What could not be sent yet goes to the next tracker (an SPA re-creating one adopts it at once).
        transport.release();
      }),
  };
}
