/**
 * Byte-level damage to a request body, as arbitraries so fast-check can shrink it: bit flips,
 * truncation, inserted and deleted bytes (invalid UTF-8 among them), deep nesting around or inside
 * the body, and padding to just under, at and past the body-size limit.
 */
import fc from 'fast-check';
import { LIMITS } from '../schemas/limits.js';

/** One change to the body bytes; positions are fractions of the current length. */
export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number }
  | { op: 'nest'; at: number; depth: number }
  | { op: 'pad'; size: number };

/** Byte sequences strict UTF-8 refuses or that confuse a scanner: overlong NUL, CESU surrogate, stray continuation, 0xFF. */
const NASTY = fc.constantFrom(
  Uint8Array.of(0xc0, 0x80),
  Uint8Array.of(0xed, 0xa0, 0x80),
  Uint8Array.of(0x80),
  Uint8Array.of(0xff),
  Uint8Array.of(0xf4, 0x90, 0x80, 0x80),
  Uint8Array.of(0x5c),
  Uint8Array.of(0x22),
  Uint8Array.of(0x00),
);

const AT = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** A list of mutations: none most of the time. `limit` is the body-size limit to pad around. */
export function mutations(limit: number): fc.Arbitrary<Mutation[]> {
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ op: fc.constant('flip' as const), at: AT, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ op: fc.constant('truncate' as const), at: AT }),
    fc.record({
      op: fc.constant('insert' as const),
      at: AT,
      bytes: fc.oneof(NASTY, fc.uint8Array({ minLength: 1, maxLength: 6 })),
    }),
    fc.record({
      op: fc.constant('delete' as const),
      at: AT,
      length: fc.integer({ min: 1, max: 16 }),
    }),
    fc.record({
      op: fc.constant('nest' as const),
      at: AT,
      depth: fc.oneof(
        { arbitrary: fc.constantFrom(7, 8, 9, 64), weight: 10 },
        { arbitrary: fc.constantFrom(10_000, 40_000), weight: 1 },
      ),
    }),
  );
  const pad: fc.Arbitrary<Mutation> = fc.record({
    op: fc.constant('pad' as const),
    size: fc.constantFrom(limit - 1, limit, limit + 1, limit * 4),
  });
  return fc.oneof(
    { arbitrary: fc.constant<Mutation[]>([]), weight: 40 },
    { arbitrary: fc.array(one, { minLength: 1, maxLength: 3 }), weight: 32 },
    { arbitrary: pad.map((m) => [m]), weight: 1 },
  );
}

/** The body after every mutation, in order. */
export function applyMutations(body: Uint8Array, list: readonly Mutation[]): Uint8Array {
  let b = body;
  for (const m of list) b = apply(b, m);
  return b;
}

function apply(b: Uint8Array, m: Mutation): Uint8Array {
  const at = m.op === 'pad' ? 0 : Math.floor(m.at * (b.length + 1));
  switch (m.op) {
    case 'flip': {
      if (b.length === 0) return b;
      const out = b.slice();
      out[Math.min(at, b.length - 1)] ^= 1 << m.bit;
      return out;
    }
    case 'truncate':
      return b.subarray(0, at);
    case 'insert':
      return concat(b.subarray(0, at), m.bytes, b.subarray(at));
    case 'delete':
      return concat(b.subarray(0, at), b.subarray(at + m.length));
    case 'nest': {
      // Brackets only: inside a string they are text, outside they nest (or break) the JSON.
      const open = new Uint8Array(m.depth).fill(0x5b);
      const close = new Uint8Array(m.depth).fill(0x5d);
      return concat(b.subarray(0, at), open, close, b.subarray(at));
    }
    case 'pad': {
      // Trailing spaces keep a JSON body valid: only its size changes.
      if (b.length >= m.size) return b;
      return concat(b, new Uint8Array(m.size - b.length).fill(0x20));
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

/** Inputs per chunk; each chunk draws its bases and mutations with its own derived seed. */
const CHUNK = 1000;
/** Each generated request is sent as it is and with VARIANTS - 1 byte-level mutations of it. */
const VARIANTS = 4;

/**
 * The fuzz inputs of a run, in order, for both paths (beacon and CMCD): per chunk of CHUNK,
 * bases drawn with a seed derived from the run's, each sent as it is and with VARIANTS − 1
 * byte-level mutations of it. The same seed gives the same inputs, so a failure can be replayed.
 */
export function* fuzzPlans<P extends { mutations: Mutation[] }>(
  plans: fc.Arbitrary<P>,
  count: number,
  seed: number,
): Generator<{ index: number; plan: P }> {
  const damage = mutations(LIMITS.maxBodyBytes).filter((m) => m.length > 0);
  for (let done = 0; done < count; done += CHUNK) {
    const n = Math.min(CHUNK, count - done);
    const chunkSeed = seed + done;
    const bases = fc.sample(plans, { seed: chunkSeed, numRuns: Math.ceil(n / VARIANTS) });
    const muts = fc.sample(damage, { seed: chunkSeed, numRuns: n });
    for (let i = 0; i < n; i++) {
      const base = bases[Math.floor(i / VARIANTS)];
      yield { index: done + i, plan: i % VARIANTS === 0 ? base : { ...base, mutations: muts[i] } };
    }
  }
}
