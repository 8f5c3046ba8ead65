import { describe, expect, it, vi } from 'vitest';
import { html5Adapter } from '../../player/adapters/html5.js';
import { createTracker } from '../../player/core/tracker.js';
import type { LogSink } from '../../player/log.js';
import { fakeFetch, FakeVideo, ThrowingStorage } from '../helpers/player-fakes.js';
import { useFakeTimersAndCheckBatches, makeTracker, settle } from '../helpers/player-tracker.js';

/** A log sink recording lines by level. */
function recordingLog() {
  const lines: { level: string; message: string; data?: unknown }[] = [];
  const sink: LogSink = (level, message, data) => lines.push({ level, message, data });
  return { lines, sink };
}

function playThrough(video: FakeVideo) {
  video.play();
  video.playing();
  video.tick(0.1);
  video.setVolume(0.2, true);
  video.waiting();
  video.seek(10);
  video.seeked();
  video.pause();
  video.end();
}

describe('never throws into the host page', () => {
  useFakeTimersAndCheckBatches();

  it('survives throwing callbacks and reports them as CallbackError', async () => {
    const log = recordingLog();
    const t = makeTracker({
      logLevel: 'error',
      logSink: log.sink,
      onEvent: () => {
        throw new Error('host bug');
      },
      onBatchSent: () => {
        throw new Error('host bug 2');
      },
    });
    const video = new FakeVideo();
    t.tracker.attach(html5Adapter(video));
    expect(() => playThrough(video)).not.toThrow();
    await settle();
    expect(t.fetch.events().map((e) => e.type)).toContain('session_end');
    const errors = log.lines.filter((l) => l.level === 'error');
    expect(errors.map((l) => l.message)).toContain('onEvent threw');
    expect(errors.map((l) => l.message)).toContain('onBatchSent threw');
    expect(errors[0].data).toMatchObject({ name: 'CallbackError', callback: 'onEvent' });
    expect((errors[0].data as Error).cause).toMatchObject({ message: 'host bug' });
  });

  it('keeps working in memory over a storage that throws on every call', async () => {
    const log = recordingLog();
    const t = makeTracker(
      { logLevel: 'warn', logSink: log.sink },
      { storage: new ThrowingStorage() },
    );
    const video = new FakeVideo();
    t.tracker.attach(html5Adapter(video));
    expect(() => playThrough(video)).not.toThrow();
    await settle();
    expect(t.fetch.events().map((e) => e.type)).toContain('first_frame');
    expect(t.tracker.viewerId).toBeTruthy();
    expect(log.lines.some((l) => (l.data as Error | undefined)?.name === 'StorageError')).toBe(
      true,
    );
    expect(() => t.page.close()).not.toThrow();
  });

  it('survives a fetch that throws synchronously, a sendBeacon that throws, and a throwing log sink', async () => {
    const t = makeTracker({
      fetch: () => {
        throw new Error('blocked by extension');
      },
      sendBeacon: () => {
        throw new Error('beacon blocked');
      },
      logLevel: 'debug',
      logSink: () => {
        throw new Error('sink broken');
      },
    });
    const video = new FakeVideo();
    t.tracker.attach(html5Adapter(video));
    expect(() => playThrough(video)).not.toThrow();
    await settle();
    expect(() => t.page.close()).not.toThrow();
    await vi.advanceTimersByTimeAsync(5_000);
  });

  it('survives adapters and players that throw', () => {
    const t = makeTracker();
    expect(() =>
      t.tracker.attach(() => {
        throw new Error('adapter broke');
      }),
    ).not.toThrow();
    const detach = t.tracker.attach((input) => {
      input.request();
      return {
        detach: () => {
          throw new Error('off() broke');
        },
        playhead: () => {
          throw new Error('currentTime broke');
        },
        droppedFrames: () => {
          throw new Error('quality broke');
        },
      };
    });
    expect(() => t.tracker.input.playing()).not.toThrow();
    expect(() => detach()).not.toThrow();
    expect(() => t.tracker.destroy()).not.toThrow();
    expect(t.types()).toStrictEqual(['requested', 'started', 'session_end']);
  });

  it('reads readouts a plain-JavaScript adapter set to non-functions as absent, without logging', () => {
    const log = recordingLog();
    const t = makeTracker({ logLevel: 'error', logSink: log.sink });
    t.tracker.attach((input) => {
      input.request();
      return { detach: () => {}, playhead: 42, droppedFrames: false } as never;
    });
    expect(() => t.tracker.input.playing()).not.toThrow();
    expect(() => t.tracker.destroy()).not.toThrow();
    expect(t.types()).toStrictEqual(['requested', 'started', 'session_end']);
    expect(log.lines).toStrictEqual([]);
  });

  it('turns nonsense input into valid events', async () => {
    const t = makeTracker();
    const i = t.tracker.input;
    expect(() => {
      i.request();
      i.playing();
      i.progress(NaN);
      i.progress(-4);
      i.progress(0.5);
      i.volume(NaN, false);
      i.volume(7, true);
      i.variantLoaded({ bitrate: NaN });
      i.variantLoaded({ bitrate: 3e12, width: -1, height: 1e9, level: 1.5 });
      i.renditionChanged(null as never);
      i.segmentLoaded(undefined as never);
      i.error('', 'x'.repeat(5000), true);
      i.error(undefined as never, undefined, false);
      i.seeking(Infinity);
    }).not.toThrow();
    t.tracker.flush();
    await settle();
    expect(t.fetch.calls.length).toBeGreaterThan(0); // and afterEach validates every batch
  });

  it('never throws on bad options; uses defaults and says why', async () => {
    const log = recordingLog();
    const fetch = fakeFetch();
    const tracker = createTracker({
      contentId: undefined as never,
      sampleRate: 7,
      heartbeatMs: -1,
      neverRetry: 'all' as never,
      logLevel: 'loud' as never,
      logSink: log.sink,
      storage: null,
      page: null,
      fetch: fetch.fn,
      sendBeacon: null,
    });
    tracker.input.request();
    tracker.input.playing();
    tracker.input.progress(0.1);
    await settle();
    expect(fetch.calls[0].batch.content_id).toBe('unknown');
    expect(
      log.lines
        .map((l) => l.data && (l.data as { option?: string }).option)
        .filter(Boolean)
        .sort(),
    ).toStrictEqual(['contentId', 'heartbeatMs', 'logLevel', 'neverRetry', 'sampleRate']);
    tracker.destroy();
  });

  it('survives a contentId callback that throws', async () => {
    const t = makeTracker({
      contentId: () => {
        throw new Error('no route');
      },
    });
    t.tracker.input.request();
    t.tracker.input.playing();
    t.tracker.input.progress(0.1);
    await settle();
    expect(t.fetch.calls[0].batch.content_id).toBe('unknown');
  });
});
