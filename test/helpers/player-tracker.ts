/**
 * Trackers over the fakes of player-fakes.ts, for the SDK's tests: a tracker factory (every batch
 * it sends is checked against the schema), a session for the queue tests, the batch validator
 * and the fake-timer hook that runs it after each test.
 */
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { batchValidators } from '../../schemas/generated/batch.js';
import {
  SCHEMA_VERSIONS,
  type BeaconBatch,
  type BeaconEvent,
  type EventType,
  type SchemaVersion,
} from '../../schemas/index.js';
import type { BatchResult } from '../../player/transport/results.js';
import { encodeEnvelope, encodeEvent } from '../../player/transport/encode.js';
import type { Envelope } from '../../player/transport/queue.js';
import { createSession, type Session } from '../../player/core/session.js';
import { createTracker, type Tracker } from '../../player/core/tracker.js';
import type { TrackerOptions } from '../../player/config/options.js';
import type { StorageLike } from '../../player/config/ports.js';
import { html5Adapter } from '../../player/adapters/html5.js';
import { fakeBeacon, fakeFetch, fakePage, FakeVideo, MemoryStorage } from './player-fakes.js';

/** A tracker over fakes; every batch sent (fetch or beacon) is checked against the schema. */
export function makeTracker(
  overrides: Partial<TrackerOptions> = {},
  io: {
    fetch?: ReturnType<typeof fakeFetch>;
    beacon?: ReturnType<typeof fakeBeacon>;
    storage?: StorageLike | null;
    page?: ReturnType<typeof fakePage>;
  } = {},
) {
  const fetch = io.fetch ?? fakeFetch();
  const beacon = io.beacon ?? fakeBeacon();
  const storage = io.storage === undefined ? new MemoryStorage() : io.storage;
  const page = io.page ?? fakePage();
  const events: BeaconEvent[] = [];
  const results: BatchResult[] = [];
  const tracker: Tracker = createTracker({
    contentId: 'content-1',
    fetch: fetch.fn,
    sendBeacon: beacon.fn,
    storage,
    page,
    logLevel: 'silent',
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    onBatchSent: (r) => results.push(r),
    ...overrides,
  });
  const made = {
    tracker,
    fetch,
    beacon,
    storage,
    page,
    events,
    results,
    types: () => events.map((e) => e.type),
  };
  made.tracker = tracker;
  created.push(made);
  return made;
}

/** A tracker (see makeTracker) on a FakeVideo through the html5 adapter; `start` plays to the first frame. */
export function trackerOnVideo(
  overrides: Partial<TrackerOptions> = {},
  io: Parameters<typeof makeTracker>[1] = {},
) {
  const t = makeTracker(overrides, io);
  const video = new FakeVideo();
  t.tracker.attach(html5Adapter(video));
  const start = () => {
    video.play();
    video.playing();
    video.tick(0.1);
  };
  return { ...t, video, start };
}

/**
 * A session `id` of content `c` for the queue and store tests, and `ev(type)`: its next event of
 * `type`, all at one fixed time and playhead 0 (a heartbeat with the counters it must carry).
 */
export function queueSession(id: string): {
  session: Session;
  ev: (type: EventType) => BeaconEvent;
} {
  const session = createSession(id, () => ({ contentId: () => 'c' }));
  const ev = (type: EventType) =>
    session.event(
      type,
      type === 'heartbeat' ? { played_ms: 1, stall_ms: 0, stall_count: 0 } : undefined,
      1.7e12,
      0,
    );
  return { session, ev };
}

/** The queue entries persisted in this storage (every queue key, in key order). */
export function storedQueueEntries(s: MemoryStorage): { e: { id: string; type: string } }[] {
  return [...s.map.entries()]
    .filter(([k]) => k.includes(':q:'))
    .flatMap(([, v]) => JSON.parse(v).entries as { e: { id: string; type: string } }[]);
}

const created: { fetch: ReturnType<typeof fakeFetch>; beacon: ReturnType<typeof fakeBeacon> }[] =
  [];

/**
 * Checks every batch sent by every tracker made since the last call (fetch bodies and beacon
 * bodies) against the schema; call it in afterEach.
 */
export async function expectAllSentValid(): Promise<void> {
  const list = created.splice(0);
  for (const m of list) {
    for (const c of m.fetch.calls) expectValidBatch(c.batch);
    for (const b of await m.beacon.batches()) expectValidBatch(b);
  }
}

/**
 * Asserts a batch passes the generated validator of the schema version it declares (one the SDK
 * can send), showing ajv's error when not.
 */
export function expectValidBatch(batch: unknown): void {
  const version = (batch as { schema_version?: unknown } | null)?.schema_version;
  expect(SCHEMA_VERSIONS).toContain(version);
  const validate = batchValidators[version as SchemaVersion];
  const ok = validate(batch);
  expect(ok ? null : validate.errors).toBeNull();
}

/** The batch of these events as the SDK sends it: encoded for the envelope's schema version. */
export function wireBatch(env: Envelope, events: BeaconEvent[], sentAt = 1.7e12): BeaconBatch {
  return {
    ...encodeEnvelope(env),
    sent_at: sentAt,
    events: events.map((e) => encodeEvent(env.schema_version, e)),
  };
}

/** Lets queued microtasks (fetch promises, send-loop steps) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/**
 * For a describe block of tracker tests: fake timers in each test, and after each, every batch
 * the trackers sent checked against the schema (expectAllSentValid).
 */
export function useFakeTimersAndCheckBatches(): void {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await expectAllSentValid();
  });
}

/** Plays a fake video to its first frame: play, playing, and the playhead moving. */
export function playToFirstFrame(video: FakeVideo): void {
  video.play();
  video.playing();
  video.tick(0.1);
}
