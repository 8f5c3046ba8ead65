/**
 * The final heartbeat: session_end (schema 1-0-0) has no bitrate or dropped frames, so a session
 * that played since its last heartbeat (or never had one: shorter than `heartbeatMs`) sends one more
 * heartbeat with the final counters right before session_end.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BeaconEvent } from '../../schemas/index.js';
import { html5Adapter } from '../../player/adapters/html5.js';
import { FakeVideo } from '../helpers/player-fakes.js';
import { expectAllSentValid, makeTracker, settle } from '../helpers/player-tracker.js';

const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const RENDITIONS = [
  { bitrate: 400_000, width: 640, height: 360, level: 0 },
  { bitrate: 3_000_000, width: 1920, height: 1080, level: 2 },
];

/** A tracker on a fake video playing at 400 kbit/s from its first frame. */
function playing(opts = {}) {
  const t = makeTracker(opts);
  const video = new FakeVideo();
  t.tracker.attach(html5Adapter(video));
  t.tracker.input.renditionChanged(RENDITIONS[0]);
  video.play();
  video.playing();
  video.tick(0.1);
  return { ...t, video };
}
const tail = (events: BeaconEvent[], n: number) => events.slice(-n).map((e) => e.type);

describe('final heartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-03-01T10:00:00Z') });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await expectAllSentValid();
  });

  it('gives a session shorter than one heartbeat period its time-weighted bitrate and dropped frames', async () => {
    const { tracker, video, events, page, beacon } = playing();
    video.dropped = 3;
    await wait(3_000);
    tracker.input.renditionChanged(RENDITIONS[1]);
    await wait(1_000);
    page.close();
    const [beat, end] = events.slice(-2);
    expect(beat).toStrictEqual({
      type: 'heartbeat',
      id: beat.id,
      seq: end.seq - 1,
      ts: end.ts,
      playhead: end.playhead,
      played_ms: 4_000,
      stall_ms: 0,
      stall_count: 0,
      bitrate: (400_000 * 3 + 3_000_000) / 4,
      dropped_frames: 3,
    });
    expect(end).toMatchObject({ type: 'session_end', reason: 'unload', played_ms: 4_000 });
    // Both leave the closing page in the same beacon.
    const sent = (await beacon.batches()).flatMap((b) => b.events);
    expect(sent.slice(-2).map((e) => e.id)).toStrictEqual([beat.id, end.id]);
  });

  it('is sent when playback went on after the last periodic heartbeat, and not when it did not', async () => {
    const a = playing();
    await wait(12_000);
    a.video.pause();
    a.tracker.endSession();
    expect(
      a.events
        .filter((e) => e.type === 'heartbeat')
        .map((e) => (e as { played_ms: number }).played_ms),
    ).toStrictEqual([10_000, 12_000]);
    expect(tail(a.events, 3)).toStrictEqual(['paused', 'heartbeat', 'session_end']);

    const b = playing();
    await wait(10_000); // the periodic heartbeat has the final counters already
    b.video.pause();
    await wait(5_000); // paused: nothing more was played
    b.tracker.endSession();
    expect(b.events.filter((e) => e.type === 'heartbeat')).toHaveLength(1);
    expect(tail(b.events, 3)).toStrictEqual(['heartbeat', 'paused', 'session_end']);
  });

  it('never reports fewer dropped frames than the last heartbeat, even when the element restarted its counter', async () => {
    const { video, events } = playing();
    video.dropped = 5;
    await wait(12_000);
    video.dropped = 0; // the element restarts its counters with the new source…
    video.load('https://cdn.example/next.m3u8'); // …before the old session's final heartbeat reads them
    const beats = events.filter((e) => e.type === 'heartbeat') as {
      played_ms: number;
      dropped_frames: number;
    }[];
    expect(beats.map((b) => [b.played_ms, b.dropped_frames])).toStrictEqual([
      [10_000, 5],
      [12_000, 5],
    ]);
  });

  it('is not sent for a session that never played', async () => {
    const t = makeTracker();
    const video = new FakeVideo();
    t.tracker.attach(html5Adapter(video));
    video.play(); // requested, but no first frame
    await wait(3_000);
    t.tracker.detach();
    expect(t.types()).toStrictEqual(['requested', 'session_end']);
  });

  it('precedes session_end for every way a session ends, in the session it belongs to', async () => {
    // ended
    const e = playing();
    await wait(2_000);
    e.video.end();
    expect(tail(e.events, 3)).toStrictEqual(['ended', 'heartbeat', 'session_end']);
    // fatal error
    const f = playing();
    await wait(2_000);
    f.tracker.input.error('E_FATAL', 'decode', true);
    expect(tail(f.events, 3)).toStrictEqual(['error', 'heartbeat', 'session_end']);
    expect(f.events.at(-2)).toMatchObject({ played_ms: 2_000, bitrate: 400_000 });
    // a new source: the heartbeat closes the old session, not the new one
    const n = playing();
    const old = n.tracker.sessionId;
    await wait(2_000);
    n.video.load('https://cdn.example/next.m3u8');
    expect(tail(n.events, 2)).toStrictEqual(['heartbeat', 'session_end']);
    await settle();
    const batch = n.fetch.calls.find((c) =>
      c.batch.events.some((x) => x.type === 'heartbeat'),
    )!.batch;
    expect(batch.session_id).toBe(old);
    expect(batch.events.map((x) => x.type).slice(-2)).toStrictEqual(['heartbeat', 'session_end']);
    expect(n.tracker.sessionId).not.toBe(old);
  });
});
