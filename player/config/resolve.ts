/**
 * Turns the options a host passed into the configuration the tracker runs with. Never throws: an
 * invalid value is replaced by its default and reported in `problems`, which the tracker logs.
 */
import { SCHEMA_VERSIONS } from '../../schemas/index.js';
import { ConfigError } from '../errors.js';
import { DEFAULTS, type Defaults } from './defaults.js';
import type { TrackerOptions } from './options.js';
import { RANGES } from './ranges.js';

/** Options after defaults and validation. */
export type ResolvedConfig = TrackerOptions & Defaults;

/**
 * Applies defaults and validates options. Never throws.
 * @returns the config and the problems found (each a ConfigError naming the option).
 */
export function resolveConfig(options: TrackerOptions): {
  config: ResolvedConfig;
  problems: ConfigError[];
} {
  const problems: ConfigError[] = [];
  const o = (options && typeof options === 'object' ? options : {}) as TrackerOptions &
    Record<string, unknown>;
  const config = { ...o } as Record<string, unknown>;
  for (const key of Object.keys(DEFAULTS) as (keyof Defaults)[]) {
    const value = o[key];
    const def = DEFAULTS[key];
    let ok = value !== undefined;
    const range = RANGES[key];
    if (ok && range) ok = typeof value === 'number' && value >= range[0] && value <= range[1];
    else if (ok && Array.isArray(def))
      ok = Array.isArray(value) && value.every((n) => Number.isInteger(n));
    else if (ok && key === 'logLevel')
      ok = ['silent', 'error', 'warn', 'info', 'debug'].includes(value as string);
    else if (ok && key === 'schemaVersion')
      ok = (SCHEMA_VERSIONS as readonly unknown[]).includes(value);
    else if (ok && typeof def === 'string') ok = typeof value === 'string' && value.length > 0;
    if (!ok && value !== undefined)
      problems.push(new ConfigError(`invalid ${key}: ${String(value)}; using ${String(def)}`, key));
    config[key] = (ok ? value : Array.isArray(def) ? [...def] : def) as never;
  }
  if (typeof o.contentId !== 'string' && typeof o.contentId !== 'function') {
    problems.push(new ConfigError('contentId missing', 'contentId'));
    config.contentId = 'unknown';
  }
  return { config: config as unknown as ResolvedConfig, problems };
}
