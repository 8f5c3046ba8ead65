/**
 * Typed readers for untrusted JSON values. Each returns the value in the type a column needs or
 * throws UnreadableRecordError naming the field; optional readers map `undefined`/`null` to
 * `null`. What a column can hold is decided by schemas/storable.ts, the checks the edge runs
 * before it acknowledges: these readers only call them. Kept tiny and allocation-free: they run
 * once per field of every event.
 */
import {
  bigintProblem,
  booleanProblem,
  cutCodePoints,
  doubleProblem,
  fitsLength,
  int32Problem,
  isFiniteNumber,
  isInt32,
  isTimeMs,
  isWellFormed,
  textProblem,
  timeProblem,
  toWellFormed,
  type StorageKind,
} from '../schemas/storable.js';
import type { FieldRule, FieldRules } from '../schemas/storage-rules.js';
import { UnreadableRecordError } from './errors.js';

/** Parses UTF-8 bytes (or a string) as JSON. */
export function json(data: Uint8Array | string): unknown {
  let text: string;
  try {
    text = typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch (cause) {
    throw new UnreadableRecordError('', 'data is not valid UTF-8', { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new UnreadableRecordError('', 'data is not valid JSON', { cause });
  }
}

/** A plain (non-array) object. */
export function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new UnreadableRecordError(field, 'must be an object');
  }
  return v as Record<string, unknown>;
}

function fail(field: string, problem: string | undefined): UnreadableRecordError {
  return new UnreadableRecordError(field, problem ?? 'cannot be stored');
}

// Each reader tests the shared predicate first and asks the shared checker for its message only
// on failure: the happy path stays a type test and a compare, small enough for V8 to inline all
// of an event's reads.

/** A non-empty, well-formed string. */
export function str(v: unknown, field: string): string {
  if (typeof v === 'string' && v.length > 0 && isWellFormed(v)) return v;
  throw fail(field, textProblem(v, true));
}

/** A well-formed string or nothing (empty strings are kept as given). */
export function optStr(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' && isWellFormed(v)) return v;
  throw fail(field, textProblem(v, false));
}

/**
 * A non-empty string, with unpaired surrogates replaced by U+FFFD: the backstop for strings the
 * edge itself vouches for (envelope, geo, edge context), so one bad character costs that
 * character, not every event of the record.
 */
export function repairedStr(v: unknown, field: string): string {
  if (typeof v === 'string' && v.length > 0) return toWellFormed(v);
  throw fail(field, textProblem(v, true));
}

/** A string or nothing, repaired as by {@link repairedStr}. */
export function repairedOptStr(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return toWellFormed(v);
  throw fail(field, textProblem(v, false));
}

/**
 * The reader of a text field of at most `max` code points: `str` / `optStr` with the length
 * check. A closure per field, built once: each call site in transform.ts sees one function.
 */
function boundedStr(max: number, required: boolean): Reader<string | null> {
  if (required) {
    return (v, field) => {
      if (typeof v === 'string' && v.length > 0 && fitsLength(v, max) && isWellFormed(v)) return v;
      throw fail(field, textProblem(v, true, max));
    };
  }
  return (v, field) => {
    if (v === undefined || v === null) return null;
    if (typeof v === 'string' && fitsLength(v, max) && isWellFormed(v)) return v;
    throw fail(field, textProblem(v, false, max));
  };
}

/**
 * The repairing reader of a text field of at most `max` code points: a longer string is cut on a
 * whole code point and unpaired surrogates become U+FFFD (`repairedStr` / `repairedOptStr` with
 * the cut), so an over-long shared string costs its tail, not the record's events.
 */
function cutStr(max: number, required: boolean): Reader<string | null> {
  if (required) {
    return (v, field) => {
      if (typeof v === 'string' && v.length > 0) return cutCodePoints(v, max);
      throw fail(field, textProblem(v, true));
    };
  }
  return (v, field) => {
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return cutCodePoints(v, max);
    throw fail(field, textProblem(v, false));
  };
}

/** A finite number. */
export function num(v: unknown, field: string): number {
  if (isFiniteNumber(v)) return v;
  throw fail(field, doubleProblem(v));
}

/** A finite number or nothing. */
export function optNum(v: unknown, field: string): number | null {
  return v === undefined || v === null ? null : num(v, field);
}

/** A safe integer (BIGINT columns). */
export function int(v: unknown, field: string): number {
  if (Number.isSafeInteger(v)) return v as number;
  throw fail(field, bigintProblem(v));
}

/** A safe integer or nothing. */
export function optInt(v: unknown, field: string): number | null {
  return v === undefined || v === null ? null : int(v, field);
}

/** A time in ms since the epoch, from 1970 to year 9999. */
export function timeMs(v: unknown, field: string): number {
  if (isTimeMs(v)) return v;
  throw fail(field, timeProblem(v));
}

/** A time or nothing. */
export function optTimeMs(v: unknown, field: string): number | null {
  return v === undefined || v === null ? null : timeMs(v, field);
}

/** A 32-bit signed integer (INTEGER columns). */
export function int32(v: unknown, field: string): number {
  if (isInt32(v)) return v;
  throw fail(field, int32Problem(v));
}

/** A 32-bit signed integer or nothing. */
export function optInt32(v: unknown, field: string): number | null {
  return v === undefined || v === null ? null : int32(v, field);
}

/** A boolean. */
export function bool(v: unknown, field: string): boolean {
  if (typeof v === 'boolean') return v;
  throw fail(field, booleanProblem(v));
}

/** A boolean or nothing. */
export function optBool(v: unknown, field: string): boolean | null {
  return v === undefined || v === null ? null : bool(v, field);
}

/** The JavaScript type of each column kind. */
interface KindValue {
  text: string;
  int32: number;
  bigint: number;
  double: number;
  time: number;
  boolean: boolean;
}

/** What a reader of `R` returns: the kind's type, or null too when the field is optional. */
export type ValueOf<R extends FieldRule> =
  | KindValue[R['kind']]
  | (R['required'] extends true ? never : null);

/** A reader of one field: the value as its column needs it, or an UnreadableRecordError naming `field`. */
export type Reader<T> = (v: unknown, field: string) => T;

/** One reader per field of a rule table. */
export type Readers<T extends FieldRules> = { readonly [K in keyof T]: Reader<ValueOf<T[K]>> };

type KindReaders = { readonly [K in StorageKind]: Reader<KindValue[K] | null> };

const REQUIRED: KindReaders = {
  text: str,
  int32,
  bigint: int,
  double: num,
  time: timeMs,
  boolean: bool,
};
const OPTIONAL: KindReaders = {
  text: optStr,
  int32: optInt32,
  bigint: optInt,
  double: optNum,
  time: optTimeMs,
  boolean: optBool,
};

/**
 * The reader of every field of a rule table (schemas/storage-rules.ts): the core reads each field
 * with exactly the check the edge ran on it. Non-text fields get the plain functions above; text
 * fields a closure over their maximum length ({@link boundedStr}). With `repairText`, text fields
 * are cut and repaired instead of refused (see {@link cutStr}).
 * @example const E = readersOf(EVENT_FIELDS); E.seq(event.seq, 'seq') // a 32-bit integer, or throws
 */
export function readersOf<T extends FieldRules>(
  rules: T,
  opts: { repairText?: boolean } = {},
): Readers<T> {
  const out: Record<string, Reader<unknown>> = {};
  for (const [field, rule] of Object.entries(rules)) {
    if (rule.kind === 'text') {
      out[field] = (opts.repairText ? cutStr : boundedStr)(rule.maxLength, rule.required);
    } else {
      out[field] = (rule.required ? REQUIRED : OPTIONAL)[rule.kind];
    }
  }
  // Copied into a fresh literal: keyed stores in a loop leave V8 with a slow (dictionary) object,
  // and every per-event read goes through this one.
  return { ...out } as Readers<T>;
}
