import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import Hls from 'hls.js';
import {
  BUFFER_STALLED_ERROR,
  HLS_EVENTS,
  hlsjsAdapter,
  type HlsLike,
} from '../../../player/adapters/hlsjs.js';
import { HTML5_EVENTS } from '../../../player/adapters/html5.js';
import { FakeVideo, type EventFields } from '../../helpers/player-fakes.js';
import {
  playToFirstFrame,
  useFakeTimersAndCheckBatches,
  makeTracker,
  settle,
} from '../../helpers/player-tracker.js';

type Listener = (event: string, data: unknown) => void;

/** An Hls stand-in: an event emitter with hls.js's on/off signature, levels and media. */
class FakeHls implements HlsLike {
  static readonly version = '1.7.4';
  readonly handlers = new Map<string, Set<Listener>>();
  levels = [
    { bitrate: 400_000, width: 640, height: 360 },
    { bitrate: 1_200_000, width: 1280, height: 720 },
    { bitrate: 3_000_000, width: 1920, height: 1080 },
  ];
  media: FakeVideo | null = null;
  on(event: string, fn: Listener): void {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)!.add(fn);
  }
  off(event: string, fn: Listener): void {
    this.handlers.get(event)?.delete(fn);
  }
  count(): number {
    let n = 0;
    for (const s of this.handlers.values()) n += s.size;
    return n;
  }
  trigger(event: string, data: unknown): void {
    for (const fn of [...(this.handlers.get(event) ?? [])]) fn(event, data);
  }
  attachMedia(video: FakeVideo): void {
    this.media = video;
    this.trigger(HLS_EVENTS.MEDIA_ATTACHED, { media: video });
  }
  loadSource(url: string): void {
    this.trigger(HLS_EVENTS.MANIFEST_LOADING, { url });
  }
}

const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);

function setup() {
  const t = makeTracker();
  const hls = new FakeHls();
  const video = new FakeVideo();
  t.tracker.attach(hlsjsAdapter(hls));
  hls.attachMedia(video);
  hls.loadSource('https://cdn.example/master.m3u8');
  return { ...t, hls, video };
}

