/**
 * Grafana's query macros, expanded the way Grafana expands them, so the tests can run every
 * generated query against a real database exactly as a dashboard would send it.
 *
 * - The interval: the frontend divides the time range by the panel's max data points, rounds the
 *   result to a "nice" width (`roundInterval` in @grafana/data's rangeutil) and never goes below
 *   the minimum interval (the panel's, else the data source's, else 1 ms).
 * - InfluxQL: the backend (pkg/tsdb/influxdb/models/query.go) replaces `$timeFilter` with
 *   `time >= <from>ms and time <= <to>ms`, then `$interval`, `$__interval_ms` and `$__interval`,
 *   the interval written in its largest whole unit (gtime.FormatInterval).
 * - Timestream: the plugin replaces `$__database`, `$__table`, `$__measure` with the query's (or the
 *   data source's default) names, `$__timeFilter` with
 *   `time BETWEEN from_milliseconds(<from>) AND from_milliseconds(<to>)` and `$__interval_ms`.
 */

/** A dashboard time range, ms since the epoch. */
export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/** Upper bounds (exclusive) of raw intervals, each with the rounded interval it maps to (ms). */
const ROUNDING: readonly [number, number][] = [
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1500, 1000],
  [3500, 2000],
  [7500, 5000],
  [12500, 10000],
  [17500, 15000],
  [25000, 20000],
  [45000, 30000],
  [90000, 60000],
  [210000, 120000],
  [450000, 300000],
  [750000, 600000],
  [1050000, 900000],
  [1500000, 1200000],
  [2700000, 1800000],
  [5400000, 3600000],
  [9000000, 7200000],
  [16200000, 10800000],
  [32400000, 21600000],
  [86400000, 43200000],
  [604800000, 86400000],
  [1814400000, 604800000],
  [3628800000, 2592000000],
];

/** Grafana's `roundInterval`: a raw interval (ms) rounded to a width people read easily. */
export function roundInterval(ms: number): number {
  for (const [below, rounded] of ROUNDING) if (ms < below) return rounded;
  return 31536000000;
}

/**
 * The interval Grafana gives a panel's queries (`$__interval`, `$__interval_ms`).
 * @param maxDataPoints the panel's max data points (Grafana uses the panel's width in pixels when
 *   it has none).
 * @param minIntervalMs the panel's or data source's minimum interval; 1 ms when neither is set.
 * @example grafanaIntervalMs({ fromMs: 0, toMs: 900_000 }, 100) // 10000 (15 min / 100 → 9 s → 10 s)
 */
export function grafanaIntervalMs(
  range: TimeRange,
  maxDataPoints: number,
  minIntervalMs = 1,
): number {
  return Math.max(minIntervalMs, roundInterval((range.toMs - range.fromMs) / maxDataPoints));
}

/** An interval in its largest whole unit, as Grafana's backend writes it (`10s`, `1m`, `500ms`). */
export function formatInterval(ms: number): string {
  const units: [string, number][] = [
    ['y', 31536000000],
    ['d', 86400000],
    ['h', 3600000],
    ['m', 60000],
    ['s', 1000],
    ['ms', 1],
  ];
  for (const [unit, size] of units) if (ms >= size) return `${Math.floor(ms / size)}${unit}`;
  return '1ms';
}

/** What a query is expanded with. */
export interface MacroContext extends TimeRange {
  intervalMs: number;
  /** Template variables' values as Grafana substitutes them (`${name:raw}`: as written). */
  variables?: Readonly<Record<string, string>>;
}

/** Template variables written `${name:raw}` replaced by their values. */
function expandVariables(query: string, variables: MacroContext['variables'] = {}): string {
  let out = query;
  for (const [name, value] of Object.entries(variables))
    out = out.replaceAll(`\${${name}:raw}`, value);
  return out;
}

/**
 * An InfluxQL query with `$timeFilter`, `$interval`, `$__interval_ms`, `$__interval` and the
 * template variables expanded.
 */
export function expandInfluxQL(query: string, ctx: MacroContext): string {
  const interval = formatInterval(ctx.intervalMs);
  return expandVariables(query, ctx.variables)
    .replaceAll(
      '$timeFilter',
      `time >= ${Math.trunc(ctx.fromMs)}ms and time <= ${Math.trunc(ctx.toMs)}ms`,
    )
    .replaceAll('$interval', interval)
    .replaceAll('$__interval_ms', String(Math.trunc(ctx.intervalMs)))
    .replaceAll('$__interval', interval);
}

/** The names a Timestream query's macros stand for (quoted as the SQL needs them). */
export interface TimestreamNames {
  database: string;
  table: string;
  measure?: string;
}

/** A Timestream query with the plugin's macros expanded. */
export function expandTimestream(sql: string, ctx: MacroContext & TimestreamNames): string {
  return expandVariables(sql, ctx.variables)
    .replaceAll('$__database', ctx.database)
    .replaceAll('$__table', ctx.table)
    .replaceAll('$__measure', ctx.measure ?? '')
    .replaceAll(
      '$__timeFilter',
      `time BETWEEN from_milliseconds(${Math.trunc(ctx.fromMs)}) AND from_milliseconds(${Math.trunc(ctx.toMs)})`,
    )
    .replaceAll('$__interval_ms', String(Math.trunc(ctx.intervalMs)));
}
