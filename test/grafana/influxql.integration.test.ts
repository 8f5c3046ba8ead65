/**
 * Every InfluxDB panel query of both generated dashboards, with its macros expanded as Grafana
 * expands them, runs against a real influxd holding simulated traffic (rows made by the real core
 * decoder, written as the InfluxDB sink's points) and returns the numbers computed here, from the
 * same rows, independently of InfluxDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRow } from '../../core-pipeline/rows.js';
import { eventTimeMs } from '../../core-pipeline/sinks/influxdb-schema.js';
import { PLAY_EVENT_TYPES } from '../../dashboard/panels.js';
import { buildDashboards, DASHBOARD_UIDS, MAX_DATA_POINTS } from '../../grafana/dashboards.js';
import { expandInfluxQL, grafanaIntervalMs } from '../../grafana/macros.js';
import { sourceVariableValue } from '../../grafana/source-panel.js';
import { simulateTraffic, type Traffic, writeTraffic } from '../helpers/grafana-traffic.js';
import { type Influxd, type InfluxResult, startInfluxd } from '../helpers/influxd.js';
import { T0 } from '../helpers/records.js';

/** The source variable as the panels' queries spell it (a Grafana placeholder, not a template). */
const SOURCE_VAR = '$' + '{source:raw}';

const DB = 'beacons';
/** The simulated traffic's 15 minutes, not aligned to any bucket. */
const TRAFFIC_FROM = T0 + 3_500;
const TRAFFIC_TO = TRAFFIC_FROM + 15 * 60_000;
/**
 * The dashboard time ranges checked: the traffic's 15 minutes (earlier traffic outside it), and
 * the hour up to its end (earlier traffic inside it), each with the interval Grafana would pick.
 */
const RANGES = [
  { name: 'last 15 minutes', from: TRAFFIC_FROM, to: TRAFFIC_TO, interval: 10_000 },
  { name: 'last hour', from: TRAFFIC_TO - 3_600_000, to: TRAFFIC_TO, interval: 30_000 },
];

/** The panels' targets as the dashboard JSON holds them. */
interface StoredTarget {
  refId: string;
  query: string;
}
interface StoredPanel {
  title: string;
  description: string;
  targets: StoredTarget[];
}

/** InfluxDB's PERCENTILE: the value at rank ⌊n·p/100 + 0.5⌋ of the sorted values (1-based). */
function influxPercentile(values: number[], p: number): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.floor((sorted.length * p) / 100 + 0.5) - 1;
  return i < 0 || i >= sorted.length ? undefined : sorted[i];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Each session's source, by the last digit of its id: SDK, a player's CMCD reports, or an SDK
 * session stored before the source existed (no tag on its points).
 */
function withSources(rows: EventRow[]): EventRow[] {
  const of = (id: string) => (['sdk', 'cmcd', null] as const)[id.charCodeAt(id.length - 1) % 3];
  return rows.map((r) => ({ ...r, source: of(r.session_id) }));
}
const distinct = (rows: EventRow[]) => new Set(rows.map((r) => r.session_id)).size;

