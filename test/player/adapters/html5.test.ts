import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { html5, html5Adapter, HTML5_EVENTS } from '../../../player/adapters/html5.js';
import { LIMITS } from '../../../schemas/index.js';
import { FakeVideo } from '../../helpers/player-fakes.js';
import { expectAllSentValid, makeTracker, settle } from '../../helpers/player-tracker.js';

const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** A tracker on a fake video, played to its first frame (startup 500 ms). */
async function playing(opts = {}) {
  const t = makeTracker(opts);
  const video = new FakeVideo();
  t.tracker.attach(html5Adapter(video));
  video.play();
  await wait(300);
  video.playing();
  await wait(200);
  video.tick(0.2);
  return { ...t, video };
}

describe('HTML5 adapter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00Z') });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await expectAllSentValid();
  });

  it('maps element events to schema events with sequence numbers and ids', async () => {
    const { video, events, types, tracker } = await playing();
    video.pause();
    await wait(1000);
    video.play();
    video.playing();
    video.setVolume(0.5);
    video.setVolume(0.5, true);
    video.setVolume(0.5, false);
    video.seek(42);
    await wait(150);
    video.seeked();
    video.tick(0.3);
    expect(types()).toStrictEqual([
      'requested',
      'started',
      'first_frame',
      'paused',
      'resumed',
      'volume_changed',
      'muted',
      'unmuted',
      'seeking',
      'seeked',
    ]);
    expect(events.map((e) => e.seq)).toStrictEqual(events.map((_, i) => i));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const e of events) expect(e.id).toMatch(LIMITS.idPattern);
    expect(events[0]).toMatchObject({
      autoplay: false,
      playhead: 0,
      ts: Date.parse('2026-03-01T10:00:00Z'),
    });
    expect(events[2]).toMatchObject({ startup_ms: 500, playhead: 0.2 });
    expect(events[5]).toMatchObject({ volume: 0.5, muted: false });
    expect(events[8]).toMatchObject({ playhead: 0.2, to: 42 });
    expect(events[9]).toMatchObject({ playhead: 42, seek_ms: 150 });
    expect(tracker.sampled).toBe(true);
  });

  it('does not report the pause the element fires before ended, and ends the session at the end', async () => {
    const { video, types, fetch, events } = await playing();
    await wait(3000);
    video.end();
    await settle();
    // A final heartbeat carries the counters session_end has no field for (dropped frames, bitrate).
    expect(types().slice(3)).toStrictEqual(['ended', 'heartbeat', 'session_end']);
    expect(events.at(-2)).toMatchObject({
      type: 'heartbeat',
      played_ms: 3000,
      stall_ms: 0,
      stall_count: 0,
      dropped_frames: 0,
    });
    expect(events.at(-1)).toMatchObject({
      type: 'session_end',
      reason: 'ended',
      played_ms: 3000,
      stall_ms: 0,
      stall_count: 0,
    });
    expect(fetch.events().map((e) => e.type)).toContain('session_end');
  });

  it('reports a stall from waiting to playing, ignoring the short ones', async () => {
    const { video, events } = await playing();
    await wait(1000);
    video.waiting();
    await wait(100);
    video.playing();
    await wait(1000);
    video.waiting();
    await wait(1200);
    video.playing();
    const stalls = events.filter((e) => e.type.startsWith('stall'));
    expect(stalls.map((e) => e.type)).toStrictEqual(['stall_start', 'stall_end']);
    expect(stalls[1]).toMatchObject({ stall_ms: 1200 });
    expect(stalls[0].ts).toBe(Date.parse('2026-03-01T10:00:00Z') + 500 + 1000 + 100 + 1000);
  });

  it('reports a MediaError as a fatal error and ends the session', async () => {
    const { video, events } = await playing();
    video.fail(3, 'PIPELINE_ERROR_DECODE');
    expect(events.slice(-2)).toMatchObject([
      { type: 'error', code: 'MEDIA_ERR_DECODE', message: 'PIPELINE_ERROR_DECODE', fatal: true },
      { type: 'session_end', reason: 'error' },
    ]);
  });

  it('starts a new session when the element gets a new source', async () => {
    const { video, events, tracker } = await playing();
    const first = tracker.sessionId;
    await wait(2000);
    video.load('https://cdn.example/b.m3u8');
    expect(events.at(-1)).toMatchObject({
      type: 'session_end',
      reason: 'new_source',
      played_ms: 2000,
    });
    expect(tracker.sessionId).not.toBe(first);
    video.play();
    video.playing();
    const next = events.filter((e) => e.seq === 0);
    expect(next).toHaveLength(2);
    expect(next[1].type).toBe('requested');
    // The same source loaded again (or the src cleared) is not a new session.
    video.load('https://cdn.example/b.m3u8');
    expect(events.at(-1)?.type).toBe('started');
  });

  it('adds one listener per event and detach removes every one', () => {
    const t = makeTracker();
    const video = new FakeVideo();
    const detach = t.tracker.attach(html5Adapter(video));
    expect([...video.listeners.keys()].sort()).toStrictEqual([...HTML5_EVENTS].sort());
    expect(video.count()).toBe(HTML5_EVENTS.length);
    detach();
    expect(video.count()).toBe(0);
    expect(video.removed).toBe(video.added);
    // Attaching again and detaching through the tracker also leaves nothing behind.
    t.tracker.attach(html5Adapter(video));
    t.tracker.detach();
    expect(video.count()).toBe(0);
    expect(video.removed).toBe(video.added);
  });

  it('ends the session on detach and starts counting a second adapter afresh', async () => {
    const { video, events, tracker } = await playing();
    await wait(1000);
    const other = new FakeVideo();
    tracker.attach(html5Adapter(other));
    expect(video.count()).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: 'session_end', reason: 'detach', played_ms: 1000 });
    other.play();
    expect(events.at(-1)).toMatchObject({ type: 'requested', seq: 0 });
  });

  it('starts the session without a startup time when attached during playback', () => {
    const t = makeTracker();
    const video = new FakeVideo();
    video.paused = false;
    video.readyState = 4;
    video.currentTime = 12;
    t.tracker.attach(html5Adapter(video));
    video.tick(0.25);
    expect(t.types()).toStrictEqual(['started']);
    expect(t.tracker.counters().played_ms).toBe(0);
  });

  it('sends heartbeats every 10 s while playing, with cumulative counters and dropped frames', async () => {
    const { video, events, fetch } = await playing();
    video.dropped = 4;
    await wait(10_000);
    video.dropped = 9;
    await wait(10_000);
    video.pause();
    await wait(30_000);
    const beats = events.filter((e) => e.type === 'heartbeat');
    expect(beats).toMatchObject([
      { played_ms: 10_000, stall_ms: 0, stall_count: 0, dropped_frames: 4 },
      { played_ms: 20_000, stall_ms: 0, stall_count: 0, dropped_frames: 9 },
    ]);
    expect(fetch.events().filter((e) => e.type === 'heartbeat')).toHaveLength(2);
  });

  it('takes the heartbeat period from the configuration', async () => {
    const { events } = await playing({ heartbeatMs: 2_000 });
    await wait(9_000);
    expect(
      events
        .filter((e) => e.type === 'heartbeat')
        .map((e) => (e as { played_ms: number }).played_ms),
    ).toStrictEqual([2000, 4000, 6000, 8000]);
  });

  it('offers a one-call setup', async () => {
    const video = new FakeVideo();
    const calls: string[] = [];
    const tracker = html5(video, {
      contentId: 'one-call',
      logLevel: 'silent',
      storage: null,
      page: null,
      sendBeacon: null,
      fetch: async (_u, init) => {
        calls.push(String(init.body));
        return { status: 204, headers: new Headers(), text: async () => '' };
      },
    });
    video.play();
    video.playing();
    video.tick(0.1);
    await settle();
    expect(JSON.parse(calls[0])).toMatchObject({
      content_id: 'one-call',
      player_name: 'html5',
      session_id: tracker.sessionId,
    });
    tracker.destroy();
    expect(video.count()).toBe(0);
  });
});
