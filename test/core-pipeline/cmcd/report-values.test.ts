import { describe, expect, it } from 'vitest';
import {
  firstNumber,
  firstString,
  kbpsToBps,
  videoNumber,
} from '../../../core-pipeline/cmcd/report-values.js';
import type { CmcdValue } from '../../../schemas/cmcd.js';

const v = (value: number) => ({ value, params: { v: true } });
const a = (value: number) => ({ value, params: { a: true } });

describe('report values with and without item parameters', () => {
  it.each<[string, CmcdValue | undefined, number | null]>([
    ['a bare number (CMCD v1)', 3000, 3000],
    ['one bare item (hls.js)', [148], 148],
    ['video first (dash.js)', [v(128), a(16)], 128],
    ['video second', [a(16), v(128)], 128],
    ['muxed (av)', [a(16), { value: 300, params: { av: true } }], 300],
    ['no video item: the first', [a(16), 7], 16],
    ['bare items only: the first', [5, 6], 5],
    ['absent', undefined, null],
    ['a string', 'x', null],
    ['negative', [v(-1)], null],
  ])('videoNumber of %s', (_what, value, expected) => {
    expect(videoNumber(value)).toBe(expected);
  });

  it('firstNumber and firstString read the first item, bare or with parameters', () => {
    expect(firstNumber([a(16), v(128)])).toBe(16);
    expect(firstNumber(2.5)).toBe(2.5);
    expect(firstString([{ value: 'E42', params: { x: 1 } }], 10)).toBe('E42');
    expect(firstString(['abcdef'], 3)).toBe('abc');
  });

  it('kbpsToBps takes the video item, within the column bounds', () => {
    expect(kbpsToBps([a(16), v(128)])).toBe(128_000);
    expect(kbpsToBps([v(1e12)])).toBeNull();
  });
});
