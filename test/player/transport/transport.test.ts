import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  fakeFetch,
  type FakeVideo,
  type MemoryStorage,
  type FakeAnswer,
} from '../../helpers/player-fakes.js';
import { expectAllSentValid, settle, trackerOnVideo } from '../../helpers/player-tracker.js';
import { CURRENT_SCHEMA_VERSION } from '../../../schemas/index.js';

const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const T0 = Date.parse('2026-03-01T10:00:00Z');

const setup = trackerOnVideo;

describe('transport', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await expectAllSentValid();
  });

  it('POSTs text/plain with keepalive to the configured endpoint, stamping sent_at at send time', async () => {
    const { fetch, video, tracker } = setup({ endpoint: 'https://beacons.example/v2/e' });
    video.play();
    await wait(1000);
    video.playing();
    video.tick(0.1); // first_frame: sent at once
    await settle();
    expect(fetch.calls).toHaveLength(1);
    const { url, init, batch } = fetch.calls[0];
    expect(url).toBe('https://beacons.example/v2/e');
    expect({ method: init.method, keepalive: init.keepalive, headers: init.headers }).toStrictEqual(
      {
        method: 'POST',
        keepalive: true,
        headers: { 'content-type': 'text/plain' },
      },
    );
    expect(batch).toMatchObject({
      schema_version: CURRENT_SCHEMA_VERSION,
      sdk_name: 'beacon-edge-js',
      player_name: 'html5',
      content_id: 'content-1',
      session_id: tracker.sessionId,
      sent_at: T0 + 1000,
    });
    expect(batch.events.map((e) => [e.type, e.ts])).toStrictEqual([
      ['requested', T0],
      ['started', T0 + 1000],
      ['first_frame', T0 + 1000],
    ]);
  });

  it('uses /v1/events by default and follows setEndpoint at once', async () => {
    const { fetch, start, tracker, video } = setup();
    start();
    await settle();
    tracker.setEndpoint('/collect-here');
    video.pause();
    tracker.flush();
    await settle();
    expect(fetch.calls.map((c) => c.url)).toStrictEqual(['/v1/events', '/collect-here']);
  });

  it('flushes every 10 s otherwise', async () => {
    const { fetch, start, video } = setup();
    start();
    await settle();
    video.pause();
    video.setVolume(0.3);
    await wait(9_999);
    expect(fetch.calls).toHaveLength(1);
    await wait(1);
    expect(fetch.calls).toHaveLength(2);
    expect(fetch.calls[1].batch.events.map((e) => e.type)).toStrictEqual([
      'paused',
      'volume_changed',
    ]);
    expect(fetch.calls[1].batch.sent_at).toBe(T0 + 10_000);
  });

  it.each([
    ['a fatal error', (v: FakeVideo) => v.fail(2)],
    ['ended', (v: FakeVideo) => v.end()],
  ])('flushes at once on %s', async (_name, act) => {
    const { fetch, start, video } = setup();
    start();
    await settle();
    video.setVolume(0.2);
    act(video);
    await settle();
    expect(fetch.calls).toHaveLength(3); // first_frame; the trigger; session_end
    expect(
      fetch
        .events()
        .map((e) => e.type)
        .slice(3),
    ).toContain('volume_changed');
  });

  it('flushes at once on session end', async () => {
    const { fetch, start, tracker } = setup();
    start();
    await settle();
    await wait(2000);
    tracker.endSession('idle');
    await settle();
    expect(fetch.calls.at(-1)!.batch.events.at(-1)).toMatchObject({
      type: 'session_end',
      reason: 'idle',
      played_ms: 2000,
    });
  });

  it('retries network errors and 5xx with exponential backoff, then succeeds', async () => {
    const fetch = fakeFetch(['network-error', { status: 502 }, { status: 500 }]);
    const { start, results } = setup({}, { fetch });
    start();
    await settle();
    // random() = 0.5, full jitter: delays 500, 1000, 2000 ms (half of each ceiling)
    await wait(499);
    expect(fetch.calls).toHaveLength(1);
    await wait(1);
    expect(fetch.calls).toHaveLength(2);
    await wait(999);
    expect(fetch.calls).toHaveLength(2);
    await wait(1);
    expect(fetch.calls).toHaveLength(3);
    await wait(1999);
    expect(fetch.calls).toHaveLength(3);
    await wait(1);
    expect(fetch.calls).toHaveLength(4);
    expect(results.map((r) => [r.status, r.outcome])).toStrictEqual([
      [0, 'retry'],
      [502, 'retry'],
      [500, 'retry'],
      [204, 'sent'],
    ]);
    const ids = fetch.calls.map((c) => c.batch.events.map((e) => e.id).join());
    expect(new Set(ids).size).toBe(1); // the same events each time, until accepted
  });

  it('honours Retry-After on 503 and 429', async () => {
    const fetch = fakeFetch([
      {
        status: 503,
        body: '{"error":"stream_unavailable","detail":"x"}',
        headers: { 'Retry-After': '30' },
      },
      { status: 429, headers: { 'retry-after': '12' } },
    ]);
    const { start } = setup({}, { fetch });
    start();
    await settle();
    await wait(29_999);
    expect(fetch.calls).toHaveLength(1);
    await wait(1);
    expect(fetch.calls).toHaveLength(2);
    await wait(11_999);
    expect(fetch.calls).toHaveLength(2);
    await wait(1);
    expect(fetch.calls).toHaveLength(3);
  });

  it('aborts a request that hangs and retries it', async () => {
    const fetch = fakeFetch(['hang']);
    const { start, results, video } = setup({ requestTimeoutMs: 5_000 }, { fetch });
    start();
    video.pause();
    await settle();
    await wait(4_999);
    expect(results).toHaveLength(0);
    await wait(1);
    expect(results[0]).toMatchObject({ status: 0, outcome: 'retry' });
    await wait(499);
    expect(results).toHaveLength(1);
    await wait(1);
    expect(results[1]).toMatchObject({ status: 204, outcome: 'sent' });
    const hung = fetch.calls[0].batch.events.map((e) => e.id);
    expect(fetch.calls[1].batch.events.map((e) => e.id).slice(0, hung.length)).toStrictEqual(hung);
  });

  it('does not let an immediate flush jump a running backoff', async () => {
    const fetch = fakeFetch([{ status: 503, headers: { 'retry-after': '20' } }]);
    const { start, video } = setup({}, { fetch });
    start();
    await settle();
    video.end(); // ended + session_end ask for an immediate flush
    await wait(19_000);
    expect(fetch.calls).toHaveLength(1);
    await wait(1_000);
    expect(fetch.events().map((e) => e.type)).toStrictEqual([
      'requested',
      'started',
      'first_frame',
      'requested',
      'started',
      'first_frame',
      'ended',
      'session_end',
    ]);
  });

  it.each([400, 401, 403, 413, 415, 422])(
    'drops a batch answered %s without retrying',
    async (status) => {
      const fetch = fakeFetch([{ status, body: '{"error":"invalid_envelope","detail":"x"}' }]);
      const { start, results, video } = setup({}, { fetch });
      start();
      video.pause(); // no heartbeats
      await settle();
      await wait(120_000);
      // The dropped batch never comes back; the `paused` queued meanwhile still goes out.
      expect(fetch.calls.map((c) => c.batch.events.map((e) => e.type))).toStrictEqual([
        ['requested', 'started', 'first_frame'],
        ['paused'],
      ]);
      expect(results[0]).toMatchObject({ status, outcome: 'dropped' });
      video.setVolume(0.1);
      await wait(10_000);
      expect(fetch.calls).toHaveLength(3);
    },
  );

  it('stops sending for the session after a 410, and resumes with the next session', async () => {
    const fetch = fakeFetch([{ status: 410 }]);
    const { start, results, video, tracker } = setup({ heartbeatMs: 1000 }, { fetch });
    start();
    await settle();
    expect(results[0]).toMatchObject({ status: 410, outcome: 'stopped' });
    const silenced = tracker.sessionId;
    await wait(60_000);
    expect(fetch.calls).toHaveLength(1);
    video.load('https://cdn.example/next.m3u8');
    video.play();
    video.playing();
    video.tick(0.1);
    await settle();
    expect(fetch.calls).toHaveLength(2);
    expect(fetch.calls[1].batch.session_id).not.toBe(silenced);
    expect(fetch.calls[1].batch.events.map((e) => e.type)).toStrictEqual([
      'requested',
      'started',
      'first_frame',
    ]);
  });

  it('treats a 200 with rejected events as success and reports them', async () => {
    const rejected = [{ index: 1, event_id: 'x', reason: 'duplicate_event_id', detail: 'seen' }];
    const fetch = fakeFetch([{ status: 200, body: JSON.stringify({ accepted: 2, rejected }) }]);
    const { start, results, storage } = setup({ heartbeatMs: 600_000 }, { fetch });
    start();
    await settle();
    await wait(60_000);
    expect(fetch.calls).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 200, outcome: 'sent', rejected });
    expect(
      [...(storage as MemoryStorage).map.keys()].filter((k) => k.includes(':q:')),
    ).toStrictEqual([]);
  });

  it('keeps events in the queue (and storage) until the edge accepted them', async () => {
    let release: (a: FakeAnswer) => void = () => {};
    const fetch = fakeFetch();
    const pending = fetch.fn;
    const slow = {
      ...fetch,
      fn: ((url: string, init: RequestInit) =>
        new Promise((resolve, reject) => {
          release = (a) => {
            fetch.answers.unshift(a);
            pending(url, init).then(resolve, reject);
          };
        })) as typeof fetch.fn,
    };
    const { start, storage } = setup({}, { fetch: slow });
    start();
    await settle();
    const stored = () =>
      [...(storage as MemoryStorage).map.entries()].filter(([k]) => k.includes(':q:'));
    expect(stored()).toHaveLength(1);
    expect(JSON.parse(stored()[0][1]).entries).toHaveLength(3);
    release({ status: 503 });
    await settle();
    expect(JSON.parse(stored()[0][1]).entries).toHaveLength(3);
    await wait(500); // the first retry (full jitter, random() = 0.5: half of 1000 ms)
    release({ status: 204 });
    await settle();
    expect(stored()).toHaveLength(0);
  });

  it('splits a burst into batches under 56 KiB and at most 200 events', async () => {
    const { tracker, fetch } = setup({ maxQueueEvents: 2000 });
    for (let i = 0; i < 600; i++) tracker.input.error('E_TEST', 'm'.repeat(400), false);
    await wait(10_000);
    await settle();
    expect(fetch.calls.length).toBeGreaterThan(4);
    for (const c of fetch.calls) {
      expect(Buffer.byteLength(String(c.init.body))).toBeLessThan(56 * 1024);
      expect(c.batch.events.length).toBeLessThanOrEqual(200);
    }
    expect(fetch.events().map((e) => e.seq)).toStrictEqual([...Array(600).keys()]);
  });

  it('drops the oldest heartbeats first when the queue is full', async () => {
    const fetch = fakeFetch([], 'network-error');
    const { start, tracker, video } = setup(
      { maxQueueEvents: 10, heartbeatMs: 1000, retryMaxMs: 3_600_000, retryBaseMs: 3_600_000 },
      { fetch },
    );
    start(); // requested, started, first_frame (send fails: backing off for an hour)
    await settle();
    await wait(5_000); // five heartbeats
    video.setVolume(0.5); // volume_changed
    video.pause(); // paused
    tracker.input.error('E1', undefined, false);
    tracker.input.error('E2', undefined, false);
    tracker.input.error('E3', undefined, false); // 3 + 5 + 5 = 13 events for 10 places
    fetch.answers.push({ status: 204 });
    await wait(3_600_000);
    const types = fetch.calls.at(-1)!.batch.events.map((e) => e.type);
    expect(types).toStrictEqual([
      'requested',
      'started',
      'first_frame',
      'heartbeat',
      'heartbeat',
      'volume_changed',
      'paused',
      'error',
      'error',
      'error',
    ]);
    const beats = fetch.calls.at(-1)!.batch.events.filter((e) => e.type === 'heartbeat') as {
      played_ms: number;
    }[];
    expect(beats.map((b) => b.played_ms)).toStrictEqual([4000, 5000]);
  });
});
