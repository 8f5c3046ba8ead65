/**
 * Errors of the core pipeline. One base class so callers can tell "ours" from anything else;
 * named subclasses carry the data a caller needs to react (a reason code for bad rows, a field
 * name for a 400). Infrastructure failures are re-thrown with the original error as `cause`.
 */

/** Base class of every error the core pipeline raises on purpose. */
export class CorePipelineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CorePipelineError';
  }
}

/**
 * A Kinesis record carries a `record_version` this build cannot read (a newer edge wrote it).
 * The consumer turns it into a bad row with reason `unreadable_record`, so the payload is kept
 * and the shard moves on.
 */
export class UnsupportedRecordVersionError extends CorePipelineError {
  readonly reason = 'unreadable_record';
  constructor(readonly recordVersion: unknown) {
    super(`unsupported record_version ${JSON.stringify(recordVersion)}`);
    this.name = 'UnsupportedRecordVersionError';
  }
}

/**
 * A record (or bad-row record) is not what the edge contract promises: not JSON, wrong shape,
 * a field of the wrong type. `field` names the first offending field ('' for the whole record).
 * Becomes a bad row with reason `unreadable_record`.
 */
export class UnreadableRecordError extends CorePipelineError {
  readonly reason = 'unreadable_record';
  constructor(
    readonly field: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(field ? `${field}: ${detail}` : detail, options);
    this.name = 'UnreadableRecordError';
  }
}

/**
 * One event inside an otherwise readable record has a wrong shape. Only that event becomes a
 * bad row (reason `invalid_record_event`); the other events of the record are stored.
 */
export class InvalidRecordEventError extends CorePipelineError {
  readonly reason = 'invalid_record_event';
  constructor(
    readonly index: number,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`events[${index}].${field}: ${detail}`);
    this.name = 'InvalidRecordEventError';
  }
}

/** A sink could not store a batch (database, network). Carries the underlying error as `cause`. */
export class SinkWriteError extends CorePipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SinkWriteError';
  }
}

/**
 * A query was given an input outside its allow-list or range. The dashboard API maps it to
 * `400 {"error":"invalid_query","detail":...}`; `field` names the parameter.
 */
export class InvalidQueryError extends CorePipelineError {
  readonly reason = 'invalid_query';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'InvalidQueryError';
  }
}

/**
 * The consumer's configuration (the Lambda's environment) is missing or wrong. `variable` names
 * the environment variable to fix.
 */
export class ConsumerConfigError extends CorePipelineError {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
    this.name = 'ConsumerConfigError';
  }
}

/** The store was used after `close()`. */
export class StoreClosedError extends CorePipelineError {
  constructor() {
    super('the store is closed');
    this.name = 'StoreClosedError';
  }
}
