import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { edgeFunctionTimeoutSeconds } from '../../../infra/edge/ingest-function.js';

describe('edgeFunctionTimeoutSeconds', () => {
  it('outlasts the write budget by two seconds, rounding the budget up', () => {
    expect(edgeFunctionTimeoutSeconds(DEFAULT_CONFIG.writeBudgetMs)).toBe(5);
    expect(edgeFunctionTimeoutSeconds(2500)).toBe(5);
    expect(edgeFunctionTimeoutSeconds(2000)).toBe(4);
  });

  it('refuses a budget that would need more than origin-request triggers allow', () => {
    expect(edgeFunctionTimeoutSeconds(28_000)).toBe(30);
    expect(() => edgeFunctionTimeoutSeconds(28_001)).toThrow(
      'writeBudgetMs 28001 needs a 31 s timeout; origin-request triggers allow 30 s',
    );
  });
});
