/**
 * The CloudFront KeyValueStore's keys: what the viewer-request function reads at request time so
 * an operator can change it without a redeploy (on AWS the CDK app seeds the store from
 * `kvsSeed`; locally the CloudFront emulator serves the same keys). One place for the key names
 * and their value formats, shared by the seed, the function's build and the tests.
 */
import type { EdgeConfig } from './config.js';

/** Key names. */
export const KVS_KEYS = {
  /** Space-separated CORS allow-list of origins (`*` allows any), as in `EdgeConfig.allowedOrigins`. */
  allowedOrigins: 'cors.allowed-origins',
} as const;

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
export function kvsSeed(config: Pick<EdgeConfig, 'allowedOrigins'>): KvsEntry[] {
  const entries: KvsEntry[] = [
    { key: KVS_KEYS.allowedOrigins, value: config.allowedOrigins.join(' ') },
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
