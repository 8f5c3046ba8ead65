import { describe, expect, it } from 'vitest';
import { backoffDelay, errorName } from '../../common/backoff.js';

describe('backoffDelay', () => {
  const policy = { baseMs: 100, maxMs: 1000 };

  it('draws uniformly below a ceiling that doubles per retry and stops at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((r) => backoffDelay(r, policy, 0.999999))).toStrictEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(backoffDelay(3, policy, 0.5)).toBe(200);
  });

  it('can wait nothing at all (full jitter) and never goes negative', () => {
    expect(backoffDelay(4, policy, 0)).toBe(0);
    expect(backoffDelay(0, policy, 0.5)).toBe(50);
    expect(backoffDelay(-3, policy, 0.5)).toBe(50);
    expect(backoffDelay(2, policy, -1)).toBe(0);
  });

  it('stays finite for very large retry counts', () => {
    expect(backoffDelay(10_000, policy, 0.5)).toBe(500);
  });

  it('uses Math.random when no draw is given', () => {
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(2, policy);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(200);
    }
  });
});

describe('errorName', () => {
  it('names AWS SDK exceptions, plain errors and non-errors', () => {
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ProvisionedThroughputExceededException',
    });
    expect(errorName(throttled)).toBe('ProvisionedThroughputExceededException');
    expect(errorName(new TypeError('x'))).toBe('TypeError');
    expect(errorName('boom')).toBe('Error');
    expect(errorName(null)).toBe('Error');
    expect(errorName({ name: 42 })).toBe('Error');
  });
});
