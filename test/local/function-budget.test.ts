import { describe, expect, it } from 'vitest';
import {
  loadCloudFrontFunction,
  makeViewerRequestEvent,
} from '../../local/cloudfront-function-runtime.js';

/** The runtime's compute-budget check (how the local stack keeps CloudFront's limit visible without a watchdog). */
const LOC = { name: 'FRA', region: 'eu-central-1' };

describe('CloudFront Function compute budget', () => {
  it('reports a run over the budget, with its time, and still returns its result', async () => {
    const seen: number[] = [];
    const fn = loadCloudFrontFunction(
      `function handler(e) { const t = Date.now(); while (Date.now() - t < 5) {} return e.request; }`,
      {
        timeoutMs: 0,
        budgetMs: 1,
        onOverBudget: (ms) => seen.push(ms),
      },
    );
    const out = await fn.run(makeViewerRequestEvent({ uri: '/v1/events' }), LOC);
    expect(out).toMatchObject({ method: 'POST', uri: '/v1/events' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThanOrEqual(4);
  });

  it('says nothing about runs within the budget or without one', async () => {
    const seen: number[] = [];
    const fast = loadCloudFrontFunction(`function handler(e) { return e.request; }`, {
      timeoutMs: 0,
      budgetMs: 1000,
      onOverBudget: (ms) => seen.push(ms),
    });
    const unchecked = loadCloudFrontFunction(
      `function handler(e) { const t = Date.now(); while (Date.now() - t < 3) {} return e.request; }`,
      { timeoutMs: 0, onOverBudget: (ms) => seen.push(ms) },
    );
    await fast.run(makeViewerRequestEvent(), LOC);
    await unchecked.run(makeViewerRequestEvent(), LOC);
    expect(seen).toStrictEqual([]);
  });
});
