import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NEVER_RETRY,
  decide,
  parseRetryAfter,
  retryDelay,
} from '../../common/retry-policy.js';
import { DEFAULTS } from '../../player/config/defaults.js';
import * as sdkRetry from '../../player/transport/retry.js';

const NEVER = DEFAULTS.neverRetry;

describe('retry policy', () => {
  it('has the documented never-retry list', () => {
    expect([...NEVER]).toStrictEqual([400, 401, 403, 410, 413, 415, 422]);
  });

  it('is the one policy: the SDK default list and the SDK module are the shared ones', () => {
    // The SDK keeps its own literal (a spread of the shared constant costs bundle bytes).
    expect([...DEFAULT_NEVER_RETRY]).toStrictEqual([...NEVER]);
    expect(sdkRetry.decide).toBe(decide);
    expect(sdkRetry.retryDelay).toBe(retryDelay);
    expect(sdkRetry.parseRetryAfter).toBe(parseRetryAfter);
  });

  it.each([
    [204, 'success'],
    [200, 'success'],
    [null, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [504, 'retry'],
    [408, 'retry'],
    [404, 'retry'],
    [400, 'drop'],
    [401, 'drop'],
    [403, 'drop'],
    [413, 'drop'],
    [415, 'drop'],
    [422, 'drop'],
    [410, 'stop'],
  ] as const)('status %s → %s', (status, expected) => {
    expect(decide(status, NEVER)).toBe(expected);
  });

  it('follows a custom never-retry list', () => {
    expect(decide(404, [404])).toBe('drop');
    expect(decide(400, [])).toBe('retry');
  });

  it('backs off exponentially with full jitter: uniform below a doubling ceiling, capped', () => {
    const p = { baseMs: 1000, maxMs: 60000 };
    expect([1, 2, 3, 4].map((a) => retryDelay(a, p, 0))).toStrictEqual([0, 0, 0, 0]);
    expect([1, 2, 3, 4].map((a) => retryDelay(a, p, 0.5))).toStrictEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => retryDelay(a, p, 0.999999))).toStrictEqual([
      999, 1999, 3999, 7999,
    ]);
    expect(retryDelay(20, p, 0.5)).toBe(30000);
    expect(retryDelay(1000, p, 1)).toBe(60000);
    // Every draw lands in [0, ceiling), where the ceiling is min(maxMs, baseMs × 2^(attempt−1)).
    for (let attempt = 1; attempt <= 10; attempt++) {
      const ceiling = Math.min(60000, 1000 * 2 ** (attempt - 1));
      for (let i = 0; i < 100; i++) {
        const r = i / 100;
        const d = retryDelay(attempt, p, r);
        expect(d).toBe(Math.floor(r * ceiling));
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
      }
    }
  });

  it('treats Retry-After as a floor', () => {
    const p = { baseMs: 1000, maxMs: 60000 };
    expect(retryDelay(1, p, 0.5, 30000)).toBe(30000);
    expect(retryDelay(6, p, 0.5, 1000)).toBe(16000);
    expect(retryDelay(6, p, 0, 1000)).toBe(1000);
    expect(retryDelay(1, p, 0.5, 0)).toBe(500);
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120000);
    expect(parseRetryAfter(' 5 ', now)).toBe(5000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:30 GMT', now)).toBe(30000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
