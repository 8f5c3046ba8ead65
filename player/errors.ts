/**
 * Errors of the player SDK. The SDK never throws into the host page: these objects are created
 * only to be logged (with the failure that caused them as `cause`), so a host that routes SDK logs
 * to its own monitoring can tell the failure kinds apart by `name`. Fields are assigned in the
 * constructor (not declared as class fields) to keep the ES2020 bundle free of field helpers.
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
  /** Storage key involved. */
  declare readonly key: string;
  constructor(message: string, key: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    (this as { key: string }).key = key;
  }
}

/** A batch could not be delivered (network failure or an HTTP status). */
export class TransportError extends BeaconError {
  /** HTTP status, or 0 for a network failure. */
  declare readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
    (this as { status: number }).status = status;
  }
}

/** An option was invalid; the SDK used the default instead. */
export class ConfigError extends BeaconError {
  /** Name of the offending option. */
  declare readonly option: string;
  constructor(message: string, option: string) {
    super(message);
    this.name = 'ConfigError';
    (this as { option: string }).option = option;
  }
}

/** A host callback or adapter handler threw; the SDK caught it. */
export class CallbackError extends BeaconError {
  /** Which callback: `onEvent`, `onBatchSent`, `adapter.detach`, ... */
  declare readonly callback: string;
  constructor(message: string, callback: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CallbackError';
    (this as { callback: string }).callback = callback;
  }
}
