/**
 * The edge's deprecation notice: a deprecated schema version or SDK release is still accepted,
 * and its answers carry `Deprecation: @<unix seconds>` (RFC 9745) and `Sunset: <HTTP-date>`
 * (RFC 8594). The SDK logs it once per page (a notice on every batch would flood the console) and
 * tells the host through `onDeprecation`.
 */
import type { BeaconBatch } from '../../schemas/index.js';
import type { Logger } from '../log.js';
import type { DeprecationNotice } from './results.js';

/** Notices already logged on this page (module state lives as long as the page's SDK). */
const logged = new Set<string>();

/**
 * The notice an answer to `batch` carried, with both dates in ms when they parse.
 * @example parseDeprecation(batch, '@1796083200', 'Mon, 01 Mar 2027 00:00:00 GMT')
 */
export function parseDeprecation(
  batch: Pick<BeaconBatch, 'schema_version' | 'sdk_name' | 'sdk_version'>,
  deprecation: string,
  sunset?: string,
): DeprecationNotice {
  const n: DeprecationNotice = {
    schemaVersion: batch.schema_version,
    sdk: `${batch.sdk_name}@${batch.sdk_version}`,
    deprecation,
  };
  const at = /^@(-?\d{1,15})$/.exec(deprecation.trim());
  if (at) n.deprecatedAt = Number(at[1]) * 1000;
  if (sunset) {
    n.sunset = sunset;
    const t = Date.parse(sunset);
    if (Number.isFinite(t)) n.sunsetAt = t;
  }
  return n;
}

/**
 * Logs the notice at warn level unless this page already logged the same one; returns whether it
 * logged.
 */
export function logDeprecationOnce(n: DeprecationNotice, log: Logger): boolean {
  const since =
    n.deprecatedAt === undefined ? n.deprecation : new Date(n.deprecatedAt).toUTCString();
  const text = `schema ${n.schemaVersion} or ${n.sdk} is deprecated since ${since}, sunset ${n.sunset ?? 'not set'}`;
  if (logged.has(text)) return false;
  logged.add(text);
  log.warn(text, n);
  return true;
}
