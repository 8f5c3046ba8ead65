/**
 * Findings that describe nearly the same sessions: a POP that serves one country, that country,
 * and the serving region behind both go wrong together. All of them are kept (the data alone
 * cannot say which one is the cause) but they are put next to each other, each naming the others,
 * and the most specific one leads its group.
 *
 * Rule: two findings on the same metric in different dimensions describe nearly the same sessions
 * when their slice sample sizes and their slice values both agree within SAME_SESSIONS_TOLERANCE
 * (rollups hold no cross-dimension joins; two different audiences with the same size and the
 * same value on a metric are unlikely). The more specific is the one with the smaller sample (a
 * subset is never larger), on a tie the finer dimension of SPECIFICITY.
 * Pure: no I/O.
 */
import type { RollupDimension } from '../rollups/aggregate.js';
import type { Finding } from './diagnose.js';

/** Relative tolerance for "nearly the same sessions". */
const SAME_SESSIONS_TOLERANCE = 0.05;

/** Dimensions from the finest grain (the likeliest cause) to the coarsest. */
const SPECIFICITY: readonly RollupDimension[] = [
  'pop',
  'asn',
  'content_id',
  'country_region',
  'sdk_version',
  // A version is a subset of its player's sessions, but when the two are the same sessions the
  // player's name says more than a bare version number (`5.2.1` of which player?), so it leads.
  'player_name',
  'player_version',
  'device',
  'schema_version',
  // An SDK's sessions are a subset of its source's (`cmcd` is a source and its SDK name).
  'sdk_name',
  'source',
  'country',
  'serving_region',
];

const close = (a: number, b: number) =>
  Math.abs(a - b) <= SAME_SESSIONS_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));

/** Whether two findings describe nearly the same sessions (rule above). */
export function sameSessions(a: Finding, b: Finding): boolean {
  return (
    a.metric === b.metric &&
    a.dimension !== b.dimension &&
    close(a.sample.slice, b.sample.slice) &&
    close(a.sliceValue, b.sliceValue)
  );
}

/**
 * Groups findings (already ranked) that describe nearly the same sessions: each group takes the
 * place of its best-ranked member, the most specific member first; members name each other in
 * `sameSessionsAs` and the first has `moreSpecific: true`.
 */
export function groupSameSessions(ranked: Finding[]): Finding[] {
  const placed = new Set<Finding>();
  const out: Finding[] = [];
  for (const f of ranked) {
    if (placed.has(f)) continue;
    const group = [f];
    for (const g of ranked)
      if (!placed.has(g) && g !== f && group.every((m) => sameSessions(m, g))) group.push(g);
    for (const m of group) placed.add(m);
    if (group.length === 1) {
      out.push(f);
      continue;
    }
    group.sort(
      (a, b) =>
        a.sample.slice - b.sample.slice ||
        SPECIFICITY.indexOf(a.dimension) - SPECIFICITY.indexOf(b.dimension),
    );
    group.forEach((m, i) => {
      out.push({
        ...m,
        sameSessionsAs: group
          .filter((o) => o !== m)
          .map((o) => ({ dimension: o.dimension, value: o.value })),
        moreSpecific: i === 0,
      });
    });
  }
  return out;
}
