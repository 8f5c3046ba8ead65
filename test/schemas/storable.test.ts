/**
 * The storable-value primitives the edge and the core share: well-formedness, repair, cuts on
 * whole code points, and the numeric column rules with their messages.
 */
import { describe, expect, it } from 'vitest';
import {
  codePointEnd,
  cutCodePoints,
  fitsLength,
  INT32_MAX,
  INT32_MIN,
  isInt32,
  isTimeMs,
  isWellFormed,
  jsonMayHoldLoneSurrogate,
  kindProblem,
  MAX_TIME_MS,
  REPLACEMENT_CHARACTER,
  textProblem,
  toWellFormed,
  type StorageKind,
} from '../../schemas/storable.js';
import { STORABLE, UNSTORABLE } from '../helpers/storable-values.js';

const HI = '\uD800';
const LO = '\uDC00';
const EMOJI = '😀';

describe('isWellFormed / toWellFormed', () => {
  it.each([
    ['', true],
    ['plain', true],
    [EMOJI, true],
    ['\u0000\uFFFF\uFFFE\u{10FFFF}', true],
    [HI, false],
    [`a${LO}`, false],
    [`${LO}${HI}`, false],
    [`${EMOJI.slice(0, 1)}x`, false],
  ])('%j is well-formed: %s', (s, expected) => {
    expect(isWellFormed(s)).toBe(expected);
    // The language's own answer where this Node has it, so the hand-written one cannot drift.
    const native = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;
    if (native) expect(native.call(s)).toBe(expected);
  });

  it('replaces each unpaired surrogate by U+FFFD and keeps pairs', () => {
    expect(toWellFormed(`a${HI}b${LO}${EMOJI}${LO}${HI}`)).toBe(
      `a\uFFFDb\uFFFD${EMOJI}\uFFFD\uFFFD`,
    );
    expect(REPLACEMENT_CHARACTER).toBe('\uFFFD');
  });

  it('returns a well-formed string unchanged', () => {
    const s = `x${EMOJI}y`;
    expect(toWellFormed(s)).toBe(s);
  });
});

describe('jsonMayHoldLoneSurrogate', () => {
  it('is true only when the JSON text escapes a surrogate code unit', () => {
    expect(jsonMayHoldLoneSurrogate(JSON.stringify({ a: `x${HI}` }))).toBe(true);
    expect(jsonMayHoldLoneSurrogate('{"a":"\\uDBFF\\udfff"}')).toBe(true);
    expect(jsonMayHoldLoneSurrogate(JSON.stringify({ a: EMOJI, b: '\u0041\uFFFD' }))).toBe(false);
    expect(jsonMayHoldLoneSurrogate('{"a":"\\u0041\\uFFFD\\uE000"}')).toBe(false);
  });

  it('has no false negative: whenever a parsed string is not well-formed, the text said so', () => {
    for (const s of [HI, LO, `${LO}${HI}`, `a${EMOJI.slice(0, 1)}`]) {
      const text = JSON.stringify({ s });
      expect(isWellFormed((JSON.parse(text) as { s: string }).s)).toBe(false);
      expect(jsonMayHoldLoneSurrogate(text)).toBe(true);
    }
  });
});

describe('fitsLength', () => {
  it.each([
    ['', 0, true],
    ['abc', 3, true],
    ['abcd', 3, false],
    [EMOJI.repeat(3), 3, true],
    [EMOJI.repeat(3), 2, false],
    [`ab${EMOJI}`, 3, true],
    [`${HI}${LO}${LO}`, 2, true],
    [`${LO}${HI}`, 1, false],
    ['x'.repeat(1000), Number.POSITIVE_INFINITY, true],
  ])('%j within %d code points: %s', (s, max, fits) => {
    expect(fitsLength(s, max)).toBe(fits);
    expect(fitsLength(s, max)).toBe([...s].length <= max);
  });
});

