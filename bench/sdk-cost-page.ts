/**
 * The part of the sdk-cost benchmark that runs inside Chromium (passed to `page.evaluate`, so it
 * must stay self-contained: no runtime imports, as type imports are erased; no closures over
 * module scope). It measures main-thread time with `performance.now()` (5 µs resolution: the page
 * is cross-origin isolated).
 *
 * - per event: one event per microtask checkpoint, as a player produces them (one media event per
 *   task). The SDK writes the queue to localStorage at most `persistMs` after a change (a timer),
 *   so each timed burst ends by running that pending write at once (the tracker's timers are
 *   wrapped to find it): the figure includes one queue write per burst, as if the whole burst fell
 *   into one write window. The write is also reported on its own;
 * - per flush: `tracker.flush()` of a queue of `flushEvents` events until `onBatchSent`, with an
 *   injected fetch that answers 204 at once (the SDK's own work only), and with the browser's real
 *   fetch to the local endpoint (its main-thread parts: the synchronous send, then the work from
 *   the response to `onBatchSent`; the network wait is not main-thread time).
 */

import type { FetchLike } from '../player/config/ports.js';
import type { TrackerOptions } from '../player/config/options.js';

/** The page's `window.BeaconEdge`: the IIFE build of the SDK. */
type BeaconEdgeGlobal = typeof import('../player/iife.js');

/** Parameters of one run. */
export interface PageBenchParams {
  iterations: number;
  warmup: number;
  /** Events per timed burst (per-event figures are burst time / events). */
  burst: number;
  /** Queue length at each flush. */
  flushEvents: number;
  /** Events timed with a full queue (offline viewer). */
  fullQueueEvents: number;
  /** The tracker's `persistMs` (no other SDK timer may use this delay: see `make`). */
  persistMs: number;
}

/** Raw samples, ms. */
interface PageBenchResult {
  isolated: boolean;
  perEventInput: number[];
  /** The deferred queue write inside each perEventInput burst (~burst events queued). */
  writeInput: number[];
  /** Same as perEventInput with `storage: null` (no persistence). */
  perEventMemory: number[];
  perEventVideo: number[];
  /** The same <video> event loop without the SDK. */
  videoBaseline: number[];
  /** Per event with 500 events queued, the deferred write excluded (it is fullQueueWrite). */
  perEventFullQueue: number[];
  /** One deferred write of the full queue (at most one per persistMs). */
  fullQueueWrite: number[];
  flushNoop: number[];
  flushFetch: number[];
  /** The synchronous part of flushFetch: building the batch and the fetch() call itself. */
  flushFetchSync: number[];
  /** The browser's own fetch() call inside it (not SDK code). */
  fetchCall: number[];
  eventsSeen: number;
}

