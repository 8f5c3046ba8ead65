/**
 * The one place for schema names, versions, event types, limits and the edge→core record
 * contract, shared by the browser SDK, the edge and the core pipeline. This file only
 * re-exports; each fact lives in the module named below.
 *
 * Everything here stays dependency-free: the browser SDK and the CloudFront bundles import it.
 */
export { CURRENT_SCHEMA_VERSION, SCHEMA_VERSIONS, type SchemaVersion } from './versions.js';
export {
  DEMO_EVENT_TYPES,
  EVENT_TYPES,
  SESSION_END_REASONS,
  DRM_SYSTEMS,
  type BeaconBatch,
  type BeaconEvent,
  type BeaconEventV2,
  type CumulativeCounters,
  type CumulativeCountersV2,
  type DrmSystem,
  type EventBase,
  type EventOf,
  type EventType,
  type SessionEndReason,
  type WireEvent,
  type WireEventOf,
} from './events.js';
export { LIMITS } from './limits.js';
export {
  BAD_ROW_PAYLOAD_ENCODINGS,
  RECORD_VERSION,
  type BadRow,
  type EdgeContext,
  type EnrichedEvent,
  type EnrichedRecord,
  type GeoContext,
  type RefusalRecord,
  type RolloutRefusal,
} from './record.js';
