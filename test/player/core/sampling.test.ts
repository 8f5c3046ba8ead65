import { describe, expect, it } from 'vitest';
import { isSampled, sampleValue } from '../../../player/core/sampling.js';

describe('sampling', () => {
  it('maps a key to the same value in [0, 1) every time', () => {
    const values = ['viewer-1', 'viewer-2', 'x', ''].map(sampleValue);
    expect(['viewer-1', 'viewer-2', 'x', ''].map(sampleValue)).toStrictEqual(values);
    for (const v of values) expect(v >= 0 && v < 1).toBe(true);
    expect(new Set(values).size).toBe(4);
  });

  it('keeps about sampleRate of viewers, and a larger rate keeps a superset', () => {
    const keys = Array.from({ length: 4000 }, (_, i) => `viewer-${i}`);
    const at10 = keys.filter((k) => isSampled(k, 0.1));
    const at30 = keys.filter((k) => isSampled(k, 0.3));
    expect(at10.length / keys.length).toBeGreaterThan(0.08);
    expect(at10.length / keys.length).toBeLessThan(0.12);
    expect(at10.every((k) => at30.includes(k))).toBe(true);
    expect(keys.every((k) => isSampled(k, 1) && !isSampled(k, 0))).toBe(true);
  });
});
