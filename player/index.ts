/**
 * beacon-edge browser SDK, core entry: the tracker, its options and the adapter contract. Player
 * adapters are separate entries (`adapters/html5`, `adapters/hlsjs`, `adapters/dashjs`) so a page
 * loads only the one it uses. No runtime dependencies.
 *
 * @example
 * import { createTracker } from 'beacon-edge/player';
 * import { hlsjsAdapter } from 'beacon-edge/player/adapters/hlsjs';
 * const tracker = createTracker({ contentId: 'big-buck-bunny', endpoint: '/v1/events' });
 * tracker.attach(hlsjsAdapter(hls));
 */
export { createTracker, type Tracker, type SessionEndReason } from './core/tracker.js';
export { DEFAULTS } from './config/defaults.js';
export { resolveConfig } from './config/resolve.js';
export type { TrackerOptions } from './config/options.js';
export type {
  BatchResult,
  DeprecationNotice,
  RejectedEvent,
  StopReason,
} from './transport/results.js';
export type { MediaInfo } from './core/adapter.js';
/** The schema versions this SDK can send (`schemaVersion` option) and its default. */
export { CURRENT_SCHEMA_VERSION, SCHEMA_VERSIONS, type SchemaVersion } from '../schemas/index.js';
export type {
  StorageLike,
  PageLike,
  EventTargetLike,
  FetchLike,
  SendBeaconLike,
} from './config/ports.js';
export type {
  AdapterFactory,
  AdapterHandle,
  PlayerInput,
  Rendition,
  SegmentTiming,
} from './core/adapter.js';
export type { Clock, Timers } from './core/clock.js';
export type { QoeCounters } from './core/qoe.js';
export type { LogLevel, LogSink } from './log.js';
export { BeaconError, StorageError, TransportError, ConfigError, CallbackError } from './errors.js';
export { SDK_NAME, SDK_VERSION } from './version.js';
export { decide, retryDelay, parseRetryAfter } from './transport/retry.js';
export { isSampled, sampleValue } from './core/sampling.js';
