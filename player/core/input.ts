/**
 * The normalised player input (`PlayerInput`) on top of the QoE state machine: turns adapter
 * signals into state changes and the non-QoE events (volume, renditions, errors), and decides when
 * a signal ends the session (ended, fatal error, new source). Every method is guarded.
 */
import type { EventType } from '../../schemas/index.js';
import type { Logger } from '../log.js';
import type { MediaInfo, PlayerInput, Rendition, SegmentTiming } from './adapter.js';
import type { EmitAt, Qoe } from './qoe.js';
import type { Session } from './session.js';
import type { SessionEndReason } from './tracker.js';

/** Per-session and per-element state shared by the tracker and its input. */
export interface InputState {
  session: Session;
  qoe: Qoe;
  sampled: boolean;
  /** Renditions already reported as variant_loaded in this session. */
  variants: Set<string | number>;
  /** Bitrate of the rendition being played (0 = unknown). */
  bitrate: number;
  /** Whether `bitrate` came from a rendition report (rather than a segment estimate). */
  bitrateKnown?: boolean;
  droppedBase: number | null;
  lastPlayhead: number;
  volume?: { volume: number; muted: boolean };
}

/** What the input needs from the tracker. */
interface InputDeps {
  state: InputState;
  /** The player's tracks or protection changed. */
  media(info: MediaInfo): void;
  emit(type: EventType, fields?: Record<string, unknown>, at?: EmitAt): void;
  playhead(): number;
  endSession(reason: SessionEndReason): void;
  /** Starts or stops the heartbeat to match the playback state. */
  sync(): void;
  guard<T>(name: string, fn: () => T): T | undefined;
  log: Logger;
}

function renditionFields(r: Rendition): Record<string, unknown> {
  const fps = r.frameRate;
  return {
    bitrate: r.bitrate,
    width: r.width,
    height: r.height,
    level: r.level,
    // The schema's range (above 0, at most 1000); players report 0 when the manifest is silent.
    frame_rate: typeof fps === 'number' && fps > 0 && fps <= 1000 ? fps : undefined,
  };
}

/** Builds the PlayerInput adapters call. */
export function createInput(d: InputDeps): PlayerInput {
  const { state } = d;
  const q = () => state.qoe;
  const on =
    <A extends unknown[]>(name: string, fn: (...args: A) => void) =>
    (...args: A): void => {
      d.guard(`input.${name}`, () => {
        fn(...args);
        d.sync();
      });
    };

  return {
    request: on('request', (autoplay?: boolean) => q().request(autoplay)),
    playing: on('playing', () => q().playing(d.playhead())),
    progress: on('progress', (p: number) => {
      if (!(typeof p === 'number' && p >= 0)) return;
      state.lastPlayhead = p;
      q().progress(p);
    }),
    pause: on('pause', () => q().pause()),
    waiting: on('waiting', (since?: number) => q().waiting(since)),
    seeking: on('seeking', (to?: number) => q().seeking(state.lastPlayhead, to)),
    seeked: on('seeked', () => {
      const p = d.playhead();
      state.lastPlayhead = p;
      q().seeked(p);
    }),
    ended: on('ended', () => {
      q().ended();
      d.endSession('ended');
    }),
    volume: on('volume', (volume: number, muted: boolean, baseline?: boolean) => {
      const prev = state.volume;
      state.volume = { volume, muted: !!muted };
      if (baseline || !prev) return;
      if (volume !== prev.volume) d.emit('volume_changed', { volume, muted: !!muted });
      if (!!muted !== prev.muted) d.emit(muted ? 'muted' : 'unmuted');
    }),
    variantLoaded: on('variantLoaded', (r: Rendition, key?: string | number) => {
      if (!r || !(r.bitrate >= 0)) return;
      const k = key ?? r.level ?? r.bitrate;
      if (state.variants.has(k)) return;
      state.variants.add(k);
      d.emit('variant_loaded', renditionFields(r));
    }),
    renditionChanged: on('renditionChanged', (r: Rendition) => {
      if (!r || !(r.bitrate > 0)) return;
      const prev = state.bitrateKnown ? state.bitrate : 0;
      state.bitrate = r.bitrate;
      state.bitrateKnown = true;
      q().setBitrate(r.bitrate);
      // The first rendition is a selection, not a switch: counting it would inflate switch counts.
      if (prev && prev !== r.bitrate)
        d.emit('bitrate_changed', { ...renditionFields(r), prev_bitrate: prev });
    }),
    segmentLoaded: on('segmentLoaded', (t: SegmentTiming) => {
      if (!t || !(t.bytes > 0)) return;
      // Without a declared rendition bitrate (a bare media playlist), estimate it from segment sizes.
      if (!state.bitrateKnown && t.durationS > 0) {
        const encoded = (t.bytes * 8) / t.durationS;
        state.bitrate = state.bitrate ? state.bitrate * 0.7 + encoded * 0.3 : encoded;
        q().setBitrate(state.bitrate);
      }
    }),
    error: on('error', (code: string, message: string | undefined, fatal: boolean) => {
      d.emit('error', { code: String(code || 'unknown'), message, fatal: !!fatal });
      if (fatal) {
        q().fatal();
        d.endSession('error');
      }
    }),
    media: on('media', (info: MediaInfo) => d.media(info)),
    newSource: on('newSource', () => {
      if (state.session.count > 0) d.endSession('new_source');
    }),
    log: d.log,
  };
}
