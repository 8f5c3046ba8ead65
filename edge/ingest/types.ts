/**
 * Types of the pure ingest core. The core knows nothing of CloudFront or AWS: adapters (the
 * Lambda@Edge handler, the local emulator, tests) build an IngestRequest and send the
 * IngestResult back in their own shape; storage is injected as a RecordWriter and a BadRowSink.
 */
import type { EdgeConfig, StreamTarget } from '../config.js';
import type { CmcdRecord } from '../../schemas/cmcd.js';
import type { EnrichedRecord, RefusalRecord, RolloutRefusalReason } from '../../schemas/record.js';

/** What the edge writes on an events stream: a beacon batch's record, or a CMCD session's. */
export type StreamRecord = EnrichedRecord | CmcdRecord;

/** One HTTP request as the core sees it. */
export interface IngestRequest {
  method: string;
  /** Path without query string, e.g. `/v1/events`. */
  path: string;
  /**
   * The query string without `?` (CloudFront's `querystring`), when there is one: the CMCD path
   * reads the player's name and version from it (CMCD_QUERY_PARAMS).
   */
  query?: string;
  /** Header name (lowercase) → value (several values joined with `, `). */
  headers: Record<string, string>;
  /** Raw body bytes, or null when there is none. */
  body: Uint8Array | null;
  /** CloudFront cut the body (`inputTruncated`): it was larger than it forwards. */
  bodyTruncated: boolean;
  /** CloudFront request id; kept in records and bad rows for tracing. */
  requestId: string;
  /** Region where this handler runs (`AWS_REGION` on Lambda@Edge). */
  servingRegion: string;
  /** Server clock, ms since epoch; used when the viewer-request stamp is missing. */
  now: number;
}

/** The answer to send back. Header names are lowercase. A 204 never has a body. */
export interface IngestResult {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** Stores accepted records. Implementations: Kinesis (edge/writers), in-memory (tests, bench). */
export interface RecordWriter {
  /**
   * Stores every record, trying the streams of `route` in order (nearest first). Resolves only
   * when all records are stored; rejects (StreamUnavailableError) otherwise. A writer that falls
   * back to another stream sets `edge.stream_region` of what it stores to that stream's region.
   */
  write(records: StreamRecord[], route: StreamTarget[]): Promise<void>;
}

/**
 * Stores rejected events and bodies, and rollout refusals (they travel on the same stream and
 * are told apart by `kind`). Implementations: Firehose, Kinesis (local), in-memory.
 */
export interface BadRowSink {
  /** Resolves when every row is stored; rejects (BadRowWriteError) otherwise. */
  write(rows: RefusalRecord[]): Promise<void>;
}

/** Minimal structured logger; Lambda@Edge logs go to CloudWatch in the serving region. */
export interface IngestLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What the core needs from its host. */
export interface IngestDeps {
  config: EdgeConfig;
  writer: RecordWriter;
  badRows: BadRowSink;
  log?: IngestLogger;
}

/** Machine-readable reasons for rejecting a whole request (see the brief's status table). */
export type BodyReason =
  | 'not_found'
  | 'method_not_allowed'
  | 'origin_not_allowed'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'body_truncated'
  | 'too_many_events'
  | 'empty_body'
  | 'invalid_utf8'
  | 'invalid_json'
  | 'too_deep'
  | 'invalid_envelope'
  | 'unknown_schema_version'
  | 'no_valid_events'
  | RolloutRefusalReason
  | 'stream_unavailable'
  | 'internal_error';

/**
 * Machine-readable reasons for rejecting one event of a batch, or one line of a CMCD body
 * (edge/cmcd/): `invalid_cmcd` (not a CMCD dictionary), `line_too_long`, `invalid_report` (the
 * schema or cml-cmcd refuses it), `missing_session` (no `sid`), `duplicate_report`; a line of a
 * session the rollout switch refused, in a request where another session was accepted, is listed
 * with the rollout's reason.
 */
export type EventReason =
  | 'invalid_event'
  | 'duplicate_event_id'
  | 'timestamp_out_of_range'
  | 'invalid_cmcd'
  | 'line_too_long'
  | 'invalid_report'
  | 'missing_session'
  | 'duplicate_report'
  | RolloutRefusalReason;

/** One rejected event, as listed in 200/400 response bodies. */
export interface EventRejection {
  index: number;
  event_id?: string;
  reason: EventReason;
  detail: string;
}

/** A whole-request rejection: status, reason and human detail. */
export interface BodyRejection {
  status: number;
  reason: BodyReason;
  detail: string;
  /** Rollout refusals (410): the version to move to, when the rule names one. */
  upgrade?: string;
}
