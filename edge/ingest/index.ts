/** The pure ingest core (no AWS, no CloudFront): see ingest.ts. */
export { ingest } from './ingest.js';
export type {
  BadRowSink,
  BodyReason,
  BodyRejection,
  EventReason,
  EventRejection,
  IngestDeps,
  IngestLogger,
  IngestRequest,
  IngestResult,
  RecordWriter,
} from './types.js';
export { jsonDepthExceeds } from './parse.js';
export { parseEdgeStamp, readDevice, readGeo, type EdgeStamp } from './enrich.js';
export {
  MAX_JSON_DEPTH,
  MAX_EVENT_AHEAD_MS,
  RETRY_AFTER_SECONDS,
} from './limits.js';
