/**
 * Command-line parsing for `beacons`: node:util parseArgs plus checked numbers, turning every
 * mistake into a {@link UsageError} with a message meant for the user.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `args` against `options`; unknown flags and stray positionals are usage errors. */
export function parseFlags<T extends Options>(command: string, args: string[], options: T) {
  return parse(command, args, options, false).values;
}

/** Like {@link parseFlags}, with positional arguments (subcommands and their operands) allowed. */
export function parseCommandLine<T extends Options>(command: string, args: string[], options: T) {
  return parse(command, args, options, true);
}

function parse<T extends Options>(
  command: string,
  args: string[],
  options: T,
  allowPositionals: boolean,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (err) {
    const message =
      err instanceof Error
        ? err.message.replace(/\. To specify a positional argument.*$/s, '')
        : String(err);
    throw new UsageError(`beacons ${command}: ${message}\nRun "beacons help" for the flags.`);
  }
}

/**
 * Reads a numeric flag: `fallback` when the flag is absent, else its value, which must lie
 * within [min, max].
 */
type NumericFlag = (
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
) => number;

/** `n` when it lies within [min, max]; a usage error naming the flag otherwise. */
function inRange(name: string, n: number, min: number, max: number): number {
  if (n < min || n > max)
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** An integer flag within [min, max], or `fallback` when absent. */
export const intFlag: NumericFlag = (name, value, fallback, min, max) => {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()))
    throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return inRange(name, Number(value), min, max);
};

/** A number flag (decimals allowed) within [min, max], or `fallback` when absent. */
export const numberFlag: NumericFlag = (name, value, fallback, min, max) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number, got "${value}"`);
  return inRange(name, n, min, max);
};