describe('InfluxDB panels of the generated dashboards against influxd', () => {
  let influx: Influxd;
  let traffic: Traffic;
  let inRange: EventRow[];
  // The range under test: set by each test before it runs its queries.
  let FROM = 0;
  let TO = 0;
  let INTERVAL = 0;
  // The `source` variable's choice (All unless a test picks one).
  let SOURCE: 'all' | 'sdk' | 'cmcd' = 'all';
  function useRange(range: (typeof RANGES)[number]): void {
    FROM = range.from;
    TO = range.to;
    INTERVAL = grafanaIntervalMs({ fromMs: FROM, toMs: TO }, MAX_DATA_POINTS);
    inRange = traffic.events.filter((r) => eventTimeMs(r) >= FROM && eventTimeMs(r) <= TO);
  }
  /** Picks the `source` variable's choice; `inRange` keeps only that source's rows. */
  function useSource(choice: typeof SOURCE): void {
    SOURCE = choice;
    if (choice !== 'all')
      inRange = inRange.filter((r) => (choice === 'cmcd') === (r.source === 'cmcd'));
  }

  beforeAll(async () => {
    influx = await startInfluxd();
    await influx.createDatabase(DB);
    const inside = simulateTraffic({
      seed: 9,
      fromMs: TRAFFIC_FROM,
      spanMs: TRAFFIC_TO - TRAFFIC_FROM,
      sessions: 80,
      badRows: 40,
    });
    // Earlier traffic: outside the 15 minutes, inside the hour.
    const before = simulateTraffic({
      seed: 10,
      fromMs: TRAFFIC_FROM - 40 * 60_000,
      spanMs: 15 * 60_000,
      sessions: 20,
      badRows: 10,
    });
    traffic = {
      events: withSources([...inside.events, ...before.events]),
      badRows: [...inside.badRows, ...before.badRows],
    };
    await writeTraffic(influx.url, DB, traffic);
  }, 60_000);
  afterAll(() => influx?.stop());

  const ofType = (...types: string[]) => inRange.filter((r) => types.includes(r.type));
  /** Bucket starts Grafana's GROUP BY time($__interval) returns with fill(0). */
  const buckets = () => {
    const out: number[] = [];
    for (let b = Math.floor(FROM / INTERVAL) * INTERVAL; b <= TO; b += INTERVAL) out.push(b);
    return out;
  };
  const perBucket = (rows: { t: number; v: number }[], agg: (vs: number[]) => number) =>
    buckets().map((b) => [
      b,
      agg(rows.filter((r) => r.t >= b && r.t < b + INTERVAL).map((r) => r.v)),
    ]);
  const eventsAt = (rows: EventRow[], v: (r: EventRow) => number = () => 1) =>
    rows.map((r) => ({ t: eventTimeMs(r), v: v(r) }));

  async function run(q: string): Promise<InfluxResult> {
    const expanded = expandInfluxQL(q, {
      fromMs: FROM,
      toMs: TO,
      intervalMs: INTERVAL,
      variables: { source: sourceVariableValue('influxdb', SOURCE) },
    });
    // No macro or variable left (a regex may end in its $ anchor).
    expect(expanded).not.toMatch(/\$[\w{]/);
    const [result] = await influx.query(expanded, DB);
    expect(result.error).toBeUndefined();
    return result;
  }
  const single = (r: InfluxResult) => {
    expect(r.series).toHaveLength(1);
    expect(r.series![0].values).toHaveLength(1);
    return r.series![0].values[0][1];
  };
  /** tag value → the one value of that group's series. */
  const byTag = (r: InfluxResult, tag: string) =>
    Object.fromEntries((r.series ?? []).map((s) => [s.tags?.[tag] ?? '?', s.values[0][1]]));
  const grouped = <T>(rows: EventRow[], slice: keyof EventRow, f: (rs: EventRow[]) => T) => {
    const groups = new Map<string, EventRow[]>();
    for (const r of rows) {
      const k = String(r[slice] ?? '');
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    return Object.fromEntries([...groups].map(([k, rs]) => [k, f(rs)]));
  };

  /** What each panel's query must return, computed from the rows. */
  async function check(panel: StoredPanel, target: StoredTarget): Promise<void> {
    const r = await run(target.query);
    const series = r.series ?? [];
    const m = /^(?:By (.+))?/.exec(panel.title);
    switch (panel.title) {
      case 'Started':
      case 'Paused':
      case 'Volume changed':
      case 'Variant loaded': {
        const type = panel.title.toLowerCase().replace(' ', '_');
        expect(series[0].values).toStrictEqual(perBucket(eventsAt(ofType(type)), (v) => v.length));
        return;
      }
      case 'Events/s':
        expect(series[0].values).toStrictEqual(
          perBucket(eventsAt(inRange), (v) => (v.length * 1000) / INTERVAL),
        );
        return;
      case 'Bad rows/s': {
        const bad = traffic.badRows.filter((b) => b.received_at >= FROM && b.received_at <= TO);
        const reasons = [...new Set(bad.map((b) => b.reason))].sort();
        expect(series.map((s) => s.tags?.reason)).toStrictEqual(reasons);
        for (const s of series) {
          const rows = bad
            .filter((b) => b.reason === s.tags?.reason)
            .map((b) => ({ t: b.received_at, v: 1 }));
          expect(s.values).toStrictEqual(perBucket(rows, (v) => (v.length * 1000) / INTERVAL));
        }
        return;
      }
      case 'Plays':
        expect(single(r)).toBe(distinct(ofType(...PLAY_EVENT_TYPES)));
        return;
      case 'Startup p50':
      case 'Startup p95': {
        const p = panel.title.endsWith('p50') ? 50 : 95;
        expect(single(r)).toBe(
          influxPercentile(
            ofType('first_frame').map((x) => x.startup_ms!),
            p,
          ),
        );
        return;
      }
      case 'Startup time distribution':
        expect(
          series[0].values.map((v) => v[1]).sort((a, b) => Number(a) - Number(b)),
        ).toStrictEqual(
          ofType('first_frame')
            .map((x) => x.startup_ms)
            .sort((a, b) => a! - b!),
        );
        return;
      case 'Failures':
        expect(single(r)).toBe(distinct(ofType('error').filter((x) => x.fatal === true)));
        return;
      case 'Stalls per minute':
        expect(series[0].values).toStrictEqual(
          perBucket(eventsAt(ofType('stall_end')), (v) => (v.length * 60_000) / INTERVAL),
        );
        return;
      case 'Stall time':
        expect(series[0].values).toStrictEqual(
          perBucket(
            eventsAt(ofType('stall_end'), (x) => x.stall_ms!),
            sum,
          ),
        );
        return;
      case 'Stalled time': {
        const ends = ofType('session_end');
        expect(single(r)).toBe(
          (100 * sum(ends.map((x) => x.stall_ms!))) / sum(ends.map((x) => x.played_ms!)),
        );
        return;
      }
      case 'Avg bitrate': {
        const beats = ofType('heartbeat').map((x) => x.bitrate!);
        expect(single(r)).toBe(sum(beats) / beats.length);
        return;
      }
    }
    // Regional diagnostics: "By <label>", one series per tag value.
    expect(m?.[1]).toBeDefined();
    const slice = /GROUP BY "(\w+)"/.exec(target.query)![1] as keyof EventRow;
    const expected = {
      A: grouped(ofType(...PLAY_EVENT_TYPES), slice, distinct),
      B: grouped(
        ofType('error').filter((x) => x.fatal === true),
        slice,
        distinct,
      ),
      C: grouped(ofType('first_frame'), slice, (rs) =>
        influxPercentile(
          rs.map((x) => x.startup_ms!),
          95,
        ),
      ),
      D: grouped(ofType('stall_end'), slice, (rs) => rs.length),
    }[target.refId];
    expect(byTag(r, slice)).toStrictEqual(expected);
  }

  it.each(RANGES)(
    '$name: every query of every panel returns the numbers computed from the rows',
    async (range) => {
      useRange(range);
      useSource('all');
      expect(INTERVAL).toBe(range.interval);
      // The Rollout dashboard's queries have their own test (rollout-influxql.integration.test.ts).
      const dashboards = (
        buildDashboards({ store: 'influxdb' }) as unknown as {
          uid: string;
          panels: (StoredPanel & { type: string })[];
        }[]
      ).filter((d) => d.uid !== DASHBOARD_UIDS.rollout);
      const panels = dashboards.flatMap((d) => d.panels.filter((p) => p.type !== 'row'));
      let checked = 0;
      for (const panel of panels) {
        for (const target of panel.targets) {
          await check(panel, target).catch((err: Error) => {
            err.message = `${panel.title} ${target.refId}: ${err.message}\n${target.query}`;
            throw err;
          });
          checked += 1;
        }
      }
      // 4 demo + 9 QoE + 2 pipeline panels with one query each, 5 slice tables and the source
      // table with four.
      expect(checked).toBe(4 + 9 + 2 + 6 * 4);
    },
    60_000,
  );

  it.each(['sdk', 'cmcd'] as const)(
    'source=%s: the QoE panels and the source table count that source only (untagged points as sdk)',
    async (choice) => {
      useRange(RANGES[0]);
      useSource(choice);
      const [overview] = buildDashboards({ store: 'influxdb' }) as unknown as {
        panels: (StoredPanel & { type: string })[];
      }[];
      const filtered = overview.panels.filter((p) =>
        (p.targets ?? []).some((t) => t.query.includes(SOURCE_VAR)),
      );
      // 9 QoE panels and the source table.
      expect(filtered.map((p) => p.title)).toContain('By source / player');
      expect(filtered).toHaveLength(10);
      for (const panel of filtered)
        for (const target of panel.targets)
          await check(panel, target).catch((err: Error) => {
            err.message = `${choice} ${panel.title} ${target.refId}: ${err.message}\n${target.query}`;
            throw err;
          });
      // The source table's plays, by source tag: untagged (stored before the tag) count as sdk.
      const table = filtered.find((p) => p.title === 'By source / player');
      const plays = byTag(await run(table?.targets[0].query ?? ''), 'source');
      const sessions = (source: string | null) =>
        distinct(ofType(...PLAY_EVENT_TYPES).filter((r) => r.source === source));
      expect(plays).toStrictEqual(
        choice === 'cmcd'
          ? { cmcd: sessions('cmcd') }
          : { sdk: sessions('sdk'), '': sessions(null) },
      );
      expect(Object.values(plays).every((n) => Number(n) > 0)).toBe(true);
    },
    60_000,
  );

  it('the traffic exercises what the panels measure', () => {
    useRange(RANGES[0]);
    for (const t of [
      'started',
      'paused',
      'volume_changed',
      'variant_loaded',
      'stall_end',
      'heartbeat',
      'session_end',
    ])
      expect(ofType(t).length, t).toBeGreaterThan(5);
    expect(ofType('error').filter((x) => x.fatal).length).toBeGreaterThan(2);
    expect(inRange.some((x) => x.asn === null)).toBe(true);
    expect(traffic.events.length).toBeGreaterThan(inRange.length);
  });
});
