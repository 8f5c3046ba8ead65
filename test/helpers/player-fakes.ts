import type { BeaconBatch, BeaconEvent } from '../../schemas/index.js';
import type { FetchLike, StorageLike } from '../../player/config/ports.js';
import type { MediaElementLike } from '../../player/adapters/html5.js';

type Listener = (ev: unknown) => void;

/** The keys of each member of a union (`keyof` of a union keeps only the common ones). */
type KeysOfEach<T> = T extends unknown ? keyof T : never;

/** Any event type's fields, each optional: for tests that read the same fields across types. */
export type EventFields = Partial<Record<KeysOfEach<BeaconEvent>, unknown>>;

/** An EventTarget that records listeners, so tests can check detach removed every one. */
class FakeTarget {
  readonly listeners = new Map<string, Set<Listener>>();
  added = 0;
  removed = 0;
  addEventListener(type: string, fn: Listener): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    const set = this.listeners.get(type)!;
    if (!set.has(fn)) this.added++;
    set.add(fn);
  }
  removeEventListener(type: string, fn: Listener): void {
    if (this.listeners.get(type)?.delete(fn)) this.removed++;
  }
  /** Listeners currently registered. */
  count(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
  dispatch(type: string, ev: Record<string, unknown> = {}): void {
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn({ type, ...ev });
  }
}

/** A video element driven by the test: each helper changes state the way a browser would, then fires. */
export class FakeVideo extends FakeTarget implements MediaElementLike {
  currentTime = 0;
  paused = true;
  ended = false;
  volume = 1;
  muted = false;
  autoplay = false;
  currentSrc = 'https://cdn.example/a.m3u8';
  readyState = 0;
  error: { code: number; message?: string } | null = null;
  dropped = 0;
  getVideoPlaybackQuality() {
    return { droppedVideoFrames: this.dropped };
  }
  play(): void {
    this.paused = false;
    this.dispatch('play');
  }
  playing(): void {
    this.readyState = 4;
    this.dispatch('playing');
  }
  /** Moves the playhead and fires timeupdate. */
  tick(seconds: number): void {
    this.currentTime += seconds;
    this.dispatch('timeupdate');
  }
  pause(): void {
    this.paused = true;
    this.dispatch('pause');
  }
  waiting(): void {
    this.readyState = 2;
    this.dispatch('waiting');
  }
  seek(to: number): void {
    this.currentTime = to;
    this.dispatch('seeking');
  }
  seeked(): void {
    this.dispatch('seeked');
  }
  setVolume(volume: number, muted = this.muted): void {
    this.volume = volume;
    this.muted = muted;
    this.dispatch('volumechange');
  }
  end(): void {
    this.ended = true;
    this.paused = true;
    this.dispatch('pause');
    this.dispatch('ended');
  }
  fail(code: number, message?: string): void {
    this.error = { code, message };
    this.dispatch('error');
  }
  load(src: string): void {
    this.currentSrc = '';
    this.currentTime = 0;
    this.paused = true;
    this.ended = false;
    this.dispatch('emptied');
    this.currentSrc = src;
    this.dispatch('loadstart');
  }
}

/** Web Storage in memory. */
export class MemoryStorage implements StorageLike {
  readonly map = new Map<string, string>();
  /** setItem/removeItem calls so far. */
  writes = 0;
  get length(): number {
    return this.map.size;
  }
  key(i: number): string | null {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k: string): string | null {
    return this.map.has(k) ? this.map.get(k)! : null;
  }
  setItem(k: string, v: string): void {
    this.writes++;
    this.map.set(k, String(v));
  }
  removeItem(k: string): void {
    this.writes++;
    this.map.delete(k);
  }
}

/** A storage whose every call throws (privacy mode, a broken polyfill). */
export class ThrowingStorage implements StorageLike {
  get length(): number {
    throw new Error('storage disabled');
  }
  key(): string | null {
    throw new Error('storage disabled');
  }
  getItem(): string | null {
    throw new Error('storage disabled');
  }
  setItem(): void {
    throw new DOMException('quota', 'QuotaExceededError');
  }
  removeItem(): void {
    throw new Error('storage disabled');
  }
}

/** How the fake server answers one request. */
export type FakeAnswer =
  | { status: number; body?: string; headers?: Record<string, string> }
  | 'network-error'
  | 'hang';

/** A recording fetch; answers from a script (then `fallback`, default 204). */
export function fakeFetch(script: FakeAnswer[] = [], fallback: FakeAnswer = { status: 204 }) {
  const calls: { url: string; init: RequestInit; batch: BeaconBatch }[] = [];
  const answers = [...script];
  const fn: FetchLike = async (url, init) => {
    calls.push({ url, init, batch: JSON.parse(String(init.body)) });
    const a = answers.length ? answers.shift()! : fallback;
    if (a === 'network-error') throw new TypeError('Failed to fetch');
    if (a === 'hang') {
      // No answer ever; only an abort ends it, as with a real fetch.
      return new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () =>
          reject(new DOMException('aborted', 'AbortError')),
        );
      });
    }
    const headers = new Map(Object.entries(a.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return {
      status: a.status,
      headers: { get: (k: string) => headers.get(k.toLowerCase()) ?? null } as Headers,
      text: async () => a.body ?? '',
    };
  };
  return { fn, calls, answers, events: () => calls.flatMap((c) => c.batch.events) };
}

/** A recording sendBeacon; `accept` decides whether the browser queues a body. */
export function fakeBeacon(accept: (n: number) => boolean = () => true) {
  const calls: { url: string; data: Blob | string }[] = [];
  const fn = (url: string, data: Blob | string) => {
    calls.push({ url, data });
    return accept(calls.length);
  };
  const batches = async () =>
    Promise.all(
      calls.map(
        async (c) =>
          JSON.parse(typeof c.data === 'string' ? c.data : await c.data.text()) as BeaconBatch,
      ),
    );
  return { fn, calls, batches };
}

/** window + document with a settable visibility. */
export function fakePage() {
  const window = new FakeTarget();
  const document = Object.assign(new FakeTarget(), { visibilityState: 'visible' });
  return {
    window,
    document,
    hide() {
      document.visibilityState = 'hidden';
      document.dispatch('visibilitychange');
    },
    show() {
      document.visibilityState = 'visible';
      document.dispatch('visibilitychange');
    },
    close() {
      this.hide();
      window.dispatch('pagehide', { persisted: false });
    },
  };
}
