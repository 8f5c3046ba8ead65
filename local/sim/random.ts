/**
 * A small seeded random source for the simulator, so a run can be repeated (`--seed`) and tests
 * can pin the shape of what is generated.
 */

/** Random helpers over one seeded generator. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** One element, by `weight`. */
  weighted<T extends { weight: number }>(items: readonly T[]): T;
  /** Log-normal with the given median and spread (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number;
  /** URL-safe id of `length` characters. */
  id(length: number): string;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/**
 * mulberry32: fast, 32-bit state, good enough for synthetic traffic (not for anything secret).
 * @example const rng = createRng(42); rng.pick(['a', 'b']);
 */
export function createRng(seed: number = Date.now() ^ (process.pid << 16)): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    // Box–Muller; 1 - next() keeps the logarithm's argument above zero.
    return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    weighted: (items) => {
      const total = items.reduce((s, i) => s + i.weight, 0);
      let r = next() * total;
      for (const item of items) {
        r -= item.weight;
        if (r < 0) return item;
      }
      return items[items.length - 1];
    },
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
    id: (length) => {
      let s = '';
      for (let i = 0; i < length; i++) s += ID_ALPHABET[Math.floor(next() * 64)];
      return s;
    },
  };
}
