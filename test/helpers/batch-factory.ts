/**
 * Factories for beacon events and batches, used by every test in the repo instead of pasted
 * JSON. Everything they make validates against the current schema (test/schemas/factories.test.ts
 * checks that), so a test that wants invalid data starts from a valid object and breaks one thing.
 */
import { randomBytes } from 'node:crypto';
import { EVENT_TYPES } from '../../schemas/index.js';
import type { EventOf } from '../../schemas/events.js';
import { EXAMPLE_FIELDS, exampleEnvelope } from '../../schemas/examples.js';
import type { BeaconBatch, BeaconEvent, EventType } from '../../schemas/index.js';

export type { EventOf } from '../../schemas/events.js';

// Random per process, so ids from parallel test files never collide in a shared store.
const RUN = randomBytes(4).toString('hex');
let counter = 0;
let seqCounter = 0;

/**
 * A fresh id matching the schema's id pattern (`[A-Za-z0-9_-]{8,64}`), unique in this process.
 * @example makeId('s') // 's-1f2e3d4c-00000a'
 */
export function makeId(prefix = 'e'): string {
  counter += 1;
  return `${prefix}-${RUN}-${counter.toString(36).padStart(6, '0')}`;
}

/**
 * One valid event of `type`. Defaults: a fresh id, the next seq of this process, ts = now,
 * playhead 12.5 s, and realistic type fields; `overrides` replace any of them.
 * @example makeEvent('volume_changed', { volume: 0.2, muted: false })
 */
export function makeEvent<T extends EventType>(
  type: T,
  overrides: Partial<EventOf<T>> = {},
): EventOf<T> {
  const base = { type, id: makeId(), seq: seqCounter++, ts: Date.now(), playhead: 12.5 };
  return { ...base, ...EXAMPLE_FIELDS[type], ...overrides } as unknown as EventOf<T>;
}

/** A plausible playback: request, start, first frame, rendition, heartbeat, pause, resume, volume, end. */
export const LIFECYCLE: readonly EventType[] = [
  'requested',
  'started',
  'first_frame',
  'variant_loaded',
  'heartbeat',
  'paused',
  'resumed',
  'volume_changed',
  'ended',
  'session_end',
];

/**
 * A batch whose events have the 1-x names (the factories make 1-0-0 events; a test that passes
 * 2-0-0 events in `events` says so with its own type).
 */
export type Batch1x = BeaconBatch & { events: BeaconEvent[] };

/** Options of {@link makeBatch}: any envelope field, plus how to generate the events. */
export type BatchOverrides = Partial<Omit<BeaconBatch, 'events'>> & {
  events?: BeaconEvent[];
  /** Event types in order (cycled when `count` is larger). Default {@link LIFECYCLE}; ignored with `events`. */
  types?: readonly EventType[];
  /** Number of events. Default `types.length`. */
  count?: number;
  /** Milliseconds between consecutive events. Default 1000. */
  spacingMs?: number;
};

/**
 * A valid batch of one fresh session: events with unique ids, seq 0..n-1, ts one `spacingMs`
 * apart ending at `sent_at` (default now), playhead advancing with them.
 * @example makeBatch({ types: ['started', 'paused'] })
 * @example makeBatch({ count: 200, types: ['heartbeat'] }) // the largest batch the schema allows
 */
export function makeBatch(overrides: BatchOverrides = {}): Batch1x {
  const {
    types = LIFECYCLE,
    count = types.length,
    spacingMs = 1000,
    events,
    ...envelope
  } = overrides;
  const sentAt = envelope.sent_at ?? Date.now();
  const made =
    events ??
    Array.from({ length: count }, (_, i) =>
      makeEvent(types[i % types.length], {
        seq: i,
        ts: sentAt - (count - 1 - i) * spacingMs,
        playhead: (i * spacingMs) / 1000,
      }),
    );
  return { ...exampleEnvelope(makeId('s'), makeId('v'), sentAt), ...envelope, events: made };
}

/** One valid event of every type, in schema order, as one batch (seq 0..17). */
export function makeBatchOfEveryType(overrides: BatchOverrides = {}): Batch1x {
  return makeBatch({ types: EVENT_TYPES, ...overrides });
}
