/**
 * A small CMCD fuzz run (the full run is part of `npm run fuzz`), so the CMCD generators cannot
 * rot: it must reach acknowledged, partial, refused and rollout-refused requests and every kind
 * of line refusal it aims at, with every line accounted for once; and with the stream throttled, every request that
 * would store is answered 429 with its whole body kept.
 */
import { describe, expect, it } from 'vitest';
import { cmcdReport, runCmcdFuzz } from '../../fuzz/cmcd-run.js';

describe('CMCD fuzz, smoke run', () => {
  it('runs 1,000 CMCD inputs through the edge with every line accounted for once', async () => {
    const s = await runCmcdFuzz({ count: 1000, seed: 20261130 });
    expect(s.inputs).toBe(1000);
    expect(s.failures, cmcdReport(s).join('\n')).toStrictEqual([]);
    const reached = Object.keys(s.outcomes);
    for (const outcome of [
      '204 accepted',
      '200 partial',
      '400 no_valid_events',
      '400 invalid_utf8',
      '400 empty_body',
      '415 unsupported_media_type',
      '204 preflight',
    ])
      expect(reached).toContain(outcome);
    for (const reason of ['invalid_cmcd', 'invalid_report', 'missing_session'])
      expect(Object.keys(s.lineReasons)).toContain(reason);
    expect(s.linesStored).toBeGreaterThan(0);
    // Sessions refused by the rollout switch: their lines are counted in refusals, not rows.
    expect(s.linesRefused).toBeGreaterThan(0);
    expect(reached.some((o) => o.startsWith('410 '))).toBe(true);
  }, 120_000);

  it('answers 429 throttled, storing nothing and keeping each body once, when the stream throttles', async () => {
    const s = await runCmcdFuzz({ count: 300, seed: 7, throttling: true });
    expect(s.failures, cmcdReport(s).join('\n')).toStrictEqual([]);
    expect(s.outcomes['429 throttled']).toBeGreaterThan(0);
    expect(s.outcomes['204 accepted']).toBeUndefined();
    expect(s.outcomes['200 partial']).toBeUndefined();
    expect(s.linesStored).toBe(0);
  }, 120_000);
});
