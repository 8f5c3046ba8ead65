/**
 * Tracker options and their defaults: the one place where SDK defaults live. `resolveConfig`
 * never throws: an invalid value is replaced by its default and reported in `problems`, which the
 * tracker logs. Defaults that shape stored data (heartbeat period, stall threshold) must not change
 * once data exists, or dashboards would compare unlike numbers.
 */
import type { BeaconBatch, BeaconEvent } from '../schemas/index.js';
import type { Clock, Timers } from './core/clock.js';
import type { LogLevel, LogSink } from './log.js';
import { ConfigError } from './errors.js';

/** The Web Storage subset the persistent queue needs (localStorage satisfies it). */
export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/** Something with add/removeEventListener (window, document, a video element, a fake). */
export interface EventTargetLike {
  addEventListener(type: string, listener: (ev: any) => void, options?: unknown): void;
  removeEventListener(type: string, listener: (ev: any) => void, options?: unknown): void;
}

/** Page lifecycle sources: `window` (pagehide, pageshow) and `document` (visibilitychange). */
export interface PageLike {
  window?: EventTargetLike | null;
  document?: (EventTargetLike & { visibilityState?: string }) | null;
}

/** `fetch` as the SDK calls it. */
export type FetchLike = (
  url: string,
  init: RequestInit,
) => Promise<Pick<Response, 'status' | 'headers' | 'text'>>;

/** `navigator.sendBeacon` as the SDK calls it. */
export type SendBeaconLike = (url: string, data: Blob | string) => boolean;

/** One event the edge refused inside a 200 answer. */
export interface RejectedEvent {
  index: number;
  event_id?: string;
  reason: string;
  detail?: string;
}

/** What happened to one batch; passed to `onBatchSent` after every delivery attempt. */
export interface BatchResult {
  batch: BeaconBatch;
  /** `fetch` (keepalive) or `beacon` (sendBeacon while the page is hidden or closing). */
  via: 'fetch' | 'beacon';
  /** HTTP status; 0 for a network failure or a beacon (whose answer a page never sees). */
  status: number;
  /** sent: delivered (or queued by sendBeacon); retry: kept for a later attempt; dropped: discarded (non-retryable); stopped: 410, the session is silenced. */
  outcome: 'sent' | 'retry' | 'dropped' | 'stopped';
  /** Events the edge refused (200 with a `rejected` list, or 400 no_valid_events). */
  rejected: RejectedEvent[];
}

/** Options of `createTracker`. Only `contentId` is needed in a browser. */
export interface TrackerOptions {
  /** Content being played (`content_id`), or a function read at the start of each session. */
  contentId: string | (() => string);
  /** Ingest URL or path (first-party, through the CDN). Default `/v1/events`. */
  endpoint?: string;
  /** Pseudonymous viewer id. Default: a random id kept in storage (never derived from personal data). */
  viewerId?: string;
  /** Send no `viewer_id` at all and store none (sampling then works per session). Default false. */
  omitViewerId?: boolean;
  /** Id of the first session (e.g. from `?session=`); later sessions get random ids. */
  sessionId?: string;
  /** Fraction of viewers (or sessions) tracked, 0..1. Default 1. */
  sampleRate?: number;
  /** Heartbeat period while playing, ms. Default 10000. */
  heartbeatMs?: number;
  /** Batch flush period, ms. Default 10000. */
  flushMs?: number;
  /** Stalls shorter than this are ignored (counted as played time), ms. Default 250. */
  minStallMs?: number;
  /** Largest batch body in bytes (exclusive). Default 56 KiB (fetch keepalive allows 64 KiB in flight). */
  maxBatchBytes?: number;
  /** Largest persistent queue, in events. Default 500. */
  maxQueueEvents?: number;
  /**
   * Longest a queue change waits before it is written to storage, ms. Default 1000. Hiding or
   * closing the page, a request going out and an answer coming back write at once; only a crash
   * loses the events of the last `persistMs`.
   */
  persistMs?: number;
  /** First retry delay, ms (doubles per attempt, with jitter). Default 1000. */
  retryBaseMs?: number;
  /** Longest retry delay, ms. Default 60000. */
  retryMaxMs?: number;
  /** A request without an answer after this long is aborted and retried, ms. Default 30000. */
  requestTimeoutMs?: number;
  /** HTTP statuses never retried. Default 400, 401, 403, 410, 413, 415, 422. */
  neverRetry?: number[];
  /** Storage for the queue and the viewer id; `null` keeps everything in memory. Default localStorage. */
  storage?: StorageLike | null;
  /** Prefix of storage keys. Default `beacon-edge`. */
  storageKey?: string;
  /** How long another tab's stored queue is considered alive without a renewal, ms. Default 300000. */
  leaseMs?: number;
  fetch?: FetchLike;
  sendBeacon?: SendBeaconLike | null;
  /** Page lifecycle sources; `null` disables visibilitychange/pagehide handling. Default window/document. */
  page?: PageLike | null;
  clock?: Clock;
  timers?: Timers;
  /** Random source for retry jitter. Default Math.random. */
  random?: () => number;
  logLevel?: LogLevel;
  logSink?: LogSink;
  /** Overrides the adapter's `player_name` / `player_version`. */
  playerName?: string;
  playerVersion?: string;
  /** Called for every event the tracker creates (before sampling). */
  onEvent?: (event: BeaconEvent, sessionId: string) => void;
  /** Called after every delivery attempt of a batch. */
  onBatchSent?: (result: BatchResult) => void;
}

