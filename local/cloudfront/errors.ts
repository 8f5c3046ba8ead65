/**
 * Errors of the local CloudFront Functions sandbox (function-sandbox.ts). They describe what
 * CloudFront would refuse or fail on, so the emulator turns them into CloudFront's 503; they are
 * not LocalStackErrors (local/errors.ts), whose messages the CLI prints to the user as they are.
 */

/** Base class of the sandbox's errors. */
export class CloudFrontFunctionError extends Error {
  override name = 'CloudFrontFunctionError';
}

/** The code cannot be loaded: syntax error, unsupported import, or no top-level `handler`. */
export class CloudFrontFunctionLoadError extends CloudFrontFunctionError {
  override name = 'CloudFrontFunctionLoadError';
}

/** The handler threw, timed out or returned an invalid result. */
export class CloudFrontFunctionExecutionError extends CloudFrontFunctionError {
  override name = 'CloudFrontFunctionExecutionError';
}