describe('hls.js adapter', () => {
  useFakeTimersAndCheckBatches();

  it('accepts a real Hls instance where it expects an HlsLike (checked by the type checker)', () => {
    expectTypeOf<Hls>().toExtend<HlsLike>();
  });

  it('uses hls.js 1.7 event names', () => {
    for (const [key, name] of Object.entries(HLS_EVENTS))
      expect(Hls.Events[key as keyof typeof Hls.Events]).toBe(name);
    expect(Hls.ErrorDetails.BUFFER_STALLED_ERROR).toBe(BUFFER_STALLED_ERROR);
  });

  it('reports each loaded level once, with bitrate and size from hls.levels', () => {
    const { hls, events } = setup();
    hls.trigger(HLS_EVENTS.LEVEL_LOADED, { level: 1, levelInfo: hls.levels[1] });
    hls.trigger(HLS_EVENTS.LEVEL_LOADED, { level: 1, levelInfo: hls.levels[1] }); // live playlist reload
    hls.trigger(HLS_EVENTS.LEVEL_LOADED, { level: 2, levelInfo: hls.levels[2] });
    expect(
      events.map(({ type, bitrate, width, height, level }: EventFields) => ({
        type,
        bitrate,
        width,
        height,
        level,
      })),
    ).toStrictEqual([
      { type: 'variant_loaded', bitrate: 1_200_000, width: 1280, height: 720, level: 1 },
      { type: 'variant_loaded', bitrate: 3_000_000, width: 1920, height: 1080, level: 2 },
    ]);
  });

  it('reports level switches as bitrate changes and weights the bitrate by played time', async () => {
    const { hls, video, events, tracker } = setup();
    hls.trigger(HLS_EVENTS.LEVEL_SWITCHED, { level: 0 }); // initial selection: no event
    playToFirstFrame(video);
    await wait(4_000);
    hls.trigger(HLS_EVENTS.LEVEL_SWITCHED, { level: 2 });
    await wait(1_000);
    expect(events.filter((e) => e.type === 'bitrate_changed')).toMatchObject([
      { bitrate: 3_000_000, prev_bitrate: 400_000, width: 1920, height: 1080, level: 2 },
    ]);
    expect(tracker.counters().bitrate).toBe((400_000 * 4 + 3_000_000) / 5);
  });

  it('feeds the non-fatal BUFFER_STALLED_ERROR to the stall detector instead of reporting an error', async () => {
    const { hls, video, events } = setup();
    playToFirstFrame(video);
    await wait(2_000);
    hls.trigger(HLS_EVENTS.ERROR, {
      type: 'mediaError',
      details: BUFFER_STALLED_ERROR,
      fatal: false,
      stalled: { start: performance.now() - 400 },
    });
    video.waiting(); // the element says the same: still one stall
    await wait(600);
    video.playing();
    expect(events.map((e) => e.type).slice(3)).toStrictEqual(['stall_start', 'stall_end']);
    expect(events.at(-1)).toMatchObject({ stall_ms: 1000 });
  });

  it('reports other errors with their fatal flag; a fatal one ends the session', async () => {
    const { hls, video, events, fetch } = setup();
    playToFirstFrame(video);
    hls.trigger(HLS_EVENTS.ERROR, {
      type: 'networkError',
      details: 'fragLoadError',
      fatal: false,
      error: new Error('HTTP 404'),
    });
    hls.trigger(HLS_EVENTS.ERROR, {
      type: 'mediaError',
      details: BUFFER_STALLED_ERROR,
      fatal: true,
      error: new Error('stuck'),
    });
    await settle();
    expect(
      events.slice(3).map(({ type, code, message, fatal, reason }: EventFields) => ({
        type,
        code,
        message,
        fatal,
        reason,
      })),
    ).toStrictEqual([
      {
        type: 'error',
        code: 'fragLoadError',
        message: 'HTTP 404',
        fatal: false,
        reason: undefined,
      },
      {
        type: 'error',
        code: BUFFER_STALLED_ERROR,
        message: 'stuck',
        fatal: true,
        reason: undefined,
      },
      {
        type: 'session_end',
        code: undefined,
        message: undefined,
        fatal: undefined,
        reason: 'error',
      },
    ]);
    expect(fetch.events().at(-1)?.type).toBe('session_end');
  });

  it('keeps fragment timing for the bitrate estimate when levels declare no bitrate', async () => {
    const { hls, video, tracker } = setup();
    hls.levels = [];
    playToFirstFrame(video);
    const frag = (bytes: number) => ({
      frag: {
        type: 'main',
        duration: 4,
        stats: { loaded: bytes, loading: { start: 0, first: 10, end: 200 } },
      },
    });
    hls.trigger(HLS_EVENTS.FRAG_LOADED, frag(1_000_000)); // 2 Mbit/s encoded
    hls.trigger(HLS_EVENTS.FRAG_LOADED, {
      frag: {
        type: 'audio',
        duration: 4,
        stats: { loaded: 9e9, loading: { start: 0, first: 0, end: 1 } },
      },
    });
    await wait(1_000);
    expect(tracker.counters().bitrate).toBe(2_000_000);
  });

  it('starts a new session when a new source loads, and follows the media element', () => {
    const { hls, video, events, tracker } = setup();
    playToFirstFrame(video);
    const first = tracker.sessionId;
    hls.loadSource('https://cdn.example/master.m3u8'); // same URL again: same session
    video.load('blob:https://site.example/recovered'); // recoverMediaError: new MediaSource URL
    expect(tracker.sessionId).toBe(first);
    hls.loadSource('https://cdn.example/other.m3u8');
    expect(events.at(-1)).toMatchObject({ type: 'session_end', reason: 'new_source' });
    expect(tracker.sessionId).not.toBe(first);
    // Re-attached to another element: the old one is released.
    const other = new FakeVideo();
    hls.trigger(HLS_EVENTS.MEDIA_DETACHING, {});
    expect(video.count()).toBe(0);
    hls.attachMedia(other);
    expect(other.count()).toBe(HTML5_EVENTS.length);
  });

  it('detach removes every hls.js and element listener, and names the player', async () => {
    const { hls, video, tracker, fetch } = setup();
    expect(hls.count()).toBe(Object.keys(HLS_EVENTS).length);
    playToFirstFrame(video);
    await settle();
    expect(fetch.calls[0].batch).toMatchObject({ player_name: 'hls.js', player_version: '1.7.4' });
    tracker.detach();
    expect(hls.count()).toBe(0);
    expect(video.count()).toBe(0);
    expect(video.removed).toBe(video.added);
  });

  it('attaches to media hls.js already has', () => {
    const t = makeTracker();
    const hls = new FakeHls();
    const video = new FakeVideo();
    hls.media = video;
    t.tracker.attach(hlsjsAdapter(hls));
    expect(video.count()).toBe(HTML5_EVENTS.length);
  });
});

