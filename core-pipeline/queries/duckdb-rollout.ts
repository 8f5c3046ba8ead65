/**
 * The rollout panel's read on the DuckDB store: per schema version or per SDK release
 * (`sdk_name@sdk_version`), the rollups' events, sessions, plays, failures and startup sketch
 * (schema_version, sdk_name and sdk_version are rollup dimensions, so no raw event is read), the
 * bad rows by their own version columns and the rollout refusals by theirs, per bucket;
 * rollout-answers.ts turns them into the answer. Two SDKs that share a version number (a web and
 * an Android 1.2.0) are two releases, as the rollout switch's `sdk@version` rules see them.
 *
 * Events are bucketed by event time (whole minutes, as every rollup read); bad rows and refusals
 * by receive time (the edge refused them before any event time was trusted).
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { InvalidQueryError } from '../errors.js';
import { ROLLUP_TABLE, SKETCH_TABLE } from '../rollups/tables.js';
import type { DuckDbStore, QueryRow } from '../sinks/duckdb.js';
import { BAD_ROWS_TABLE, REFUSALS_TABLE } from '../sinks/duckdb-schema.js';
import * as guard from './guards.js';
import {
  emptyCounts,
  entry,
  ROLLOUT_GROUPINGS,
  rolloutAnswer,
  type RolloutAnswer,
  type RolloutCounts,
  type RolloutGrouping,
  type RolloutInput,
  type RolloutQueries,
} from './rollout-answers.js';

/** The columns that name a version per grouping (fixed names, never input). */
const VERSION_COLUMNS: Record<RolloutGrouping, string> = {
  schema: 'schema_version AS v',
  sdk: 'sdk_name AS sdk, sdk_version AS v',
};

/**
 * A row's version: the schema version, or the SDK release as `name@version`. '' when not known:
 * NULL in bad rows of unreadable bodies, '' in the rollups (their missing value). Built after the
 * grouping, so the scan groups by the stored dictionary-encoded columns.
 */
function versionOf(by: RolloutGrouping, row: QueryRow): string {
  const v = row.v === null || row.v === undefined ? '' : String(row.v);
  if (by === 'schema') return v;
  const n = row.sdk === null || row.sdk === undefined ? '' : String(row.sdk);
  return n === '' || v === '' ? '' : `${n}@${v}`;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** The DuckDB implementation of the rollout read. */
export function createDuckDbRolloutQueries(store: DuckDbStore): RolloutQueries {
  return { rollout: (input) => rollout(store, input) };
}

function grouping(v: unknown): RolloutGrouping {
  if (!(ROLLOUT_GROUPINGS as readonly unknown[]).includes(v))
    throw new InvalidQueryError('by', `must be one of ${ROLLOUT_GROUPINGS.join(', ')}`);
  return v as RolloutGrouping;
}

/** `[$1, $2)` on a timestamp column. */
const inWindow = (col: string) =>
  `${col} >= make_timestamp_ms($1::BIGINT) AND ${col} < make_timestamp_ms($2::BIGINT)`;

async function rollout(store: DuckDbStore, input: RolloutInput): Promise<RolloutAnswer> {
  const by = grouping(input?.by);
  const r = guard.bucketRange(input.from, input.to, input.bucketSeconds);
  if (r.bucketMs % guard.MINUTE_MS !== 0)
    throw new InvalidQueryError(
      'bucketSeconds',
      'must be a multiple of 60 (rollups are per minute)',
    );
  const endMs = Math.ceil(r.endMs / guard.MINUTE_MS) * guard.MINUTE_MS;
  const params: DuckDBValue[] = [BigInt(r.startMs), BigInt(endMs), BigInt(r.bucketMs)];
  const v = VERSION_COLUMNS[by];
  const [sums, sketch, bad, refused] = await Promise.all([
    store.query(
      `SELECT ${guard.bucketStartSql('minute')} AS t, ${v}, sum(events) AS events, sum(sessions) AS sessions,
         sum(plays) AS plays, sum(start_failures) + sum(playback_failures) AS failures
       FROM ${ROLLUP_TABLE} WHERE ${inWindow('minute')} GROUP BY ALL`,
      params,
    ),
    store.query(
      `SELECT ${guard.bucketStartSql('minute')} AS t, ${v}, bucket, sum(n) AS n
       FROM ${SKETCH_TABLE} WHERE ${inWindow('minute')} GROUP BY ALL`,
      params,
    ),
    store.query(
      `SELECT ${guard.bucketStartSql('received_at')} AS t, ${v}, count(*) AS n
       FROM ${BAD_ROWS_TABLE.name} WHERE ${inWindow('received_at')} GROUP BY ALL`,
      params,
    ),
    store.query(
      `SELECT ${guard.bucketStartSql('received_at')} AS t, ${v}, reason, count(*) AS n, sum(events) AS e
       FROM ${REFUSALS_TABLE.name} WHERE ${inWindow('received_at')} GROUP BY ALL`,
      params,
    ),
  ]);
  const counts = new Map<string, Map<number, RolloutCounts>>();
  const at = (row: QueryRow): RolloutCounts => {
    const version = versionOf(by, row);
    const byT = entry(counts, version, () => new Map<number, RolloutCounts>());
    return entry(byT, num(row.t), emptyCounts);
  };
  for (const row of sums) {
    const c = at(row);
    c.events += num(row.events);
    c.sessions += num(row.sessions);
    c.plays += num(row.plays);
    c.failures += num(row.failures);
  }
  for (const row of sketch) {
    const n = num(row.n);
    if (n !== 0) at(row).startupSketch.set(num(row.bucket), n);
  }
  for (const row of bad) at(row).badRows += num(row.n);
  for (const row of refused) {
    const c = at(row);
    const reason = String(row.reason);
    c.refusals[reason] = (c.refusals[reason] ?? 0) + num(row.n);
    c.refusedEvents += num(row.e);
  }
  const buckets: number[] = [];
  for (let t = r.startMs; t < r.endMs; t += r.bucketMs) buckets.push(t);
  return rolloutAnswer({
    by,
    fromMs: r.startMs,
    toMs: endMs,
    bucketMs: r.bucketMs,
    buckets,
    counts: dropEmpty(counts),
  });
}

/**
 * Versions whose rollup rows all cancel out (a retracted delta, a compacted zero) are not versions
 * seen in the window.
 */
function dropEmpty(
  counts: Map<string, Map<number, RolloutCounts>>,
): Map<string, Map<number, RolloutCounts>> {
  for (const [version, byT] of counts) {
    const seen = [...byT.values()].some(
      (c) =>
        c.events !== 0 ||
        c.sessions !== 0 ||
        c.badRows !== 0 ||
        c.startupSketch.size > 0 ||
        Object.keys(c.refusals).length > 0,
    );
    if (!seen) counts.delete(version);
  }
  return counts;
}
