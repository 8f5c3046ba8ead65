import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomId } from '../../../player/core/ids.js';
import { LIMITS } from '../../../schemas/index.js';

describe('ids', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('matches the schema pattern and does not repeat, with or without crypto.randomUUID', () => {
    const make = () => Array.from({ length: 2000 }, randomId);
    const check = (ids: string[]) => {
      for (const id of ids) expect(id).toMatch(LIMITS.idPattern);
      expect(new Set(ids).size).toBe(ids.length);
    };
    check(make());
    // http pages: no randomUUID, but getRandomValues
    const real = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: (a: Uint8Array) => real.getRandomValues(a) });
    check(make());
    // no crypto at all
    vi.stubGlobal('crypto', undefined);
    check(make());
    // a polyfill that throws
    vi.stubGlobal('crypto', {
      randomUUID: () => {
        throw new Error('insecure');
      },
    });
    check(make());
  });
});
