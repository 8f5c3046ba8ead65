import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../local/errors.js';
import { durationFlag } from '../../../local/sim/command.js';

describe('durationFlag', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['2m', 120_000],
    ['1.5m', 90_000],
    ['1h', 3_600_000],
  ])('reads %s', (value, ms) => {
    expect(durationFlag('duration', value, 1_000, 3_600_000)).toBe(ms);
  });

  it.each([
    ['', /seconds or a duration/],
    ['2 minutes', /seconds or a duration/],
    ['-5', /seconds or a duration/],
    ['5d', /seconds or a duration/],
    ['0', /between 1 s and 3600 s/],
    ['2h', /between 1 s and 3600 s/],
  ])('refuses "%s"', (value, message) => {
    expect(() => durationFlag('duration', value, 1_000, 3_600_000)).toThrow(UsageError);
    expect(() => durationFlag('duration', value, 1_000, 3_600_000)).toThrow(message);
  });
});
