/**
 * Event types and the batch shape as TypeScript types. They mirror the JSON Schema files in
 * `schemas/beacon/` (test/schemas checks that they agree); the files stay the source of truth.
 */
import type { SchemaVersion } from './versions.js';

/** The four event types the original AWS demo charts, spelled exactly as it spelled them. */
export const DEMO_EVENT_TYPES = ['started', 'paused', 'volume_changed', 'variant_loaded'] as const;

/** All event types of schema 1-0-0, in lifecycle order. */
export const EVENT_TYPES = [
  'requested',
  'started',
  'first_frame',
  'paused',
  'resumed',
  'seeking',
  'seeked',
  'stall_start',
  'stall_end',
  'variant_loaded',
  'bitrate_changed',
  'volume_changed',
  'muted',
  'unmuted',
  'error',
  'ended',
  'heartbeat',
  'session_end',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Why a session ended (`session_end.reason`). */
export const SESSION_END_REASONS = [
  'unload',
  'ended',
  'new_source',
  'detach',
  'error',
  'idle',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/** Fields every event carries. */
export interface EventBase {
  type: EventType;
  /** Event id: unique per event; storage is idempotent on it. */
  id: string;
  /** Per-session sequence number, from 0. */
  seq: number;
  /** Client clock at the event, ms since epoch. */
  ts: number;
  /** Playhead position, seconds. */
  playhead: number;
}

/** Cumulative counters carried by heartbeats and session_end (CTA-2066 definitions), as 1-x names them. */
export interface CumulativeCounters {
  played_ms: number;
  stall_ms: number;
  stall_count: number;
}

/** The rendition fields of variant_loaded and bitrate_changed. */
interface Rendition {
  bitrate: number;
  width?: number;
  height?: number;
  level?: number;
  /** 1-1-0 and later: frames per second of the rendition. */
  frame_rate?: number;
}

/** Heartbeat fields besides the counters. */
interface HeartbeatExtras {
  dropped_frames?: number;
  /** 1-1-0 and later: the player's throughput estimate, kbps (CMCD mtp). */
  throughput_kbps?: number;
  /** 1-1-0 and later: forward buffer length, ms (CMCD bl). */
  buffer_ms?: number;
}

/** The events whose fields no version changed. */
type StableEvent =
  | (EventBase & { type: 'requested'; autoplay?: boolean })
  | (EventBase & {
      type: 'started' | 'paused' | 'resumed' | 'stall_start' | 'muted' | 'unmuted' | 'ended';
    })
  | (EventBase & { type: 'first_frame'; startup_ms: number })
  | (EventBase & { type: 'seeking'; to?: number })
  | (EventBase & { type: 'seeked'; seek_ms?: number })
  | (EventBase & { type: 'stall_end'; stall_ms: number })
  | (EventBase & Rendition & { type: 'variant_loaded' })
  | (EventBase & Rendition & { type: 'bitrate_changed'; prev_bitrate?: number })
  | (EventBase & { type: 'volume_changed'; volume: number; muted: boolean })
  | (EventBase & { type: 'error'; code: string; message?: string; fatal: boolean });

/**
 * An event of schema 1-x (1-0-0, or 1-1-0 with its optional additions), which is also the one
 * stored shape: `upcastEvent` turns an event of any version into it. (A 1-0-0 event leaves the
 * 1-1-0 fields out; the schema file, not this type, is what refuses them.)
 */
export type BeaconEvent =
  | StableEvent
  | (EventBase & CumulativeCounters & HeartbeatExtras & { type: 'heartbeat'; bitrate?: number })
  | (EventBase & CumulativeCounters & { type: 'session_end'; reason?: SessionEndReason });

/** Cumulative counters as 2-0-0 names them: `stall_total_ms` is 1-x's cumulative `stall_ms`. */
export interface CumulativeCountersV2 {
  played_ms: number;
  stall_total_ms: number;
  stall_count: number;
}

/**
 * An event of schema 2-0-0 as the client sends it: 1-1-0's, with heartbeat/session_end
 * `stall_ms` named `stall_total_ms` and heartbeat `bitrate` named `avg_bitrate`
 * (schemas/upcast.ts maps them back).
 */
export type BeaconEventV2 =
  | StableEvent
  | (EventBase &
      CumulativeCountersV2 &
      HeartbeatExtras & { type: 'heartbeat'; avg_bitrate?: number })
  | (EventBase & CumulativeCountersV2 & { type: 'session_end'; reason?: SessionEndReason });

/** The event a client of `V` sends. */
export type WireEventOf<V extends SchemaVersion> = V extends '1-0-0' | '1-1-0'
  ? BeaconEvent
  : BeaconEventV2;

/** An event of any version as sent (and as an edge record carries it, before the core upcasts it). */
export type WireEvent = BeaconEvent | BeaconEventV2;

/**
 * A batch as the player sends it (one playback session), of version `V` (any version by
 * default: its events are then of either shape).
 */
export interface BeaconBatch<V extends SchemaVersion = SchemaVersion> {
  schema_version: V;
  sdk_name: string;
  sdk_version: string;
  player_name?: string;
  player_version?: string;
  session_id: string;
  viewer_id?: string;
  content_id: string;
  /** 1-1-0 and later: the session's key system (`none` for clear content). */
  drm_system?: DrmSystem;
  /** 1-1-0 and later: BCP 47 tags of the audio track playing and the subtitles shown. */
  audio_language?: string;
  subtitle_language?: string;
  /** Client clock when sent, ms since epoch (used to correct clock skew). */
  sent_at: number;
  events: WireEventOf<V>[];
}

/** `drm_system` values (1-1-0 and later). */
export const DRM_SYSTEMS = [
  'none',
  'widevine',
  'playready',
  'fairplay',
  'clearkey',
  'other',
] as const;
export type DrmSystem = (typeof DRM_SYSTEMS)[number];

/**
 * The event of one type, e.g. `EventOf<'heartbeat'>` has the cumulative counters. (`Extract`
 * would give `never` for the union member that covers several field-less types.)
 */
export type EventOf<T extends EventType> = BeaconEvent extends infer E
  ? E extends { type: infer U }
    ? T extends U
      ? E & { type: T }
      : never
    : never
  : never;
