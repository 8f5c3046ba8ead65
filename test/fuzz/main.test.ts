/**
 * A small run of `npm run fuzz` (the full run is a million inputs, far too long for `npm test`), so
 * the fuzzer cannot rot: it must still reach every part of the edge (acknowledged, partial and
 * refused requests, every kind of refusal the generators aim at) and find the promise kept.
 */
import { describe, expect, it } from 'vitest';
import { report, runFuzz } from '../../fuzz/main.js';
import { fromRepro, toRepro } from '../../fuzz/tally.js';
import { buildRequest, requestPlans } from '../../fuzz/requests.js';
import { beaconArbitraries } from '../../fuzz/schema-arbitrary.js';
import fc from 'fast-check';

describe('npm run fuzz, smoke run', () => {
  it('runs 2,000 inputs through the edge and the core decoder with the promise kept', async () => {
    const summary = await runFuzz({ count: 2000, seed: 20261129 });
    expect(summary.inputs).toBe(2000);
    expect(summary.failures, report(summary).join('\n')).toStrictEqual([]);
    const reached = Object.keys(summary.outcomes);
    for (const outcome of [
      '204 accepted',
      '200 partial',
      '400 invalid_envelope',
      '400 invalid_json',
      '400 invalid_utf8',
      '400 no_valid_events',
      '413 body_too_large',
      '415 unsupported_media_type',
    ])
      expect(reached).toContain(outcome);
    expect(summary.eventRows).toBe(summary.eventsAcknowledged);
  }, 300_000);

  it('writes a request so that --replay reads back the same request', () => {
    const [plan] = fc.sample(requestPlans(beaconArbitraries(), { mutate: true }), {
      seed: 5,
      numRuns: 1,
    });
    const req = buildRequest(plan, 'req-1');
    expect(fromRepro(toRepro(req))).toStrictEqual(req);
  });
});
