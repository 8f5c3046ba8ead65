/**
 * Errors of the edge area. Bad input never throws (the ingest core answers it with a documented
 * status); these are for infrastructure failures, which callers turn into a 503 or a log line.
 * Each subclass sets `name` and carries the data a caller needs; the underlying SDK error, when
 * there is one, is kept as `cause`.
 */

/** Base class of every error the edge code throws on purpose. */
export class EdgeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EdgeError';
  }
}

/**
 * The Kinesis writer spent its time budget (or ran out of usable streams) before every record
 * was stored. The ingest core answers 503 stream_unavailable; the client retries.
 */
export class StreamUnavailableError extends EdgeError {
  constructor(
    message: string,
    /** Indexes (in the `records` array given to `write`) of records that were NOT stored. */
    readonly failedIndexes: number[],
    /** Number of PutRecords calls made. */
    readonly attempts: number,
    /** Last error code seen (per-entry ErrorCode or the SDK error's name). */
    readonly lastErrorCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StreamUnavailableError';
  }
}

/**
 * A StreamUnavailableError in which every failed attempt was refused for throttling (the shards'
 * write limits, or a throttled API call): the stream is up but over its rate. The ingest core
 * answers 429 throttled with Retry-After; the client retries later, as after a 503.
 */
export class StreamThrottledError extends StreamUnavailableError {
  constructor(
    message: string,
    failedIndexes: number[],
    attempts: number,
    lastErrorCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, failedIndexes, attempts, lastErrorCode, options);
    this.name = 'StreamThrottledError';
  }
}

/** The bad-rows sink could not store rows within its budget. Logged, never shown to clients. */
export class BadRowWriteError extends EdgeError {
  constructor(
    message: string,
    /** Rows that were not stored. */
    readonly failedCount: number,
    readonly lastErrorCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BadRowWriteError';
  }
}

/** A single record is larger than the service accepts; retrying cannot help. */
export class RecordTooLargeError extends EdgeError {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`record of ${bytes} bytes exceeds the ${limit}-byte limit`);
    this.name = 'RecordTooLargeError';
  }
}
