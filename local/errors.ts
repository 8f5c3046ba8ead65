/**
 * Errors of the local stack (`beacons dev`, `beacons simulate`). The CLI prints `message` of a
 * {@link LocalStackError} as-is (they are written for the user) and a stack trace for anything else.
 */

/** Base class: every error the local stack throws on purpose. */
export class LocalStackError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalStackError';
  }
}

/** Bad command line: unknown command, unknown flag, bad value. Exit code 2. */
export class UsageError extends LocalStackError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The HTTP port is taken by another process. */
export class PortInUseError extends LocalStackError {
  constructor(
    readonly host: string,
    readonly port: number,
    cause?: unknown,
  ) {
    super(`port ${port} on ${host} is already in use; stop the other process or pass --port <n>`, {
      cause,
    });
    this.name = 'PortInUseError';
  }
}

/** Another process (usually a second `beacons dev`) holds the data directory's locks. */
export class DataDirBusyError extends LocalStackError {
  constructor(
    readonly dataDir: string,
    cause?: unknown,
  ) {
    super(
      `data directory ${dataDir} is in use by another process (is "beacons dev" already running?)`,
      { cause },
    );
    this.name = 'DataDirBusyError';
  }
}

/** A build output the stack needs is missing or failed to build. */
export class BuildError extends LocalStackError {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'BuildError';
  }
}

/** A part of the stack (kinesalite, DuckDB, the consumer) failed to start. */
export class StartupError extends LocalStackError {
  constructor(
    readonly part: string,
    cause: unknown,
  ) {
    super(`could not start ${part}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'StartupError';
  }
}
