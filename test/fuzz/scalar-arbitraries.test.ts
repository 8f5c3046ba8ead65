/** Leaf arbitraries: limits computed right, and patterns the generator cannot invert refused. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toJsonText } from '../../fuzz/json-text.js';
import { nextUp, numberArb, patternArb, stringArb } from '../../fuzz/scalar-arbitraries.js';

describe('scalar arbitraries', () => {
  it('nextUp is the smallest double past a maximum', () => {
    expect(nextUp(1)).toBe(1 + Number.EPSILON);
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
  });

  it('reaches both limits of a range and the values just past them', () => {
    const texts = new Set(
      fc.sample(numberArb(0, 1000, true), { seed: 1, numRuns: 3000 }).map(toJsonText),
    );
    for (const t of ['0', '1000', '1001', '-1']) expect(texts).toContain(t);
    expect([...texts].some((t) => t.endsWith('.5'))).toBe(true);
  });

  it('makes strings of exactly maxLength code points and one past it', () => {
    const lengths = new Set(
      fc
        .sample(stringArb(1, 32), { seed: 2, numRuns: 3000 })
        .filter((n) => n.k === 'str')
        .map((n) => [...(n as { v: string }).v].length),
    );
    expect(lengths).toContain(32);
    expect(lengths).toContain(33);
  });

  it('throws on a pattern it cannot invert', () => {
    expect(() => patternArb('^a+b$')).toThrow('is not of the form');
  });
});
