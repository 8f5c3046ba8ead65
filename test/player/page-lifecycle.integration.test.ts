import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBeacon, fakeFetch, fakePage, MemoryStorage } from '../helpers/player-fakes.js';
import {
  expectAllSentValid,
  settle,
  storedQueueEntries,
  trackerOnVideo,
} from '../helpers/player-tracker.js';

const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);

const setup = trackerOnVideo;
const queued = storedQueueEntries;

describe('page lifecycle', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-03-01T10:00:00Z') });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await expectAllSentValid();
  });

  it('sends queued events by sendBeacon (text/plain Blob) when the page is hidden', async () => {
    const { start, video, beacon, page, fetch } = setup();
    start();
    await settle();
    video.setVolume(0.4);
    page.hide();
    expect(beacon.calls).toHaveLength(1);
    expect(beacon.calls[0].url).toBe('/v1/events');
    expect(beacon.calls[0].data).toBeInstanceOf(Blob);
    expect((beacon.calls[0].data as Blob).type).toBe('text/plain');
    const [batch] = await beacon.batches();
    expect(batch.events.map((e) => e.type)).toStrictEqual(['volume_changed']);
    await wait(60_000);
    expect(fetch.events().map((e) => e.type)).not.toContain('volume_changed');
    page.show(); // coming back sends nothing by itself
    expect(beacon.calls).toHaveLength(1);
  });

  it('ends the session on pagehide and sends the final batch by sendBeacon', async () => {
    const { start, beacon, page, results } = setup();
    start();
    await settle();
    await wait(4_000);
    page.close();
    const batches = await beacon.batches();
    expect(batches.flatMap((b) => b.events).at(-1)).toMatchObject({
      type: 'session_end',
      reason: 'unload',
      played_ms: 4_000,
    });
    expect(results.at(-1)).toMatchObject({ via: 'beacon', outcome: 'sent', status: 0 });
  });

  it('keeps what sendBeacon refused for the next page load (a reload)', async () => {
    const storage = new MemoryStorage();
    const offline = fakeFetch([], 'network-error');
    const first = setup({}, { storage, fetch: offline, beacon: fakeBeacon(() => false) });
    first.start();
    await settle();
    const sessionId = first.tracker.sessionId;
    first.page.close();
    await settle(); // the closing page's pending work finishes before the next page loads
    const left = queued(storage);
    expect(left.map((x) => x.e.type)).toStrictEqual([
      'requested',
      'started',
      'first_frame',
      'session_end',
    ]);

    // The reload: a new tracker over the same storage sends the old events first, unchanged.
    const fetch = fakeFetch();
    const second = setup({}, { storage, fetch, page: fakePage() });
    await settle();
    expect(fetch.calls[0].batch.events.map((e) => e.id)).toStrictEqual(left.map((x) => x.e.id));
    expect(fetch.calls[0].batch.session_id).toBe(sessionId);
    expect(second.tracker.sessionId).not.toBe(sessionId);
    await settle();
    expect(queued(storage)).toStrictEqual([]);
  });

  it('recovers a crashed page’s events once its lease expired, and leaves a live tab’s alone', async () => {
    const storage = new MemoryStorage();
    // A crashed page: no pagehide, and its timers never run again.
    const dead = { setTimeout: () => 0, clearTimeout: () => {} };
    const crashed = setup(
      { leaseMs: 60_000, timers: dead },
      { storage, fetch: fakeFetch([], 'network-error') },
    );
    crashed.start();
    await settle();
    expect(queued(storage)).toHaveLength(3);

    const fetch = fakeFetch();
    setup({}, { storage, fetch, page: fakePage() }); // another tab, 1 s later: the lease still runs
    await settle();
    expect(fetch.calls).toHaveLength(0);
    await wait(60_000);
    const later = fakeFetch();
    setup({}, { storage, fetch: later, page: fakePage() });
    await settle();
    expect(later.calls[0].batch.events.map((e) => e.type)).toStrictEqual([
      'requested',
      'started',
      'first_frame',
    ]);
  });

  it('hands unsent events to the next tracker at once after destroy', async () => {
    const storage = new MemoryStorage();
    const first = setup({}, { storage, fetch: fakeFetch([], 'network-error') });
    first.start();
    await settle();
    first.tracker.destroy();
    await settle();
    const fetch = fakeFetch();
    setup({}, { storage, fetch, page: fakePage() });
    await settle();
    expect(fetch.calls[0].batch.events.map((e) => e.type)).toStrictEqual([
      'requested',
      'started',
      'first_frame',
      'session_end',
    ]);
  });

  it('removes its page listeners on destroy', () => {
    const { tracker, page, video } = setup();
    expect(page.window.count() + page.document.count()).toBe(3);
    tracker.destroy();
    expect(page.window.count() + page.document.count()).toBe(0);
    expect(video.count()).toBe(0);
  });

  it('falls back to fetch when sendBeacon is unavailable', async () => {
    const { start, page, fetch, video } = setup({ sendBeacon: null });
    start();
    await settle();
    video.setVolume(0.1);
    page.hide();
    await settle();
    expect(fetch.calls.at(-1)!.batch.events.map((e) => e.type)).toStrictEqual(['volume_changed']);
  });
});
