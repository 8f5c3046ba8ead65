/**
 * The options of `createTracker`, as a host passes them: what to report (content, viewer,
 * session), how and when to send, and the injected browser interfaces. Their defaults are in
 * `defaults.ts`; `resolve.ts` applies and checks them.
 */
import type { BeaconEvent, SchemaVersion } from '../../schemas/index.js';
import type { Clock, Timers } from '../core/clock.js';
import type { LogLevel, LogSink } from '../log.js';
import type { BatchResult, DeprecationNotice, StopReason } from '../transport/results.js';
import type { FetchLike, PageLike, SendBeaconLike, StorageLike } from './ports.js';

/** Options of `createTracker`. Only `contentId` is needed in a browser. */
export interface TrackerOptions {
  /** Content being played (`content_id`), or a function read at the start of each session. */
  contentId: string | (() => string);
  /** Ingest URL or path (first-party, through the CDN). Default `/v1/events`. */
  endpoint?: string;
  /**
   * Schema version the batches declare and are written in: `1-0-0`, `1-1-0` or `2-0-0`. Default
   * the current one (2-0-0). An older version is for a rollout that holds a release back; 1-0-0
   * leaves out the fields 1-1-0 added.
   */
  schemaVersion?: SchemaVersion;
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
  /** Ceiling of the first retry's delay, ms; doubles per attempt, the delay a random point below it. Default 1000. */
  retryBaseMs?: number;
  /** Largest retry delay ceiling, ms. Default 60000. */
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
  /**
   * Called once per tracker when the edge answers with `Deprecation` (and `Sunset`) headers: the
   * version or SDK release this page sends is deprecated and will be retired. The SDK also logs it
   * once per page (warn).
   */
  onDeprecation?: (notice: DeprecationNotice) => void;
  /**
   * Called when the edge answers 410 Gone: the session (or, for a retired schema version or SDK
   * release, every later session of this tracker) sends nothing more. `tracker.stopped` keeps it.
   */
  onStopped?: (reason: StopReason) => void;
}