/** Any event's fields, 1-1-0's included. */
type Fields = Record<string, unknown>;

describe('hls.js adapter: schema 1-1-0 fields', () => {
  useFakeTimersAndCheckBatches();

  /** FakeHls with what hls.js exposes about tracks, frame rates and its throughput estimate. */
  class RichHls extends FakeHls {
    bandwidthEstimate = 500_000; // hls.js's configured default before any measurement
    audioTracks = [{ lang: 'en' }, { lang: 'es' }];
    audioTrack = 0;
    subtitleTracks = [{ lang: 'fr' }];
    subtitleTrack = -1;
    override levels = [
      { bitrate: 400_000, width: 640, height: 360, frameRate: 0 },
      { bitrate: 1_200_000, width: 1280, height: 720, frameRate: 29.97 },
    ];
  }
  const frag = (bytes: number) => ({
    frag: { type: 'main', duration: 2, stats: { loaded: bytes, loading: { start: 0, end: 200 } } },
  });

  it('sends frame rates, languages, the DRM system, a measured throughput and the forward buffer', async () => {
    const t = makeTracker({ schemaVersion: '1-1-0' });
    const hls = new RichHls();
    const video = Object.assign(new FakeVideo(), {
      buffered: { length: 1, start: () => 0, end: () => 9.5 },
    });
    t.tracker.attach(hlsjsAdapter(hls));
    hls.attachMedia(video);
    hls.loadSource('https://cdn.example/master.m3u8');
    hls.trigger(HLS_EVENTS.MANIFEST_PARSED, {});
    hls.trigger(HLS_EVENTS.LEVEL_LOADED, { level: 0, levelInfo: hls.levels[0] });
    hls.trigger(HLS_EVENTS.LEVEL_LOADED, { level: 1, levelInfo: hls.levels[1] });
    hls.trigger(HLS_EVENTS.KEY_LOADED, {
      keyInfo: { decryptdata: { keyFormat: 'com.apple.streamingkeydelivery' } },
    });
    playToFirstFrame(video);
    video.currentTime = 2;
    await wait(10_000); // first heartbeat: no fragment measured yet
    hls.trigger(HLS_EVENTS.FRAG_LOADED, frag(300_000));
    hls.bandwidthEstimate = 2_345_678;
    hls.subtitleTrack = 0;
    hls.trigger(HLS_EVENTS.SUBTITLE_TRACK_SWITCH, { id: 0 });
    hls.trigger(HLS_EVENTS.AUDIO_TRACK_SWITCHED, { id: 1, lang: 'es' });
    await wait(10_000);
    t.tracker.flush();
    await settle();
    const variants = t.events.filter((e) => e.type === 'variant_loaded') as unknown as Fields[];
    expect(variants.map((e) => e.frame_rate)).toStrictEqual([undefined, 29.97]);
    const beats = t.events.filter((e) => e.type === 'heartbeat') as unknown as Fields[];
    expect(beats.map((e) => [e.throughput_kbps, e.buffer_ms])).toStrictEqual([
      [undefined, 7500],
      [2346, 7500],
    ]);
    const envelopes = t.fetch.calls.map((c) => c.batch as unknown as Record<string, unknown>);
    expect(envelopes[0]).toMatchObject({ audio_language: 'en', drm_system: 'fairplay' });
    expect(envelopes[0]).not.toHaveProperty('subtitle_language');
    expect(envelopes.at(-1)).toMatchObject({
      audio_language: 'es',
      subtitle_language: 'fr',
      drm_system: 'fairplay',
    });
  });
});
