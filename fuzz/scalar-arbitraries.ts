/**
 * Arbitraries for the leaves of a schema (strings, patterned ids, numbers, consts, enums): valid
 * values most of the time, and the values a hostile or buggy client sends just past each limit.
 * The schema walker (schema-arbitrary.ts) picks one per keyword.
 */
import fc from 'fast-check';
import { type Escape, J, type JsonNode } from './json-text.js';
import { anyChar, codePoints, textWithin, wellFormedChar } from './strings.js';

/** Odds of a valid value against one hostile value, per field. */
export const VALID_WEIGHT = 60;

/** A `const`: the value, or near-misses of it (case, spaces, a long astral tail). */
export function constantArb(value: unknown): fc.Arbitrary<JsonNode> {
  if (typeof value !== 'string') throw new Error('schema-arbitrary: only string consts');
  return mixed(
    fc.constant(J.str(value)),
    fc
      .constantFrom(
        value.toUpperCase(),
        `${value} `,
        '',
        `${value}-0`,
        `${value}${'😀'.repeat(30)}`,
      )
      .map((s) => J.str(s)),
    wrongType('string'),
  );
}

/** An `enum`: one of the values, or another short string. */
export function enumArb(values: unknown[]): fc.Arbitrary<JsonNode> {
  return mixed(
    fc.constantFrom(...values).map((v) => J.str(String(v))),
    codePoints(wellFormedChar, 0, 8).map((s) => J.str(s)),
    wrongType('string'),
  );
}

/** A string of `min`..`max` code points (escaped in any of the ways JSON allows), or one past its limits. */
export function stringArb(min: number, max: number): fc.Arbitrary<JsonNode> {
  const hostile = [
    codePoints(wellFormedChar, max + 1, max + 1),
    textWithin(min, max),
    wrongType('string'),
  ];
  if (min > 0) hostile.push(fc.constant(''));
  return fc
    .tuple(
      mixed(textWithin(min, max), ...hostile.map((a) => a as fc.Arbitrary<string | JsonNode>)),
      fc.constantFrom<Escape>('json', 'json', 'json', 'ascii', 'all', 'raw'),
    )
    .map(([v, esc]) => (typeof v === 'string' ? J.str(v, esc) : v));
}

/** A `^[class]{m,n}$` pattern: matching strings, and ones a length or a character off. */
export function patternArb(pattern: string): fc.Arbitrary<JsonNode> {
  const m = /^\^\[([^\]]+)\]\{(\d+),(\d+)\}\$$/.exec(pattern);
  if (!m) throw new Error(`schema-arbitrary: pattern ${pattern} is not of the form ^[…]{m,n}$`);
  const [, cls, lo, hi] = m;
  const chars = classChars(cls);
  const n = (min: number, max = min) => codePoints(fc.constantFrom(...chars), min, max);
  const hostile: fc.Arbitrary<string | JsonNode>[] = [
    n(Number(hi) + 1),
    codePoints(
      fc.oneof(anyChar, fc.constantFrom('@', ' ', '/', '\u00e9')),
      Number(lo),
      Number(lo) + 4,
    ),
    wrongType('string'),
  ];
  if (Number(lo) > 0) hostile.push(n(Number(lo) - 1));
  return mixed(n(Number(lo), Number(hi)), ...hostile).map((v) =>
    typeof v === 'string' ? J.str(v) : v,
  );
}

/** A number in `min`..`max` (whole when `integer`), written in odd but valid ways too, or past a limit. */
export function numberArb(min: number, max: number, integer: boolean): fc.Arbitrary<JsonNode> {
  const inRange = integer
    ? fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number)
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  const valid = fc.oneof(
    { arbitrary: inRange.map((x) => J.num(x)), weight: 6 },
    { arbitrary: fc.constantFrom(min, max).map((x) => J.num(x)), weight: 2 },
    // The same value written the other ways JSON allows: `5.0`, `5e0`, `5E+0`.
    {
      arbitrary: fc
        .tuple(inRange, fc.constantFrom('.0', 'e0', 'E+0'))
        .map(([x, t]) =>
          J.num(Number.isInteger(x) && !String(x).includes('e') ? `${x}${t}` : String(x)),
        ),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom('-0', '0e5', '5e-324', '1e-400').map(J.num),
      weight: min <= 0 ? 1 : 0,
    },
  );
  const hostile: fc.Arbitrary<JsonNode>[] = [
    fc.constantFrom(nextUp(max), max + 1, min - 1, -Number.MIN_VALUE).map((x) => J.num(x)),
    fc.constantFrom('1e400', '-1e400', '1e308', '9007199254740993', '1e21').map(J.num),
    wrongType(integer ? 'integer' : 'number'),
  ];
  if (integer) hostile.push(inRange.map((x) => J.num(Math.min(x, max - 1) + 0.5)));
  return mixed(valid, ...hostile);
}

/** `valid` most of the time, else one of `hostile`. */
export function mixed<T, U>(
  valid: fc.Arbitrary<T>,
  ...hostile: fc.Arbitrary<U>[]
): fc.Arbitrary<T | U> {
  return fc.oneof(
    { arbitrary: valid as fc.Arbitrary<T | U>, weight: VALID_WEIGHT },
    ...hostile.map((arbitrary) => ({ arbitrary: arbitrary as fc.Arbitrary<T | U>, weight: 1 })),
  );
}

/** A value of some other JSON type than `expected`. */
export function wrongType(expected: string): fc.Arbitrary<JsonNode> {
  const all: Record<string, fc.Arbitrary<JsonNode>> = {
    string: fc.constantFrom('7', '', 'true').map((s) => J.str(s)),
    number: fc.constantFrom(J.num(0), J.num(7.5)),
    integer: fc.constantFrom(J.num(0), J.num(7)),
    boolean: fc.constantFrom(J.bool(true), J.bool(false)),
    null: fc.constant(J.null()),
    array: fc.constant(J.arr([])),
    object: fc.constant(J.obj([])),
  };
  const others = Object.entries(all)
    .filter(([t]) => t !== expected && !(expected === 'number' && t === 'integer'))
    .filter(([t]) => !(expected === 'integer' && t === 'number'))
    .map(([, a]) => a);
  return fc.oneof(...others);
}

/** The characters of a regex class body such as `A-Za-z0-9_.:-` (ranges and single characters). */
function classChars(cls: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < cls.length; i++) {
    if (cls[i + 1] === '-' && i + 2 < cls.length) {
      for (let c = cls.charCodeAt(i); c <= cls.charCodeAt(i + 2); c++)
        out.push(String.fromCharCode(c));
      i += 2;
    } else out.push(cls[i] === '\\' ? cls[++i] : cls[i]);
  }
  return out;
}

/** The next double above `x`: the smallest value past an inclusive maximum. */
export function nextUp(x: number): number {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x >= 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}
