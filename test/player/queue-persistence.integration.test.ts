/**
 * Queue persistence through the tracker: changes are written at most `persistMs` later (not per
 * event), and at once when the page is hidden or closing, before a request and after an answer.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { html5Adapter } from '../../player/adapters/html5.js';
import {
  fakeBeacon,
  fakeFetch,
  fakePage,
  FakeVideo,
  MemoryStorage,
  ThrowingStorage,
} from '../helpers/player-fakes.js';
import {
  expectAllSentValid,
  makeTracker,
  settle,
  storedQueueEntries,
  trackerOnVideo,
} from '../helpers/player-tracker.js';

const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** A tracker on a fake video whose requests all fail and are retried minutes later (an offline viewer). */
function offline(opts = {}, storage = new MemoryStorage(), page = fakePage()) {
  const t = trackerOnVideo(
    { retryBaseMs: 600_000, retryMaxMs: 600_000, heartbeatMs: 600_000, leaseMs: 60_000, ...opts },
    { storage, page, fetch: fakeFetch([], 'network-error'), beacon: fakeBeacon(() => false) },
  );
  return { ...t, storage };
}
/** Event types in this storage's queues. */
const stored = (s: MemoryStorage) => storedQueueEntries(s).map((x) => x.e.type);

describe('queue persistence', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-03-01T10:00:00Z') });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await expectAllSentValid();
  });

  it('writes a burst of events once, persistMs after the first of them, not per event', async () => {
    const { start, storage, video } = offline();
    start(); // first_frame flushes: the queue is written before the request goes out
    await settle();
    expect(stored(storage)).toStrictEqual(['requested', 'started', 'first_frame']);
    const writes = storage.writes;
    for (let i = 1; i <= 5; i++) {
      video.setVolume(i / 10);
      await wait(100);
    }
    expect(storage.writes).toBe(writes);
    await wait(499); // 999 ms after the first volume change
    expect(storage.writes).toBe(writes);
    await wait(1);
    expect(storage.writes).toBe(writes + 1);
    expect(stored(storage)).toStrictEqual([
      'requested',
      'started',
      'first_frame',
      ...Array(5).fill('volume_changed'),
    ]);
    await wait(10_000); // nothing changed since: no more writes
    expect(storage.writes).toBe(writes + 1);
  });

  it('takes the write delay from persistMs', async () => {
    const { start, storage, video } = offline({ persistMs: 5_000 });
    start();
    await settle();
    video.setVolume(0.5);
    await wait(4_999);
    expect(stored(storage)).not.toContain('volume_changed');
    await wait(1);
    expect(stored(storage)).toContain('volume_changed');
  });

  it('keeps the events of a page that died after the write window (no pagehide)', async () => {
    const storage = new MemoryStorage();
    // Timers that stop doing anything once the page is dead.
    let alive = true;
    const timers = {
      setTimeout: (fn: () => void, ms: number) => setTimeout(() => alive && fn(), ms),
      clearTimeout: (h: unknown) => clearTimeout(h as number),
    };
    const dying = offline({ heartbeatMs: 10_000, timers }, storage);
    dying.start();
    await settle();
    dying.video.setVolume(0.3);
    dying.tracker.input.error('E_LATE', 'after the first write', false);
    await wait(1_000);
    alive = false; // the page dies: no pagehide, so its lease runs out instead of being released
    const before = stored(storage);
    expect(before).toStrictEqual([
      'requested',
      'started',
      'first_frame',
      'volume_changed',
      'error',
    ]);
    await wait(60_000);
    const fetch = fakeFetch();
    makeTracker({}, { storage, fetch, page: fakePage() });
    await settle();
    expect(fetch.calls[0].batch.events.map((e) => e.type)).toStrictEqual(before);
  });

  it('writes at once on pagehide, so a reload inside the write window keeps every event', async () => {
    const storage = new MemoryStorage();
    const first = offline({}, storage);
    first.start();
    await settle();
    await wait(2_000);
    first.video.setVolume(0.3);
    first.page.close(); // before the deferred write; sendBeacon refuses everything
    // No timer and no microtask ran: the write happened inside the pagehide handler.
    const left = stored(storage);
    expect(left).toStrictEqual([
      'requested',
      'started',
      'first_frame',
      'volume_changed',
      'heartbeat',
      'session_end',
    ]);

    // The reload: pagehide released the lease, so the next page adopts and sends it all at once.
    const fetch = fakeFetch();
    makeTracker({}, { storage, fetch, page: fakePage() });
    await settle();
    expect(fetch.calls[0].batch.events.map((e) => e.type)).toStrictEqual(left);
  });

  it('writes at once when the page is hidden', async () => {
    const { start, storage, video, page } = offline();
    start();
    await settle();
    video.setVolume(0.3);
    page.hide(); // sendBeacon refuses: the event stays queued, and stored now
    expect(stored(storage)).toStrictEqual([
      'requested',
      'started',
      'first_frame',
      'volume_changed',
    ]);
  });

  it('writes before a request goes out and after the edge answered', async () => {
    const storage = new MemoryStorage();
    const t = makeTracker({ heartbeatMs: 600_000 }, { storage, fetch: fakeFetch() });
    t.tracker.input.volume(1, false, true);
    t.tracker.input.volume(0.5, false);
    expect(stored(storage)).toStrictEqual([]); // deferred
    const writes = storage.writes;
    t.tracker.flush();
    expect(stored(storage)).toStrictEqual(['volume_changed']); // before the request
    expect(t.fetch.calls).toHaveLength(1);
    await settle();
    expect(t.results.at(-1)).toMatchObject({ outcome: 'sent' });
    expect(stored(storage)).toStrictEqual([]); // the answer removed it, at once
    expect(storage.writes).toBe(writes + 2);
  });

  it('never throws into the host when the storage throws on a deferred write', async () => {
    const lines: { level: string; data?: unknown }[] = [];
    const t = makeTracker(
      { logLevel: 'warn', logSink: (level, _m, data) => lines.push({ level, data }) },
      { storage: new ThrowingStorage() },
    );
    const video = new FakeVideo();
    t.tracker.attach(html5Adapter(video));
    video.play();
    video.playing();
    video.tick(0.1);
    await settle();
    const failures = () =>
      lines.filter((l) => (l.data as Error | undefined)?.name === 'StorageError').length;
    const before = failures();
    expect(() => video.setVolume(0.4)).not.toThrow();
    await wait(1_000); // the timer's write fails inside the SDK: a throw would fail this test here
    expect(failures()).toBe(before + 1);
    expect(() => t.page.hide()).not.toThrow();
    expect(() => t.page.close()).not.toThrow();
    expect(failures()).toBeGreaterThan(before + 1);
    expect((await t.beacon.batches()).flatMap((b) => b.events.map((e) => e.type))).toContain(
      'volume_changed',
    );
  });
});
