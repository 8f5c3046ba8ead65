import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { MediaPlayerClass } from 'dashjs';
import { DASH_EVENTS, dashjsAdapter, type DashLike } from '../../../player/adapters/dashjs.js';
import { HTML5_EVENTS } from '../../../player/adapters/html5.js';
import { FakeVideo, type EventFields } from '../../helpers/player-fakes.js';
import {
  playToFirstFrame,
  useFakeTimersAndCheckBatches,
  makeTracker,
  settle,
} from '../../helpers/player-tracker.js';

type Listener = (e: unknown) => void;

/** A dash.js MediaPlayer stand-in: on/off/trigger, getVideoElement (throwing before attachView), getVersion. */
class FakeDash implements DashLike {
  readonly handlers = new Map<string, Set<Listener>>();
  view: FakeVideo | null = null;
  on(type: string, fn: Listener): void {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type)!.add(fn);
  }
  off(type: string, fn: Listener): void {
    this.handlers.get(type)?.delete(fn);
  }
  count(): number {
    let n = 0;
    for (const s of this.handlers.values()) n += s.size;
    return n;
  }
  trigger(type: string, e: object = {}): void {
    for (const fn of [...(this.handlers.get(type) ?? [])]) fn({ type, ...e });
  }
  getVideoElement(): FakeVideo {
    if (!this.view)
      throw new Error(
        'You must first call attachView() to set the video element before calling this method',
      );
    return this.view;
  }
  getVersion(): string {
    return '5.2.1';
  }
}

const rep = (
  id: string,
  bandwidth: number,
  width: number,
  height: number,
  absoluteIndex: number,
) => ({ id, bandwidth, width, height, absoluteIndex });
const R360 = rep('v360', 500_000, 640, 360, 0);
const R1080 = rep('v1080', 4_000_000, 1920, 1080, 2);
const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);

function setup() {
  const t = makeTracker();
  const player = new FakeDash();
  const video = new FakeVideo();
  player.view = video;
  t.tracker.attach(dashjsAdapter(player));
  return { ...t, player, video };
}

