/**
 * The source slice in Grafana: a `source` template variable (All, sdk, cmcd) that the QoE panels
 * filter on, and the "By source / player" table. Events reach us from our SDK (`sdk`) or as a
 * player's own CMCD v2 reports (`cmcd`); the stores hold it as
 * - InfluxDB: the event tag `source` (points written before it existed have no such tag, and all
 *   of them came from the SDK, so `sdk` also selects points without it);
 * - Timestream: the dimension `source` (missing, NULL, in older records: read as `sdk` too).
 * The variable's values are written for each store's filter: an InfluxQL regex alternative, a SQL
 * LIKE pattern; `All` matches everything, tagged or not.
 */
import { CustomVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';

/** The event tag (InfluxDB) and dimension (Timestream) the sinks write the source as. */
export const SOURCE_TAG = 'source';
/** The template variable's name. */
const SOURCE_VARIABLE = 'source';

/** The store the variable is for (GrafanaStore, without importing dashboards.ts). */
type Store = 'influxdb' | 'timestream';

/** Each store's variable values: what a source selects in that store's filter, and All. */
const VALUES: Record<Store, { sdk: string; cmcd: string; all: string }> = {
  // Inside /^(…)$/: `sdk|` also matches a point without the tag (it reads as "").
  influxdb: { sdk: 'sdk|', cmcd: 'cmcd', all: '.*' },
  // Inside LIKE '…' against coalesce(source, 'sdk').
  timestream: { sdk: 'sdk', cmcd: 'cmcd', all: '%' },
};

/** The variable's value for a choice, as Grafana substitutes it (for the tests' expansion). */
export function sourceVariableValue(store: Store, choice: 'all' | 'sdk' | 'cmcd'): string {
  return VALUES[store][choice];
}

/** The `source` template variable of a store's dashboards: All (default), sdk, cmcd. */
export function sourceVariable(store: Store): CustomVariableBuilder {
  const v = VALUES[store];
  return new CustomVariableBuilder(SOURCE_VARIABLE)
    .label('Source')
    .description('sdk: our beacons; cmcd: players’ own CMCD v2 reports')
    .values(`sdk : ${v.sdk},cmcd : ${v.cmcd}`)
    .includeAll(true)
    .allValue(v.all)
    .current({ text: 'All', value: '$__all' });
}

// `:raw`: the value goes in as written (Grafana would otherwise regex- or quote-escape it).
const INFLUX_FILTER = ` AND "${SOURCE_TAG}" =~ /^($\{${SOURCE_VARIABLE}:raw})$/`;
const TIMESTREAM_FILTER = ` AND coalesce(${SOURCE_TAG}, 'sdk') LIKE '$\{${SOURCE_VARIABLE}:raw}'`;

/** A query narrowed to the selected source: the filter goes right after the time filter. */
export function withSourceFilter(query: string, store: Store): string {
  return store === 'influxdb'
    ? query.replaceAll('$timeFilter', `$timeFilter${INFLUX_FILTER}`)
    : query.replaceAll('$__timeFilter', `$__timeFilter${TIMESTREAM_FILTER}`);
}

/**
 * The Timestream SQL of the "By source / player" table: per source, player name and version
 * (measures in the events table; `(unknown)` where a session named none).
 */
export function timestreamSourceSql(playTypes: readonly string[]): string {
  const plays = playTypes.map((t) => `'${t}'`).join(', ');
  const played = `CASE WHEN measure_name IN (${plays}) THEN session_id END`;
  return [
    `SELECT coalesce(${SOURCE_TAG}, 'sdk') AS source,`,
    `coalesce(player_name, '(unknown)') AS player, coalesce(player_version, '(unknown)') AS version,`,
    `count(DISTINCT ${played}) AS plays,`,
    `1.0 * count(DISTINCT CASE WHEN measure_name = 'error' AND fatal THEN session_id END) / nullif(count(DISTINCT ${played}), 0) AS "failure %",`,
    `approx_percentile(CASE WHEN measure_name = 'first_frame' THEN startup_ms END, 0.5) AS "startup p50",`,
    `count_if(measure_name = 'stall_end') AS stalls`,
    `FROM $__database.$__table WHERE $__timeFilter`,
    `GROUP BY coalesce(${SOURCE_TAG}, 'sdk'), player_name, player_version ORDER BY plays DESC`,
  ].join(' ');
}
