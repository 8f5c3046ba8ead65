/**
 * Command-line parsing for `beacons`: node:util parseArgs plus checked numbers, turning every
 * mistake into a {@link UsageError} with a message meant for the user.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `args` against `options`; unknown flags and stray positionals are usage errors. */
export function parseFlags<T extends Options>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const message =
      err instanceof Error
        ? err.message.replace(/\. To specify a positional argument.*$/s, '')
        : String(err);
    throw new UsageError(`beacons ${command}: ${message}\nRun "beacons help" for the flags.`);
  }
}

/** An integer flag within [min, max], or `fallback` when absent. */
export function intFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()))
    throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max)
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A number flag (decimals allowed) within [min, max], or `fallback` when absent. */
export function numberFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number, got "${value}"`);
  if (n < min || n > max)
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}
