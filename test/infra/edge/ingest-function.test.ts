import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { edgeFunctionTimeoutSeconds } from '../../../infra/edge/ingest-function.js';

describe('edgeFunctionTimeoutSeconds', () => {
  it('outlasts two write budgets (events, then bad rows) by two seconds, rounding up', () => {
    expect(edgeFunctionTimeoutSeconds(DEFAULT_CONFIG.writeBudgetMs)).toBe(8);
    expect(edgeFunctionTimeoutSeconds(2500)).toBe(7);
    expect(edgeFunctionTimeoutSeconds(2000)).toBe(6);
  });

  it('refuses a budget that would need more than origin-request triggers allow', () => {
    expect(edgeFunctionTimeoutSeconds(14_000)).toBe(30);
    expect(() => edgeFunctionTimeoutSeconds(14_001)).toThrow(
      'writeBudgetMs 14001 needs a 31 s timeout; origin-request triggers allow 30 s',
    );
  });
});
