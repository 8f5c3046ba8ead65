/**
 * What a value must be for the store to keep it, decided once for the edge and the core pipeline:
 * strings must be well-formed Unicode (no unpaired UTF-16 surrogate: no database stores one as
 * text) and no longer than their field's maximum, integers must fit their column, numbers must be finite, times must lie between 1970 and
 * 9999. The edge refuses or repairs a value that fails (see `storage-rules.ts` and README.md); the
 * core reads every value with these same checks, so whatever the edge writes the core can store.
 *
 * Pure JavaScript (no Node or DOM API): the browser SDK, the edge bundles and the core import it.
 */

/** In `u` mode a surrogate class matches only unpaired surrogates (a pair is one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const LONE_SURROGATES = /[\uD800-\uDFFF]/gu;

/** U+FFFD REPLACEMENT CHARACTER: the Unicode mark of a repaired character. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

/** Smallest and largest value of a 32-bit signed integer (INTEGER columns). */
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Latest time accepted anywhere: 9999-12-31T23:59:59.999Z (every time-series store takes it). */
export const MAX_TIME_MS = 253402300799999;

/**
 * `String.prototype.isWellFormed` where the runtime has it (Node 20, current browsers): V8 answers
 * at once for a one-byte string, which most values are, where a regex scans every character. The
 * language level this code is typed against predates it, hence the look-up.
 */
const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean })
  .isWellFormed;

/** True when `s` holds no unpaired surrogate. */
export function isWellFormed(s: string): boolean {
  return nativeIsWellFormed ? nativeIsWellFormed.call(s) : !LONE_SURROGATE.test(s);
}

/**
 * `s` with every unpaired surrogate replaced by U+FFFD (`String.prototype.toWellFormed`); a
 * well-formed string is returned as it is.
 * @example toWellFormed('a\uD800b') // 'a\uFFFDb'
 */
export function toWellFormed(s: string): string {
  return isWellFormed(s) ? s : s.replace(LONE_SURROGATES, REPLACEMENT_CHARACTER);
}

/** A `\u` escape of a surrogate code unit in JSON text. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * False when no string `JSON.parse` makes of `json` can hold an unpaired surrogate: text decoded
 * from valid UTF-8 has none of its own, so one can only come from a `\uD800`-style escape. One
 * scan of the body lets the edge skip checking every string of every event in the usual case.
 */
export function jsonMayHoldLoneSurrogate(json: string): boolean {
  // Most bodies hold no escape at all, and indexOf finds that far faster than the regex.
  return json.includes('\\u') && SURROGATE_ESCAPE.test(json);
}

/**
 * The UTF-16 index where the first `max` code points of `s` end: a cut there never splits a
 * surrogate pair. Code points are what JSON Schema's `maxLength` counts.
 */
export function codePointEnd(s: string, max: number): number {
  if (s.length <= max) return s.length;
  let end = 0;
  for (let n = 0; n < max && end < s.length; n++) {
    const c = s.charCodeAt(end);
    const next = s.charCodeAt(end + 1);
    end += c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
  }
  return end;
}

/**
 * True when `s` has at most `max` code points (an unpaired surrogate counts as one, as JSON
 * Schema's `maxLength` counts it). A string of at most `max` UTF-16 units has at most `max` code
 * points, so the usual answer costs one comparison.
 */
export function fitsLength(s: string, max: number): boolean {
  return s.length <= max || codePointEnd(s, max) === s.length;
}

/**
 * At most `max` code points of `s`, cut on a whole code point, with unpaired surrogates replaced
 * by U+FFFD: always storable.
 * @example cutCodePoints('ab😀', 3) // 'ab😀' (a UTF-16 slice to 3 units would leave half the emoji)
 */
export function cutCodePoints(s: string, max: number): string {
  return toWellFormed(s.slice(0, codePointEnd(s, max)));
}

/** A 32-bit signed integer. */
export function isInt32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
}

/** A finite number (DOUBLE columns; NaN and the infinities are not values a reader can use). */
export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A time in ms since the epoch, from 1970 to year 9999, as a whole number. */
export function isTimeMs(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= MAX_TIME_MS;
}

/**
 * Column kinds, independent of any one database: `text` (well-formed string), `int32`, `bigint`
 * (safe integer), `double` (finite number), `time` (whole ms from 1970 to 9999), `boolean`.
 */
export type StorageKind = 'text' | 'int32' | 'bigint' | 'double' | 'time' | 'boolean';

/**
 * Why `v` cannot be stored as text (`nonEmpty`: nor be empty; `maxLength`: nor have more code
 * points), or undefined when it can. Length is checked before well-formedness, so a huge string
 * is not scanned.
 */
export function textProblem(
  v: unknown,
  nonEmpty: boolean,
  maxLength = Number.POSITIVE_INFINITY,
): string | undefined {
  if (typeof v !== 'string' || (nonEmpty && v.length === 0)) {
    return nonEmpty ? 'must be a non-empty string' : 'must be a string';
  }
  if (!fitsLength(v, maxLength)) return `must be at most ${maxLength} characters`;
  return isWellFormed(v) ? undefined : 'must be well-formed Unicode';
}

/** Why `v` cannot go in an INTEGER column, or undefined. */
export function int32Problem(v: unknown): string | undefined {
  return isInt32(v) ? undefined : 'must be a 32-bit integer';
}

/** Why `v` cannot go in a BIGINT column (a safe integer), or undefined. */
export function bigintProblem(v: unknown): string | undefined {
  return Number.isSafeInteger(v) ? undefined : 'must be an integer';
}

/** Why `v` cannot go in a DOUBLE column (a finite number), or undefined. */
export function doubleProblem(v: unknown): string | undefined {
  return isFiniteNumber(v) ? undefined : 'must be a finite number';
}

/** Why `v` is not a time the stores take (whole ms, 1970 to 9999), or undefined. */
export function timeProblem(v: unknown): string | undefined {
  if (!Number.isSafeInteger(v)) return 'must be an integer';
  return isTimeMs(v) ? undefined : 'must be a time between 1970 and 9999';
}

/** Why `v` is not a boolean, or undefined. */
export function booleanProblem(v: unknown): string | undefined {
  return typeof v === 'boolean' ? undefined : 'must be a boolean';
}

/**
 * Why a present value cannot be stored as `kind`, or undefined when it can. For `text`,
 * `nonEmpty` also refuses the empty string (a required text field) and `maxLength` a string of
 * more code points. Messages read after the field's name: "content_id must be well-formed Unicode",
 * "content_id must be at most 256 characters".
 */
export function kindProblem(
  kind: StorageKind,
  v: unknown,
  nonEmpty = false,
  maxLength = Number.POSITIVE_INFINITY,
): string | undefined {
  switch (kind) {
    case 'text':
      return textProblem(v, nonEmpty, maxLength);
    case 'int32':
      return int32Problem(v);
    case 'bigint':
      return bigintProblem(v);
    case 'double':
      return doubleProblem(v);
    case 'time':
      return timeProblem(v);
    case 'boolean':
      return booleanProblem(v);
  }
}
