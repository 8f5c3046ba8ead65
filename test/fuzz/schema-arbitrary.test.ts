/**
 * The schema walker: it makes mostly valid batches (so the properties exercise storage, not only
 * refusal) and hostile ones, every event type among the valid ones, and refuses a schema keyword
 * it does not know instead of silently generating nothing for it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toJsonText } from '../../fuzz/json-text.js';
import { beaconArbitraries, SchemaArbitraries } from '../../fuzz/schema-arbitrary.js';
import { EVENT_TYPES } from '../../schemas/index.js';
import { validators } from '../../schemas/generated/index.js';

const v = validators['1-0-0'];

describe('SchemaArbitraries over schemas/beacon/1-0-0.json', () => {
  const arbs = beaconArbitraries();

  it('makes events of every type that the validator accepts, and events it refuses', () => {
    const events = fc
      .sample(arbs.def('event'), { seed: 42, numRuns: 1500 })
      .map((t) => JSON.parse(toJsonText(t)) as { type?: unknown });
    const valid = events.filter((e) => v.event(e));
    expect(new Set(valid.map((e) => e.type))).toStrictEqual(new Set(EVENT_TYPES));
    expect(valid.length / events.length).toBeGreaterThan(0.4);
    expect(valid.length / events.length).toBeLessThan(0.95);
  });

  it('makes envelopes the validator accepts and envelopes it refuses', () => {
    const docs = fc
      .sample(arbs.document(), { seed: 7, numRuns: 300 })
      .map((t) => JSON.parse(toJsonText(t)) as unknown);
    const ok = docs.filter((d) => v.envelope(d)).length / docs.length;
    expect(ok).toBeGreaterThan(0.3);
    expect(ok).toBeLessThan(0.95);
  });

  it('generates lone surrogates, astral characters, duplicate keys and odd number tokens', () => {
    const texts = fc.sample(arbs.document(), { seed: 3, numRuns: 400 }).map(toJsonText);
    const all = texts.join('\n');
    expect(all).toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/i);
    expect(all).toMatch(/[\u{10000}-\u{10FFFF}]/u);
    expect(all).toMatch(/1e400|5e-324|-0[,}]/);
    expect(texts.some((t) => /"seq":[^,}]*,.*"seq":/.test(t))).toBe(true);
  });
});

describe('SchemaArbitraries on unknown schemas', () => {
  it('throws on a keyword it does not generate, naming it', () => {
    const s = new SchemaArbitraries({ type: 'string', format: 'email' });
    expect(() => s.document()).toThrow('keyword format is not generated');
  });
});
