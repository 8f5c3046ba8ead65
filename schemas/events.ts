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

/** Cumulative counters carried by heartbeats and session_end (CTA-2066 definitions). */
export interface CumulativeCounters {
  played_ms: number;
  stall_ms: number;
  stall_count: number;
}

export type BeaconEvent =
  | (EventBase & { type: 'requested'; autoplay?: boolean })
  | (EventBase & {
      type: 'started' | 'paused' | 'resumed' | 'stall_start' | 'muted' | 'unmuted' | 'ended';
    })
  | (EventBase & { type: 'first_frame'; startup_ms: number })
  | (EventBase & { type: 'seeking'; to?: number })
  | (EventBase & { type: 'seeked'; seek_ms?: number })
  | (EventBase & { type: 'stall_end'; stall_ms: number })
  | (EventBase & {
      type: 'variant_loaded';
      bitrate: number;
      width?: number;
      height?: number;
      level?: number;
    })
  | (EventBase & {
      type: 'bitrate_changed';
      bitrate: number;
      prev_bitrate?: number;
      width?: number;
      height?: number;
      level?: number;
    })
  | (EventBase & { type: 'volume_changed'; volume: number; muted: boolean })
  | (EventBase & { type: 'error'; code: string; message?: string; fatal: boolean })
  | (EventBase &
      CumulativeCounters & { type: 'heartbeat'; bitrate?: number; dropped_frames?: number })
  | (EventBase &
      CumulativeCounters & {
        type: 'session_end';
        reason?: SessionEndReason;
      });

/** A batch as the player sends it (one playback session). */
export interface BeaconBatch {
  schema_version: SchemaVersion;
  sdk_name: string;
  sdk_version: string;
  player_name?: string;
  player_version?: string;
  session_id: string;
  viewer_id?: string;
  content_id: string;
  /** Client clock when sent, ms since epoch (used to correct clock skew). */
  sent_at: number;
  events: BeaconEvent[];
}

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
