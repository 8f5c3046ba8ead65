/**
 * Values at and past every column rule of schemas/storable.ts, per storage kind: what each kind
 * must store (its extremes and odd-but-valid values) and what it must refuse. Tests of the edge,
 * the core and the DuckDB sink share them, and property tests can draw from them.
 */
import { INT32_MAX, INT32_MIN, MAX_TIME_MS, type StorageKind } from '../../schemas/storable.js';

/** Values every rule of the kind accepts when present (the empty string only for optional text). */
export const STORABLE: Readonly<Record<StorageKind, readonly unknown[]>> = {
  text: [
    'a\u0000b',
    '\uFFFF\uFFFE\uFDD0\u{10FFFF}',
    '\uFEFF\u200D\u202E\u0001\u007F\u0085',
    '😀'.repeat(64),
    '\uFFFD',
    ' ',
  ],
  int32: [INT32_MIN, -1, 0, INT32_MAX],
  bigint: [-Number.MAX_SAFE_INTEGER, 0, Number.MAX_SAFE_INTEGER],
  double: [-Number.MAX_VALUE, -0, 5e-324, 0.1, Number.MAX_VALUE],
  time: [0, MAX_TIME_MS],
  boolean: [true, false],
};

/**
 * Values no rule of the kind accepts. All survive a JSON round trip except the infinities, which
 * JSON.parse makes from `1e400`.
 */
export const UNSTORABLE: Readonly<Record<StorageKind, readonly unknown[]>> = {
  text: ['\uD800', 'a\uDC00', '\uDC00\uD800', `${'😀'.slice(0, 1)}x`, 42, true, {}, []],
  int32: [INT32_MAX + 1, INT32_MIN - 1, 1.5, '1', true, Number.POSITIVE_INFINITY],
  bigint: [2 ** 53, -(2 ** 53), 1.5, 1e300, '1', false],
  double: ['1', true, {}, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
  time: [-1, MAX_TIME_MS + 1, 1e300, 1.5, '0', true],
  boolean: ['true', 1, 0, {}],
};

/**
 * The longest strings a text rule of `max` code points keeps, in two spellings: ASCII (`max`
 * UTF-16 units) and astral (`max` code points in 2 × `max` units, so a check that counted units
 * would refuse it).
 */
export function longestTexts(max: number): readonly [ascii: string, astral: string] {
  return ['a'.repeat(max), '😀'.repeat(max)];
}

/** One code point longer than {@link longestTexts}, in the same two spellings. */
export function tooLongTexts(max: number): readonly [ascii: string, astral: string] {
  return longestTexts(max + 1);
}