/** Runs in the page. */
export async function pageBench(p: PageBenchParams): Promise<PageBenchResult> {
  const B = (window as unknown as { BeaconEdge: BeaconEdgeGlobal }).BeaconEdge;
  const now = () => performance.now();
  const ok = { status: 204, headers: new Headers(), text: async () => '' };
  const noopFetch: FetchLike = () => Promise.resolve(ok);
  let eventsSeen = 0;

  function make(fetchImpl: FetchLike, extra: Partial<TrackerOptions> = {}) {
    let onSent: (() => void) | null = null;
    let sentAt = 0;
    // The SDK's timers, wrapped to find the deferred queue write: the only timer with the delay
    // persistMs (flush and heartbeat periods are 600 s, retries at least 300 s, stalls never start).
    let pending: { fn: () => void; handle: number } | null = null;
    const timers = {
      setTimeout: (fn: () => void, ms: number) => {
        const handle = window.setTimeout(() => {
          if (pending?.handle === handle) pending = null;
          fn();
        }, ms);
        if (ms === p.persistMs) pending = { fn, handle };
        return handle;
      },
      clearTimeout: (handle: number) => {
        if (pending?.handle === handle) pending = null;
        window.clearTimeout(handle);
      },
    };
    /** Runs the pending deferred queue write now, as its timer would; its duration in ms, or null. */
    const write = (): number | null => {
      const w = pending;
      if (!w) return null;
      pending = null;
      window.clearTimeout(w.handle);
      const t0 = now();
      w.fn();
      return now() - t0;
    };
    const tracker = B.createTracker({
      contentId: 'bench',
      flushMs: 600_000,
      heartbeatMs: 600_000,
      retryBaseMs: 600_000,
      persistMs: p.persistMs,
      timers,
      fetch: fetchImpl,
      storageKey: `bench-${Math.random().toString(36).slice(2)}`,
      onEvent: () => void eventsSeen++,
      onBatchSent: () => {
        sentAt = now();
        onSent?.();
      },
      ...extra,
    });
    /** Flushes and resolves after onBatchSent; returns the synchronous part of flush(), ms. */
    const flushed = async (): Promise<number> => {
      const sent = new Promise<void>((r) => (onSent = r));
      const t0 = now();
      tracker.flush();
      const sync = now() - t0;
      await sent;
      return sync;
    };
    return { tracker, flushed, write, sentAt: () => sentAt };
  }

  // Per event through tracker.input: volume changes, each one a volume_changed event. Once with
  // the default persistent queue (localStorage), once memory-only, to show what persisting costs.
  async function inputEvents(
    extra: Partial<TrackerOptions>,
  ): Promise<{ perEvent: number[]; writes: number[] }> {
    const out: number[] = [];
    const writes: number[] = [];
    const { tracker, flushed, write } = make(noopFetch, extra);
    tracker.input.volume(1, false, true);
    let v = 0.5;
    for (let it = 0; it < p.warmup + p.iterations; it++) {
      const before = eventsSeen;
      const t0 = now();
      for (let i = 0; i < p.burst; i++) {
        v = v === 0.5 ? 0.6 : 0.5;
        tracker.input.volume(v, false);
        await null; // one media event per task: whatever the SDK defers to a microtask runs here
      }
      const w = write(); // the burst's deferred queue write
      const t1 = now();
      if (it >= p.warmup) {
        out.push((t1 - t0) / (eventsSeen - before));
        if (w !== null) writes.push(w);
      }
      await flushed(); // keeps the queue as short as a 10 s flush period would
    }
    tracker.destroy();
    return { perEvent: out, writes };
  }
  const { perEvent: perEventInput, writes: writeInput } = await inputEvents({});
  const { perEvent: perEventMemory } = await inputEvents({ storage: null });

  // Per event through a real <video> element and the html5 adapter: seeking/seeked pairs. The same
  // loop on an element without the SDK is the baseline (creating and dispatching the events is the
  // browser's and the player's cost, not the SDK's).
  const videoBaseline: number[] = [];
  {
    const bare = document.createElement('video');
    for (let it = 0; it < p.warmup + p.iterations; it++) {
      const t0 = now();
      for (let i = 0; i < p.burst / 2; i++) {
        bare.dispatchEvent(new Event('seeking'));
        await null;
        bare.dispatchEvent(new Event('seeked'));
        await null;
      }
      if (it >= p.warmup) videoBaseline.push((now() - t0) / p.burst);
    }
  }
  const perEventVideo: number[] = [];
  {
    const video = document.getElementById('v') as HTMLVideoElement;
    const { tracker, flushed, write } = make(noopFetch);
    tracker.attach(B.html5Adapter(video));
    for (let it = 0; it < p.warmup + p.iterations; it++) {
      const before = eventsSeen;
      const t0 = now();
      for (let i = 0; i < p.burst / 2; i++) {
        video.dispatchEvent(new Event('seeking'));
        await null;
        video.dispatchEvent(new Event('seeked'));
        await null;
      }
      write();
      const t1 = now();
      if (it >= p.warmup) perEventVideo.push((t1 - t0) / (eventsSeen - before));
      await flushed();
    }
    tracker.destroy();
  }

  // Per flush, injected fetch answering 204 at once: the SDK's own work.
  const flushNoop: number[] = [];
  {
    const { tracker, flushed } = make(noopFetch);
    tracker.input.volume(1, false, true);
    for (let it = 0; it < p.warmup + p.iterations; it++) {
      for (let i = 0; i < p.flushEvents; i++) tracker.input.volume(i % 2 ? 0.6 : 0.5, false);
      await null;
      const t0 = now();
      await flushed();
      if (it >= p.warmup) flushNoop.push(now() - t0);
    }
    tracker.destroy();
  }

  // Per flush, the browser's fetch to the local endpoint: main-thread parts only.
  const flushFetch: number[] = [];
  const flushFetchSync: number[] = [];
  const fetchCall: number[] = [];
  {
    let response = 0;
    let call = 0;
    const realFetch = (u: string, init: RequestInit) => {
      const t0 = now();
      const pending = fetch(u, init);
      call = now() - t0;
      return pending.then((r) => {
        response = now();
        return r;
      });
    };
    const { tracker, flushed, sentAt } = make(realFetch, { endpoint: '/v1/events' });
    tracker.input.volume(1, false, true);
    const iterations = Math.min(p.iterations, 200);
    for (let it = 0; it < p.warmup + iterations; it++) {
      for (let i = 0; i < p.flushEvents; i++) tracker.input.volume(i % 2 ? 0.6 : 0.5, false);
      await null;
      const sync = await flushed();
      if (it >= p.warmup) {
        flushFetch.push(sync + (sentAt() - response));
        flushFetchSync.push(sync);
        fetchCall.push(call);
      }
    }
    tracker.destroy();
  }

  // Per event with a full queue (an offline viewer: nothing can be sent, every write is large):
  // the event itself, then (untimed there) the deferred write it caused, timed on its own.
  const perEventFullQueue: number[] = [];
  const fullQueueWrite: number[] = [];
  {
    const never: FetchLike = () => new Promise(() => undefined);
    const { tracker, write } = make(never, { maxQueueEvents: 500 });
    tracker.input.volume(1, false, true);
    for (let i = 0; i < 500; i++) tracker.input.volume(i % 2 ? 0.6 : 0.5, false);
    await null;
    write();
    for (let it = 0; it < p.fullQueueEvents; it++) {
      const before = eventsSeen;
      const t0 = now();
      tracker.input.volume(it % 2 ? 0.5 : 0.6, false);
      await null;
      perEventFullQueue.push((now() - t0) / (eventsSeen - before));
      const w = write();
      if (w !== null) fullQueueWrite.push(w);
    }
    tracker.destroy();
  }

  return {
    isolated: window.crossOriginIsolated === true,
    perEventInput,
    writeInput,
    perEventMemory,
    perEventVideo,
    videoBaseline,
    perEventFullQueue,
    fullQueueWrite,
    flushNoop,
    flushFetch,
    flushFetchSync,
    fetchCall,
    eventsSeen,
  };
}