/** The options that have defaults, fully specified. */
export interface Defaults {
  endpoint: string;
  sampleRate: number;
  heartbeatMs: number;
  flushMs: number;
  minStallMs: number;
  maxBatchBytes: number;
  maxQueueEvents: number;
  persistMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  requestTimeoutMs: number;
  neverRetry: number[];
  storageKey: string;
  leaseMs: number;
  logLevel: LogLevel;
}

/** Defaults of every option that has one. */
export const DEFAULTS: Readonly<Defaults> = {
  endpoint: '/v1/events',
  sampleRate: 1,
  heartbeatMs: 10_000,
  flushMs: 10_000,
  minStallMs: 250,
  maxBatchBytes: 56 * 1024,
  maxQueueEvents: 500,
  persistMs: 1_000,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
  requestTimeoutMs: 30_000,
  neverRetry: [400, 401, 403, 410, 413, 415, 422],
  storageKey: 'beacon-edge',
  leaseMs: 300_000,
  logLevel: 'warn',
};

/** Options after defaults and validation. */
export type ResolvedConfig = TrackerOptions & Defaults;

/** Numeric options with their allowed range. */
const RANGES: Partial<Record<keyof Defaults, [number, number]>> = {
  sampleRate: [0, 1],
  heartbeatMs: [1_000, 600_000],
  flushMs: [100, 600_000],
  minStallMs: [0, 10_000],
  maxBatchBytes: [1_024, 64 * 1024],
  maxQueueEvents: [10, 100_000],
  persistMs: [0, 60_000],
  retryBaseMs: [10, 600_000],
  retryMaxMs: [10, 86_400_000],
  requestTimeoutMs: [1_000, 600_000],
  leaseMs: [1_000, 86_400_000],
};

/**
 * Applies defaults and validates options. Never throws.
 * @returns the config and the problems found (each a ConfigError naming the option).
 */
export function resolveConfig(options: TrackerOptions): {
  config: ResolvedConfig;
  problems: ConfigError[];
} {
  const problems: ConfigError[] = [];
  const o = (options && typeof options === 'object' ? options : {}) as TrackerOptions &
    Record<string, unknown>;
  const config = { ...o } as Record<string, unknown>;
  for (const key of Object.keys(DEFAULTS) as (keyof Defaults)[]) {
    const value = o[key];
    const def = DEFAULTS[key];
    let ok = value !== undefined;
    const range = RANGES[key];
    if (ok && range) ok = typeof value === 'number' && value >= range[0] && value <= range[1];
    else if (ok && Array.isArray(def))
      ok = Array.isArray(value) && value.every((n) => Number.isInteger(n));
    else if (ok && key === 'logLevel')
      ok = ['silent', 'error', 'warn', 'info', 'debug'].includes(value as string);
    else if (ok && typeof def === 'string') ok = typeof value === 'string' && value.length > 0;
    if (!ok && value !== undefined)
      problems.push(new ConfigError(`invalid ${key}: ${String(value)}; using ${String(def)}`, key));
    config[key] = (ok ? value : Array.isArray(def) ? [...def] : def) as never;
  }
  if (typeof o.contentId !== 'string' && typeof o.contentId !== 'function') {
    problems.push(new ConfigError('contentId missing', 'contentId'));
    config.contentId = 'unknown';
  }
  return { config: config as unknown as ResolvedConfig, problems };
}
