/**
 * Event ids of CMCD reports. A player resends a batch it got no answer for (429, 5xx, a network
 * error), so the id is a hash of what identifies the report, never of the request: the resent
 * line gets the same id and the store keeps it once.
 */
import { createHash } from 'node:crypto';
import type { CmcdReport } from '../../schemas/cmcd.js';

/** Prefix of every CMCD event id; the rest is 32 base64url characters (192 bits of SHA-256). */
const PREFIX = 'cmcd-';

/**
 * The id of a validated report: from `sid`, `sn`, `e` and `ts`. A report without `sn` (dash.js
 * sends it only when `enabledKeys` lists it) is also hashed on its whole content, in key order,
 * so two different reports of one session at the same millisecond (two responses received) do
 * not collapse into one, while a resend of the same line still does. Matches LIMITS.idPattern.
 */
export function cmcdEventId(report: CmcdReport): string {
  const sn = Object.hasOwn(report, 'sn') ? report.sn : undefined;
  const key = [report.sid, sn ?? null, report.e, report.ts];
  if (sn === undefined) {
    key.push(
      JSON.stringify(
        Object.keys(report)
          .sort()
          .map((k) => [k, report[k]]),
      ),
    );
  }
  const digest = createHash('sha256').update(JSON.stringify(key)).digest('base64url');
  return `${PREFIX}${digest.slice(0, 32)}`;
}