describe('codePointEnd / cutCodePoints', () => {
  it('counts code points, so an astral character is one and is never split', () => {
    const s = `ab${EMOJI}c`;
    expect(codePointEnd(s, 2)).toBe(2);
    expect(codePointEnd(s, 3)).toBe(4);
    expect(cutCodePoints(s, 3)).toBe(`ab${EMOJI}`);
    // A UTF-16 slice at 3 would have left a lone high surrogate.
    expect(isWellFormed(s.slice(0, 3))).toBe(false);
    expect(isWellFormed(cutCodePoints(s, 3))).toBe(true);
  });

  it('keeps a string of at most max code points whole (repaired)', () => {
    expect(cutCodePoints(EMOJI.repeat(128), 128)).toBe(EMOJI.repeat(128));
    expect(cutCodePoints(`a${HI}`, 128)).toBe('a\uFFFD');
  });

  it('cuts a header-like value of 127 ASCII + an emoji at 128 code points without halving it', () => {
    const v = `${'a'.repeat(127)}${EMOJI}zz`;
    expect(cutCodePoints(v, 128)).toBe(`${'a'.repeat(127)}${EMOJI}`);
  });

  it('counts an unpaired surrogate as one code point and repairs it', () => {
    expect(cutCodePoints(`${HI}${HI}${HI}`, 2)).toBe('\uFFFD\uFFFD');
    expect(cutCodePoints(`${LO}${HI}x`, 2)).toBe('\uFFFD\uFFFD');
  });

  it('cuts to nothing at 0', () => {
    expect(cutCodePoints(EMOJI, 0)).toBe('');
  });
});

describe('numeric rules', () => {
  it('int32 is the INTEGER column range, whole numbers only', () => {
    expect([INT32_MIN, 0, -0, INT32_MAX].every(isInt32)).toBe(true);
    expect([INT32_MAX + 1, INT32_MIN - 1, 1.5, Number.NaN, '1', null].some(isInt32)).toBe(false);
  });

  it('time is whole ms from 1970 to the end of 9999', () => {
    expect(MAX_TIME_MS).toBe(Date.UTC(9999, 11, 31, 23, 59, 59, 999));
    expect([0, MAX_TIME_MS].every(isTimeMs)).toBe(true);
    expect([-1, MAX_TIME_MS + 1, 1.5, Number.POSITIVE_INFINITY, '0'].some(isTimeMs)).toBe(false);
  });
});

describe('kindProblem', () => {
  const kinds = Object.keys(STORABLE) as StorageKind[];

  it.each(kinds)('accepts every storable %s value', (kind) => {
    for (const v of STORABLE[kind]) expect(kindProblem(kind, v), JSON.stringify(v)).toBeUndefined();
  });

  it.each(kinds)('refuses every unstorable %s value', (kind) => {
    for (const v of UNSTORABLE[kind]) expect(kindProblem(kind, v), String(v)).toBeTypeOf('string');
  });

  it('says why, in words that follow the field name', () => {
    expect(kindProblem('text', HI)).toBe('must be well-formed Unicode');
    expect(kindProblem('text', 1)).toBe('must be a string');
    expect(kindProblem('int32', INT32_MAX + 1)).toBe('must be a 32-bit integer');
    expect(kindProblem('bigint', 2 ** 53)).toBe('must be an integer');
    expect(kindProblem('double', Number.POSITIVE_INFINITY)).toBe('must be a finite number');
    expect(kindProblem('time', -1)).toBe('must be a time between 1970 and 9999');
    expect(kindProblem('time', 0.5)).toBe('must be an integer');
    expect(kindProblem('boolean', 'true')).toBe('must be a boolean');
  });

  it('refuses text of more code points than its maximum, counting a pair as one', () => {
    expect(kindProblem('text', 'abcd', false, 3)).toBe('must be at most 3 characters');
    expect(kindProblem('text', EMOJI.repeat(3), false, 3)).toBeUndefined();
    expect(kindProblem('text', EMOJI.repeat(4), true, 3)).toBe('must be at most 3 characters');
    // A lone surrogate counts as one code point (as JSON Schema counts it); length is judged first.
    expect(textProblem(`${HI}${LO}${HI}${HI}`, false, 2)).toBe('must be at most 2 characters');
    expect(textProblem(`${HI}${HI}`, false, 2)).toBe('must be well-formed Unicode');
    expect(textProblem('x'.repeat(1_000_000), true, 256)).toBe('must be at most 256 characters');
  });

  it('a required text refuses the empty string, an optional one keeps it', () => {
    expect(textProblem('', true)).toBe('must be a non-empty string');
    expect(textProblem('', false)).toBeUndefined();
  });
});
