/**
 * Every InfluxDB query of the generated Rollout dashboard, macros expanded as Grafana expands
 * them, against a real influxd holding simulated traffic of two schema versions and SDK releases
 * (events and bad rows made by the real core decoder, rollout refusals), written as the InfluxDB
 * sink's points: each query returns one series per version with the numbers computed here from
 * the rows, and each rate expression, evaluated on those series the way Grafana pairs them (by
 * their labels), gives the rate computed from the rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toStoredRefusal } from '../../core-pipeline/refusals.js';
import type { EventRow, StoredBadRow, StoredRefusal } from '../../core-pipeline/rows.js';
import { eventTimeMs, refusalPoint } from '../../core-pipeline/sinks/influxdb-schema.js';
import { encodePoints } from '../../core-pipeline/sinks/line-protocol.js';
import { PLAY_EVENT_TYPES } from '../../dashboard/panels.js';
import { DASHBOARD_UIDS, buildDashboards, MAX_DATA_POINTS } from '../../grafana/dashboards.js';
import { expandInfluxQL, grafanaIntervalMs } from '../../grafana/macros.js';
import { simulateTraffic, writeTraffic } from '../helpers/grafana-traffic.js';
import { type Influxd, type InfluxResult, startInfluxd } from '../helpers/influxd.js';
import { rolloutRefusal, T0 } from '../helpers/records.js';

const DB = 'beacons';
const FROM = T0 + 3_500;
const TO = FROM + 15 * 60_000;
const INTERVAL = grafanaIntervalMs({ fromMs: FROM, toMs: TO }, MAX_DATA_POINTS);

const OLD = { schema_version: '1-0-0', sdk_name: 'beacon-edge-web', sdk_version: '0.1.0' };
const NEW = { schema_version: '1-1-0', sdk_name: 'beacon-edge-web', sdk_version: '0.2.0' };
/** Another SDK that shares NEW's version number: its own SDK release, NEW's schema version. */
const TV = { schema_version: '1-1-0', sdk_name: 'beacon-edge-tv', sdk_version: '0.2.0' };
type Version = typeof OLD;

/** The two groupings: the version tags and each fixture version's key (`name@version`). */
const GROUPINGS = [
  { row: 'Schema versions', tags: ['schema_version'] },
  { row: 'SDK releases', tags: ['sdk_name', 'sdk_version'] },
] as const;
type Grouping = (typeof GROUPINGS)[number];
/** '' for a series without the tags (a total over every version). */
const keyOf = (g: Grouping, r: Partial<Record<keyof Version, string | null>>) =>
  g.tags.every((t) => r[t] === undefined || r[t] === null)
    ? ''
    : g.tags.map((t) => String(r[t] ?? '')).join('@');

/** InfluxDB's PERCENTILE: the value at rank ⌊n·p/100 + 0.5⌋ of the sorted values (1-based). */
function influxPercentile(values: number[], p: number): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.floor((sorted.length * p) / 100 + 0.5) - 1;
  return i < 0 || i >= sorted.length ? null : sorted[i];
}

interface Target {
  refId: string;
  query?: string;
  expression?: string;
  hide?: boolean;
}
interface Panel {
  title: string;
  type: string;
  targets: Target[];
}

/** A bucketed series: bucket start → value. */
type Series = Map<number, number | null>;

