/**
 * The CloudFront KeyValueStore's keys: what the viewer-request function reads at request time so
 * an operator can change it without a redeploy (on AWS the CDK app seeds the store from
 * `kvsSeed`; locally the CloudFront emulator serves the same keys). One place for the key names
 * and their value formats, shared by the seed, the function's build and the tests.
 */
import type { EdgeConfig } from './config.js';
import { NO_RULES, parseRules, ROLLOUT_KEYS, type RolloutScope } from './rollout.js';

/** Key names. */
export const KVS_KEYS = {
  /** Space-separated CORS allow-list of origins (`*` allows any), as in `EdgeConfig.allowedOrigins`. */
  allowedOrigins: 'cors.allowed-origins',
  /** Rollout rules per schema version (edge/rollout.ts format; `-` for none). */
  rolloutSchemas: ROLLOUT_KEYS.schema,
  /** Rollout rules per SDK release (edge/rollout.ts format; `-` for none). */
  rolloutSdks: ROLLOUT_KEYS.sdk,
} as const;

/**
 * The configuration's rollout rules, each value normalised (`-` when there are none). Throws on
 * any rule the edge could not read, so a bad value fails the build or synth instead of being
 * left out at the edge.
 */
export function checkedRollout(rollout: EdgeConfig['rollout']): { schemas: string; sdks: string } {
  const check = (scope: RolloutScope, name: string, value: string | undefined): string => {
    if (value === undefined) return NO_RULES;
    if (typeof value !== 'string') throw new Error(`edge config rollout.${name} must be a string`);
    const { problems } = parseRules(scope, value);
    if (problems.length > 0) {
      const list = problems.map((p) => `'${p.text}': ${p.problem}`).join('; ');
      throw new Error(`edge config rollout.${name}: ${list}`);
    }
    const trimmed = value.trim().split(/\s+/).join(' ');
    return trimmed === '' ? NO_RULES : trimmed;
  };
  return {
    schemas: check('schema', 'schemas', rollout?.schemas),
    sdks: check('sdk', 'sdks', rollout?.sdks),
  };
}

/** CloudFront's limit on one entry: key and value together, in bytes. */
export const KVS_MAX_ENTRY_BYTES = 1024;

/** One key-value pair, as the store's import format (`{ data: [...] }`) lists them. */
export interface KvsEntry {
  key: string;
  value: string;
}

/**
 * The store's initial content for a configuration. Throws when an entry would not fit the
 * store's limit, so an over-long allow-list fails at synth time, not at the edge.
 */
export function kvsSeed(config: Pick<EdgeConfig, 'allowedOrigins' | 'rollout'>): KvsEntry[] {
  const rollout = checkedRollout(config.rollout);
  const entries: KvsEntry[] = [
    { key: KVS_KEYS.allowedOrigins, value: config.allowedOrigins.join(' ') },
    { key: KVS_KEYS.rolloutSchemas, value: rollout.schemas },
    { key: KVS_KEYS.rolloutSdks, value: rollout.sdks },
  ];
  for (const e of entries) {
    const bytes = Buffer.byteLength(e.key) + Buffer.byteLength(e.value);
    if (bytes > KVS_MAX_ENTRY_BYTES) {
      throw new Error(
        `KeyValueStore entry ${e.key} is ${bytes} bytes; CloudFront allows ${KVS_MAX_ENTRY_BYTES} per key and value`,
      );
    }
  }
  return entries;
}
