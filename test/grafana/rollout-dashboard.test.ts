/**
 * The generated Rollout dashboard for both stores: its uid and rows, every shared rollout panel
 * per grouping with its title, unit and description on the data source variable, a layout
 * without overlaps, rate panels as Grafana expressions over hidden InfluxQL queries, and
 * Timestream SQL that groups by the version columns and expands to plain SQL. (The InfluxQL runs
 * on a real influxd in rollout-influxql.integration.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { ROLLOUT_PANELS } from '../../dashboard/rollout-panels.js';
import { buildDashboards, DASHBOARD_UIDS, DATASOURCE_VARIABLE } from '../../grafana/dashboards.js';
import { expandTimestream } from '../../grafana/macros.js';
import { rolloutInfluxTargets } from '../../grafana/rollout-influxql.js';

interface Json {
  uid: string;
  title: string;
  panels: {
    type: string;
    title: string;
    description?: string;
    datasource?: { type: string; uid: string };
    fieldConfig?: { defaults: { unit?: string; displayName?: string } };
    gridPos: { x: number; y: number; w: number; h: number };
    targets?: Record<string, unknown>[];
  }[];
}

const rollout = (store: 'influxdb' | 'timestream') =>
  (
    JSON.parse(
      JSON.stringify(buildDashboards({ store, timestreamDatabase: 'beacon-edge' })),
    ) as Json[]
  ).find((d) => d.uid === DASHBOARD_UIDS.rollout) as Json;

describe.each([
  ['influxdb', 'influxdb'],
  ['timestream', 'grafana-timestream-datasource'],
] as const)('Rollout dashboard for %s', (store, dsType) => {
  const d = rollout(store);

  it('has a row per grouping, each with every rollout panel on the data source variable', () => {
    expect(d.title).toBe('Rollout');
    const rows = d.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toStrictEqual(['Schema versions', 'SDK releases']);
    const panels = d.panels.filter((p) => p.type !== 'row');
    expect(panels.map((p) => p.title)).toStrictEqual(
      [...ROLLOUT_PANELS, ...ROLLOUT_PANELS].map((p) => p.title),
    );
    for (const [i, p] of panels.entries()) {
      const def = ROLLOUT_PANELS[i % ROLLOUT_PANELS.length];
      expect(p.type).toBe(def.kind);
      expect(p.description).toBe(def.description);
      expect(p.fieldConfig?.defaults.unit).toBe(def.unit);
      expect(p.datasource).toStrictEqual({ type: dsType, uid: DATASOURCE_VARIABLE });
    }
  });

  it('lays panels out without overlaps inside the 24-column grid', () => {
    const cells = new Set<string>();
    for (const { gridPos: g } of d.panels) {
      expect(g.x + g.w).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });
});

describe('Rollout InfluxQL', () => {
  it('computes rates as expressions over hidden queries, paired by the version label', () => {
    const panel = rollout('influxdb').panels.find((p) => p.title === 'Bad-row rate');
    expect(panel?.targets?.map((t) => [t.refId, t.hide ?? t.expression])).toStrictEqual([
      ['A', true],
      ['B', true],
      ['C', '$B / ($A + $B)'],
    ]);
    expect(panel?.targets?.[2].datasource).toStrictEqual({ type: '__expr__', uid: '__expr__' });
    expect(panel?.targets?.[0].datasource).toStrictEqual({
      type: 'influxdb',
      uid: DATASOURCE_VARIABLE,
    });
    expect(panel?.fieldConfig?.defaults.displayName).toBe(`\${__field.labels.schema_version}`);
  });

  it('merges the totals table’s queries into one row per version tag set, then divides', () => {
    const tables = rollout('influxdb').panels.filter((p) => p.type === 'table') as unknown as {
      transformations: { id: string; options: { alias?: string } }[];
    }[];
    expect(tables).toHaveLength(2);
    // `merge` joins on every equal non-value field: without Time (the percentile query answers
    // at its point's time), an SDK release's name and number together.
    for (const t of tables)
      expect(t.transformations.map((x) => x.options.alias ?? x.id)).toStrictEqual([
        'organize',
        'merge',
        'judged',
        'bad-row rate',
        'error rate',
        'organize',
      ]);
  });

  it('groups by the version tags and refuses a column that is not a tag', () => {
    const [events] = rolloutInfluxTargets('events', ['sdk_name', 'sdk_version']);
    expect(events).toMatchObject({
      query:
        'SELECT count("seq") AS "events" FROM "beacon_events" WHERE $timeFilter GROUP BY time($__interval), "sdk_name", "sdk_version" fill(0)',
      alias: '$tag_sdk_name@$tag_sdk_version',
    });
    expect(() => rolloutInfluxTargets('events', ['player_version'])).toThrow(
      '"player_version" is not a tag of beacon_events; InfluxQL cannot group by it',
    );
  });
});

describe('Rollout Timestream SQL', () => {
  it('groups by the version columns and expands to plain SQL', () => {
    const targets = rollout('timestream').panels.flatMap((p) => p.targets ?? []);
    expect(targets).toHaveLength(2 * ROLLOUT_PANELS.length);
    for (const [i, t] of targets.entries()) {
      const sql = String(t.rawQuery);
      const version =
        i < ROLLOUT_PANELS.length ? 'schema_version' : `sdk_name || '@' || sdk_version`;
      expect(sql).toContain(`coalesce(${version}, '(unknown)')`);
      expect(sql).toContain('$__timeFilter');
      expect(sql).not.toMatch(/\btype\b/);
      const expanded = expandTimestream(sql, {
        fromMs: 0,
        toMs: 3_600_000,
        intervalMs: 60_000,
        database: String(t.database),
        table: String(t.table),
      });
      expect(expanded).not.toContain('$');
      expect(expanded).toMatch(/FROM "beacon-edge"\."(events|bad_rows|rollout_refusals)"/);
    }
  });
});