describe('dash.js adapter', () => {
  useFakeTimersAndCheckBatches();

  it('accepts a real dash.js MediaPlayer where it expects a DashLike (checked by the type checker)', () => {
    expectTypeOf<MediaPlayerClass>().toExtend<DashLike>();
  });

  it('reports a representation when first used, then switches as bitrate changes', async () => {
    const { player, video, events, tracker } = setup();
    player.trigger(DASH_EVENTS.QUALITY_CHANGE_RENDERED, {
      mediaType: 'video',
      newRepresentation: R360,
      oldRepresentation: null,
    });
    player.trigger(DASH_EVENTS.QUALITY_CHANGE_RENDERED, {
      mediaType: 'audio',
      newRepresentation: rep('a', 128_000, 0, 0, 0),
    });
    playToFirstFrame(video);
    await wait(3_000);
    player.trigger(DASH_EVENTS.QUALITY_CHANGE_RENDERED, {
      mediaType: 'video',
      newRepresentation: R1080,
      oldRepresentation: R360,
    });
    await wait(1_000);
    player.trigger(DASH_EVENTS.QUALITY_CHANGE_RENDERED, {
      mediaType: 'video',
      newRepresentation: R360,
      oldRepresentation: R1080,
    });
    const kinds = events.filter((e) => e.type === 'variant_loaded' || e.type === 'bitrate_changed');
    expect(
      kinds.map(({ type, bitrate, width, height, level, prev_bitrate }: EventFields) => ({
        type,
        bitrate,
        width,
        height,
        level,
        prev_bitrate,
      })),
    ).toStrictEqual([
      {
        type: 'variant_loaded',
        bitrate: 500_000,
        width: 640,
        height: 360,
        level: 0,
        prev_bitrate: undefined,
      },
      {
        type: 'variant_loaded',
        bitrate: 4_000_000,
        width: 1920,
        height: 1080,
        level: 2,
        prev_bitrate: undefined,
      },
      {
        type: 'bitrate_changed',
        bitrate: 4_000_000,
        width: 1920,
        height: 1080,
        level: 2,
        prev_bitrate: 500_000,
      },
      {
        type: 'bitrate_changed',
        bitrate: 500_000,
        width: 640,
        height: 360,
        level: 0,
        prev_bitrate: 4_000_000,
      },
    ]);
    expect(tracker.counters().bitrate).toBe((500_000 * 3 + 4_000_000) / 4);
  });

  it('treats PLAYBACK_WAITING as a stall, and PLAYBACK_STALLED only when the element cannot play on', async () => {
    const { player, video, events } = setup();
    playToFirstFrame(video);
    await wait(1_000);
    player.trigger(DASH_EVENTS.PLAYBACK_STALLED); // network slow, buffer fine (readyState 4)
    await wait(1_000);
    video.tick(1);
    expect(events.filter((e) => e.type.startsWith('stall'))).toHaveLength(0);
    player.trigger(DASH_EVENTS.PLAYBACK_WAITING);
    await wait(500);
    video.playing();
    video.readyState = 2;
    player.trigger(DASH_EVENTS.PLAYBACK_STALLED);
    await wait(300);
    video.tick(0.5);
    expect(events.filter((e) => e.type === 'stall_end').map((e) => e.stall_ms)).toStrictEqual([
      500, 300,
    ]);
  });

  it('reports ERROR as fatal by default (dash.js 5 payload), or as decided by isFatal', async () => {
    const { player, video, events, fetch } = setup();
    playToFirstFrame(video);
    player.trigger(DASH_EVENTS.ERROR, {
      error: { code: 27, message: 'FRAGMENT_LOADER_LOADING_FAILURE', data: {} },
    });
    await settle();
    expect(events.slice(3)).toMatchObject([
      { type: 'error', code: '27', message: 'FRAGMENT_LOADER_LOADING_FAILURE', fatal: true },
      { type: 'session_end', reason: 'error' },
    ]);
    expect(fetch.events().at(-1)?.type).toBe('session_end');

    const t = makeTracker();
    const p = new FakeDash();
    p.view = new FakeVideo();
    t.tracker.attach(dashjsAdapter(p, { isFatal: (e) => e.code !== 27 }));
    p.trigger(DASH_EVENTS.ERROR, { error: { code: 27, message: 'retrying' } });
    p.trigger(DASH_EVENTS.ERROR, { error: 'download', event: { message: 'legacy payload' } });
    expect(t.events).toMatchObject([
      { type: 'error', code: '27', fatal: false },
      { type: 'error', code: 'download', message: 'legacy payload', fatal: true },
      { type: 'session_end', reason: 'error' },
    ]);
  });

  it('keeps video segment timing for the bitrate estimate', async () => {
    const { player, video, tracker } = setup();
    playToFirstFrame(video);
    const start = new Date(1_000);
    player.trigger(DASH_EVENTS.FRAGMENT_LOADING_COMPLETED, {
      request: {
        mediaType: 'video',
        type: 'MediaSegment',
        bytesLoaded: 750_000,
        startDate: start,
        requestEndDate: new Date(1_300),
        duration: 2,
      },
    });
    player.trigger(DASH_EVENTS.FRAGMENT_LOADING_COMPLETED, {
      request: { mediaType: 'video', type: 'InitializationSegment', bytesLoaded: 9e9, duration: 0 },
    });
    await wait(1_000);
    expect(tracker.counters().bitrate).toBe(3_000_000);
  });

  it('waits for the view when attached before attachView, and detach removes every listener', async () => {
    const t = makeTracker();
    const player = new FakeDash();
    t.tracker.attach(dashjsAdapter(player));
    const video = new FakeVideo();
    player.view = video;
    player.trigger(DASH_EVENTS.STREAM_INITIALIZED);
    expect(video.count()).toBe(HTML5_EVENTS.length);
    expect(player.count()).toBe(Object.keys(DASH_EVENTS).length);
    playToFirstFrame(video);
    await settle();
    expect(t.fetch.calls[0].batch).toMatchObject({
      player_name: 'dash.js',
      player_version: '5.2.1',
    });
    t.tracker.detach();
    expect(player.count()).toBe(0);
    expect(video.count()).toBe(0);
  });

  it('starts a new session when the player attaches a new source (a new MediaSource URL)', () => {
    const { video, events, tracker } = setup();
    video.currentSrc = 'blob:https://site.example/1';
    video.dispatch('loadstart');
    playToFirstFrame(video);
    const first = tracker.sessionId;
    video.load('blob:https://site.example/2');
    expect(events.at(-1)).toMatchObject({ type: 'session_end', reason: 'new_source' });
    expect(tracker.sessionId).not.toBe(first);
  });
});
