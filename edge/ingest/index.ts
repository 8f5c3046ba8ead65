/** The pure ingest core (no AWS, no CloudFront): see ingest.ts. */
export { ingest } from './ingest.js';
export type { BadRowSink, IngestRequest, RecordWriter } from './types.js';
