// The KeyValueStore's seed and the rollout rules compiled into the edge (edge/kvs.ts): a rule the
// edge could not read fails here, at build or synth time, instead of being left out at the edge.
import { describe, expect, it } from 'vitest';
import { checkedRollout, KVS_KEYS, kvsSeed } from '../../edge/kvs.js';
import { ROLLOUT_KEYS } from '../../edge/rollout.js';

describe('kvsSeed', () => {
  it('seeds the allow-list and both rollout keys, `-` without rules', () => {
    expect(kvsSeed({ allowedOrigins: ['https://a.example', 'https://b.example'] })).toStrictEqual([
      { key: KVS_KEYS.allowedOrigins, value: 'https://a.example https://b.example' },
      { key: ROLLOUT_KEYS.schema, value: '-' },
      { key: ROLLOUT_KEYS.sdk, value: '-' },
    ]);
  });

  it('seeds the rules of the configuration, spaces normalised', () => {
    const seed = kvsSeed({
      allowedOrigins: ['*'],
      rollout: {
        schemas: ' 1-0-0:deprecated,sunset=2027-03-01\n 2-0-0:live,sample=0.1 ',
        sdks: '',
      },
    });
    expect(seed.slice(1)).toStrictEqual([
      { key: 'rollout.schemas', value: '1-0-0:deprecated,sunset=2027-03-01 2-0-0:live,sample=0.1' },
      { key: 'rollout.sdks', value: '-' },
    ]);
  });

  it('refuses a value over the store limit of 1 KB per key and value', () => {
    const sdks = Array.from({ length: 40 }, (_, i) => `beacon-edge-web@0.${i}.0:retired`).join(' ');
    expect(() => kvsSeed({ allowedOrigins: ['*'], rollout: { schemas: '-', sdks } })).toThrow(
      /KeyValueStore entry rollout\.sdks is \d+ bytes; CloudFront allows 1024/,
    );
  });
});

describe('checkedRollout', () => {
  it('reads no configuration as no rules', () => {
    expect(checkedRollout(undefined)).toStrictEqual({ schemas: '-', sdks: '-' });
  });

  it.each([
    [{ schemas: '1-0-0:old', sdks: '-' }, "rollout.schemas: '1-0-0:old': state must be one of"],
    [{ schemas: '-', sdks: 'web:retired' }, "rollout.sdks: 'web:retired': an SDK release is"],
    [
      { schemas: '1-0-0:live 1-0-0:retired', sdks: '-' },
      "rollout.schemas: '1-0-0:retired': a second rule for 1-0-0",
    ],
    [{ schemas: 7, sdks: '-' }, 'rollout.schemas must be a string'],
  ])('refuses %j', (rollout, message) => {
    expect(() => checkedRollout(rollout as never)).toThrow(message);
  });
});
