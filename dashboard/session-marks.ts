/**
 * What a session's timeline marks, without drawing: event types in lane order, a colour per type,
 * and the stalls as spans. DOM-free, so the page and its tests share it.
 */
import type { SessionTimelineEvent } from '../core-pipeline/queries/types.js';
import type { EventType } from '../schemas/events.js';

/** Event types in lifecycle order (schemas' EVENT_TYPES; the page bundle takes only types from schemas/). */
export const LIFECYCLE: readonly string[] = [
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
] satisfies readonly EventType[];

const PALETTE = [
  '#4cc2ff',
  '#c49bff',
  '#3fd0a4',
  '#ffb454',
  '#f85149',
  '#7ee787',
  '#ff7eb6',
  '#d2a8ff',
  '#79c0ff',
  '#ffa657',
  '#a5d6ff',
  '#e3b341',
  '#56d4dd',
  '#f0883e',
  '#8b98a9',
  '#bc8cff',
  '#3fb950',
  '#ff9492',
];

/** A colour per event type, stable across sessions (lifecycle order). */
export function typeColor(type: string): string {
  const i = LIFECYCLE.indexOf(type);
  return PALETTE[(i < 0 ? PALETTE.length - 1 : i) % PALETTE.length];
}

/** [start, end] seconds of each stall: stall_start → next stall_end, else stall_end − stall_ms. */
export function stallSpans(events: readonly SessionTimelineEvent[]): [number, number][] {
  const spans: [number, number][] = [];
  let open: number | null = null;
  for (const e of events) {
    if (e.type === 'stall_start') open = e.t;
    else if (e.type === 'stall_end') {
      const ms = typeof e.fields.stall_ms === 'number' ? e.fields.stall_ms : 0;
      spans.push([(open ?? e.t - ms) / 1000, e.t / 1000]);
      open = null;
    }
  }
  const last = events.at(-1);
  if (open !== null && last) spans.push([open / 1000, Math.max(open, last.t) / 1000]);
  return spans;
}
