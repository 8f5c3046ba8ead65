/**
 * Errors of the player SDK. The SDK never throws into the host page: these objects are created
 * only to be logged (with the failure that caused them as `cause`), so a host that routes SDK logs
 * to its own monitoring can tell the failure kinds apart by `name`.
 */

/** Base class of every error the SDK reports. */
export class BeaconError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BeaconError';
  }
}

/** Reading or writing the persistent queue failed (quota, privacy mode, a broken storage). */
export class StorageError extends BeaconError {
  constructor(
    message: string,
    /** Storage key involved. */
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

/** A batch could not be delivered (network failure or an HTTP status). */
export class TransportError extends BeaconError {
  constructor(
    message: string,
    /** HTTP status, or 0 for a network failure. */
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** An option was invalid; the SDK used the default instead. */
export class ConfigError extends BeaconError {
  constructor(
    message: string,
    /** Name of the offending option. */
    readonly option: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A host callback or adapter handler threw; the SDK caught it. */
export class CallbackError extends BeaconError {
  constructor(
    message: string,
    /** Which callback: `onEvent`, `onBatchSent`, `adapter`, ... */
    readonly callback: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CallbackError';
  }
}
