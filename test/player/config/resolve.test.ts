import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../player/config/defaults.js';
import { resolveConfig } from '../../../player/config/resolve.js';
import { LIMITS } from '../../../schemas/index.js';

describe('resolveConfig', () => {
  it('fills every default and reports nothing for a minimal valid input', () => {
    const { config, problems } = resolveConfig({ contentId: 'c' });
    expect(problems).toStrictEqual([]);
    expect(config).toStrictEqual({ contentId: 'c', ...DEFAULTS });
    expect(config.neverRetry).not.toBe(DEFAULTS.neverRetry);
  });

  it('accepts a batch size up to the body limit the edge accepts, and no more', () => {
    const at = resolveConfig({ contentId: 'c', maxBatchBytes: LIMITS.maxBodyBytes });
    expect(at.config.maxBatchBytes).toBe(65_536);
    expect(at.problems).toStrictEqual([]);
    const over = resolveConfig({ contentId: 'c', maxBatchBytes: LIMITS.maxBodyBytes + 1 });
    expect(over.config.maxBatchBytes).toBe(DEFAULTS.maxBatchBytes);
    expect(over.problems.map((p) => [p.name, p.option, p.message])).toStrictEqual([
      ['ConfigError', 'maxBatchBytes', 'invalid maxBatchBytes: 65537; using 57344'],
    ]);
  });

  it('replaces each invalid value by its default and names the option', () => {
    const { config, problems } = resolveConfig({
      contentId: 42 as never,
      sampleRate: 1.5,
      endpoint: '',
      neverRetry: [400, 4.5],
      logLevel: 'loud' as never,
    });
    expect(problems.map((p) => p.option)).toStrictEqual([
      'endpoint',
      'sampleRate',
      'neverRetry',
      'logLevel',
      'contentId',
    ]);
    expect(config).toMatchObject({
      contentId: 'unknown',
      sampleRate: 1,
      endpoint: '/v1/events',
      neverRetry: DEFAULTS.neverRetry,
      logLevel: 'warn',
    });
  });
});
