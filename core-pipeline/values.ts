/**
 * Typed readers for untrusted JSON values. Each returns the value in the type a column needs or
 * throws UnreadableRecordError naming the field; optional readers map `undefined`/`null` to
 * `null`. Kept tiny and allocation-free: they run once per field of every event.
 */
import { UnreadableRecordError } from './errors.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
// In `u` mode a surrogate class matches only unpaired surrogates (pairs are one code point).
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

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

/** A non-empty string. Lone UTF-16 surrogates are refused: no database stores them as text. */
export function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0)
    throw new UnreadableRecordError(field, 'must be a non-empty string');
  if (LONE_SURROGATE.test(v)) throw new UnreadableRecordError(field, 'must be well-formed Unicode');
  return v;
}

/** A string or nothing (empty strings are kept as given). */
export function optStr(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new UnreadableRecordError(field, 'must be a string');
  if (LONE_SURROGATE.test(v)) throw new UnreadableRecordError(field, 'must be well-formed Unicode');
  return v;
}

/** A finite number. */
export function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new UnreadableRecordError(field, 'must be a finite number');
  return v;
}

/** A finite number or nothing. */
export function optNum(v: unknown, field: string): number | null {
  return v === undefined || v === null ? null : num(v, field);
}

/** A safe integer (BIGINT columns, ms timestamps). */
export function int(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw new UnreadableRecordError(field, 'must be an integer');
  return v;
}

/** Latest time accepted anywhere: 9999-12-31T23:59:59.999Z (every time-series store takes it). */
export const MAX_TIME_MS = 253402300799999;

/** A time in ms since the epoch, from 1970 to year 9999. */
export function timeMs(v: unknown, field: string): number {
  const n = int(v, field);
  if (n < 0 || n > MAX_TIME_MS)
    throw new UnreadableRecordError(field, 'must be a time between 1970 and 9999');
  return n;
}

/** A safe integer or nothing. */
export function optInt(v: unknown, field: string): number | null {
  return v === undefined || v === null ? null : int(v, field);
}

/** A 32-bit signed integer (INTEGER columns). */
export function int32(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
    throw new UnreadableRecordError(field, 'must be a 32-bit integer');
  }
  return v;
}

/** A 32-bit signed integer or nothing. */
export function optInt32(v: unknown, field: string): number | null {
  return v === undefined || v === null ? null : int32(v, field);
}

/** A boolean or nothing. */
export function optBool(v: unknown, field: string): boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'boolean') throw new UnreadableRecordError(field, 'must be a boolean');
  return v;
}