describe('Rollout dashboard InfluxQL against influxd', () => {
  let influx: Influxd;
  let events: EventRow[];
  let badRows: StoredBadRow[];
  let refusals: StoredRefusal[];

  beforeAll(async () => {
    influx = await startInfluxd();
    await influx.createDatabase(DB);
    const old = simulateTraffic({
      seed: 31,
      fromMs: FROM,
      spanMs: TO - FROM,
      sessions: 60,
      badRows: 12,
    });
    const neu = simulateTraffic({
      seed: 32,
      fromMs: FROM,
      spanMs: TO - FROM,
      sessions: 30,
      badRows: 20,
    });
    const tv = simulateTraffic({
      seed: 33,
      fromMs: FROM,
      spanMs: TO - FROM,
      sessions: 10,
      badRows: 4,
    });
    const as = <R>(rows: R[], v: Version) => rows.map((r) => ({ ...r, ...v }));
    events = [...as(old.events, OLD), ...as(neu.events, NEW), ...as(tv.events, TV)];
    badRows = [...as(old.badRows, OLD), ...as(neu.badRows, NEW), ...as(tv.badRows, TV)];
    refusals = [
      ...[0, 1, 2].map((i) => rolloutRefusal({ ...OLD, received_at: FROM + 600_000 + i * 1_000 })),
      rolloutRefusal({ ...NEW, reason: 'session_not_sampled', received_at: FROM + 60_000 }),
      rolloutRefusal({ ...TV, reason: 'sdk_retired', received_at: FROM + 120_000 }),
    ].map((r) => toStoredRefusal(r, TO));
    await writeTraffic(influx.url, DB, { events, badRows });
    const res = await fetch(`${influx.url}/write?db=${DB}&precision=ns`, {
      method: 'POST',
      body: encodePoints(refusals.map((r) => refusalPoint(r))),
    });
    expect(res.status).toBe(204);
  }, 60_000);
  afterAll(() => influx?.stop());

  const buckets = () => {
    const out: number[] = [];
    for (let b = Math.floor(FROM / INTERVAL) * INTERVAL; b <= TO; b += INTERVAL) out.push(b);
    return out;
  };
  const bucketOf = (t: number) => Math.floor(t / INTERVAL) * INTERVAL;
  const inRange = (t: number) => t >= FROM && t <= TO;

  /** Per version (by `key`), per bucket: `agg` over the rows' values; every bucket when `fill`. */
  function perVersion<R>(
    rows: R[],
    key: (r: R) => string,
    time: (r: R) => number,
    agg: (rs: R[]) => number | null,
    fill = true,
  ): Map<string, Series> {
    const out = new Map<string, Series>();
    for (const v of new Set(rows.filter((r) => inRange(time(r))).map(key))) {
      const mine = rows.filter((r) => key(r) === v && inRange(time(r)));
      const s: Series = new Map();
      for (const b of buckets()) {
        const rs = mine.filter((r) => bucketOf(time(r)) === b);
        if (fill || rs.length > 0) s.set(b, agg(rs));
      }
      out.set(v, s);
    }
    return out;
  }
  const distinctSessions = (rs: EventRow[]) => new Set(rs.map((r) => r.session_id)).size;

  /** A query's series keyed as `keyOf` keys a version, then ` <reason>` for refusals. */
  async function run(query: string, g: Grouping): Promise<Map<string, Series>> {
    const q = expandInfluxQL(query, { fromMs: FROM, toMs: TO, intervalMs: INTERVAL });
    const [result]: InfluxResult[] = await influx.query(q, DB);
    expect(result.error).toBeUndefined();
    const out = new Map<string, Series>();
    for (const s of result.series ?? []) {
      const key = [keyOf(g, s.tags ?? {}), s.tags?.reason].filter((x) => x !== undefined).join(' ');
      out.set(key, new Map(s.values.map(([t, v]) => [Number(t), v as number | null])));
    }
    return out;
  }

  /** A Grafana math expression over series paired by label: `$B / ($A + $B)` or `$B / $A`. */
  function evaluate(
    expr: string,
    inputs: Record<string, Map<string, Series>>,
  ): Map<string, Series> {
    const out = new Map<string, Series>();
    const total = inputs.B.size === 1 && inputs.B.has('') ? inputs.B.get('') : undefined;
    for (const [v, a] of inputs.A) {
      const b = total ?? inputs.B.get(v);
      if (!b) continue; // no partner series: Grafana draws no line
      const s: Series = new Map();
      for (const [t, x] of a) {
        const y = b.get(t) ?? null;
        if (x === null || y === null) s.set(t, null);
        else if (expr === '$A / $B') s.set(t, x / y);
        else if (expr === '$B / ($A + $B)') s.set(t, y / (x + y));
        else if (expr === '$B / $A') s.set(t, y / x);
        else throw new Error(`unknown expression ${expr}`);
      }
      out.set(v, s);
    }
    return out;
  }
  const nanAsNull = (m: Map<string, Series>) =>
    new Map(
      [...m].map(([v, s]) => [
        v,
        new Map([...s].map(([t, x]) => [t, x === null || Number.isFinite(x) ? x : null])),
      ]),
    );

  it.each(GROUPINGS)(
    '$row: every query returns a series per version with the rows’ numbers',
    async (g) => {
      const [, , rollout] = buildDashboards({ store: 'influxdb' }) as unknown as {
        uid: string;
        panels: Panel[];
      }[];
      expect(rollout.uid).toBe(DASHBOARD_UIDS.rollout);
      const row = rollout.panels.findIndex((p) => p.type === 'row' && p.title === g.row);
      const panels = rollout.panels
        .slice(row + 1)
        .filter((p, i, all) => all.slice(0, i).every((q) => q.type !== 'row') && p.type !== 'row');
      const ev = (rs: EventRow[]) => rs.length;
      const key = (r: Partial<Record<keyof Version, string | null>>) => keyOf(g, r);
      const evTime = (r: EventRow) => eventTimeMs(r);
      const expected: Record<string, Map<string, Series>> = {
        events: perVersion(events, key, evTime, ev),
        plays: perVersion(events, key, evTime, (rs) =>
          distinctSessions(
            rs.filter((r) => (PLAY_EVENT_TYPES as readonly string[]).includes(r.type)),
          ),
        ),
        failed: perVersion(events, key, evTime, (rs) =>
          distinctSessions(rs.filter((r) => r.type === 'error' && r.fatal === true)),
        ),
        badRows: perVersion(
          badRows,
          key,
          (r) => r.received_at,
          (rs) => rs.length,
        ),
        p50: perVersion(
          events.filter((r) => r.type === 'first_frame'),
          key,
          evTime,
          (rs) =>
            influxPercentile(
              rs.map((r) => r.startup_ms as number),
              50,
            ),
          false,
        ),
        refused: perVersion(
          refusals,
          (r) => `${key(r)} ${r.reason}`,
          (r) => r.received_at,
          (rs) => rs.length,
        ),
      };
      const all = perVersion(events, () => '', evTime, ev).get('') as Series;
      const ratio = (num: Map<string, Series>, den: Map<string, Series>, plus: boolean) =>
        new Map(
          [...den]
            .filter(([v]) => num.has(v))
            .map(([v, d]) => [
              v,
              new Map(
                [...d].map(([t, x]) => {
                  const n = num.get(v)?.get(t) ?? 0;
                  const dd = plus ? (x ?? 0) + n : (x ?? 0);
                  return [t, dd === 0 ? null : n / dd];
                }),
              ),
            ]),
        );
      const want: Record<string, Map<string, Series>> = {
        'Share of events': new Map(
          [...expected.events].map(([v, s]) => [
            v,
            new Map(
              [...s].map(([t, x]) => [t, all.get(t) ? (x ?? 0) / (all.get(t) as number) : null]),
            ),
          ]),
        ),
        'Bad-row rate': ratio(expected.badRows, expected.events, true),
        'Error rate': ratio(expected.failed, expected.plays, false),
        'Startup p50': expected.p50,
        Events: expected.events,
        Plays: expected.plays,
        'Rollout refusals': expected.refused,
      };
      const versions = [...new Set([OLD, NEW, TV].map(key))].sort();
      // Two schema versions; three SDK releases, two of them sharing a version number.
      expect(versions.length).toBe(g.tags.length === 1 ? 2 : 3);
      expect([...expected.events.keys()].sort()).toStrictEqual(versions);
      let checked = 0;
      for (const panel of panels) {
        if (panel.type === 'table') continue;
        const inputs: Record<string, Map<string, Series>> = {};
        for (const t of panel.targets.filter((x) => x.query))
          inputs[t.refId] = await run(t.query as string, g);
        const math = panel.targets.find((t) => t.expression);
        const got = nanAsNull(math ? evaluate(math.expression as string, inputs) : inputs.A);
        expect(got, panel.title).toStrictEqual(want[panel.title]);
        // Per-version series: every version, never one series for all of them.
        const seen = [...got.keys()].map((k) => k.split(' ')[0]);
        expect(new Set(seen), panel.title).toStrictEqual(new Set(versions));
        checked += 1;
      }
      expect(checked).toBe(7);
    },
    60_000,
  );

  it.each(GROUPINGS)('$row: the totals table’s queries give each version’s totals', async (g) => {
    const [, , rollout] = buildDashboards({ store: 'influxdb' }) as unknown as {
      panels: Panel[];
    }[];
    const tables = rollout.panels.filter((p) => p.type === 'table');
    const table = tables[g.tags.length === 1 ? 0 : 1];
    const totals: Record<string, Record<string, unknown>> = {};
    for (const t of table.targets) {
      const q = expandInfluxQL(t.query as string, {
        fromMs: FROM,
        toMs: TO,
        intervalMs: INTERVAL,
      });
      const [result] = await influx.query(q, DB);
      expect(result.error).toBeUndefined();
      for (const s of result.series ?? []) {
        const v = keyOf(g, s.tags ?? {});
        totals[v] = { ...totals[v], [s.columns[1]]: s.values[0][1] };
      }
    }
    const key = (r: Partial<Record<keyof Version, string | null>>) => keyOf(g, r);
    const evIn = events.filter((r) => inRange(eventTimeMs(r)));
    const want = Object.fromEntries(
      [...new Set([OLD, NEW, TV].map(key))].map((v) => {
        const mine = evIn.filter((r) => key(r) === v);
        return [
          v,
          {
            events: mine.length,
            plays: distinctSessions(
              mine.filter((r) => (PLAY_EVENT_TYPES as readonly string[]).includes(r.type)),
            ),
            failed: distinctSessions(mine.filter((r) => r.type === 'error' && r.fatal === true)),
            'startup p50': influxPercentile(
              mine.filter((r) => r.type === 'first_frame').map((r) => r.startup_ms as number),
              50,
            ),
            'bad rows': badRows.filter((r) => key(r) === v && inRange(r.received_at)).length,
            refused: refusals.filter((r) => key(r) === v).length,
          },
        ];
      }),
    );
    expect(totals).toStrictEqual(want);
  });
});
