/**
 * The generated dashboards: every shared panel appears with its title, unit and description, on
 * the dashboard's data source variable, with queries on the sink's measurements and tags; the
 * Timestream variant uses the plugin's macros.
 */
import { describe, expect, it } from 'vitest';
import {
  BAD_ROWS_MEASUREMENT,
  EVENTS_MEASUREMENT,
} from '../../core-pipeline/sinks/influxdb-schema.js';
import {
  DEMO_PANELS,
  PIPELINE_PANELS,
  QOE_PANELS,
  REGIONAL_PANELS,
  SOURCE_PANEL,
} from '../../dashboard/panels.js';
import { buildDashboards, DASHBOARD_UIDS, DATASOURCE_VARIABLE } from '../../grafana/dashboards.js';
import { expandTimestream } from '../../grafana/macros.js';
import { sourceVariableValue } from '../../grafana/source-panel.js';

/** The source variable as the panels' queries spell it (a Grafana placeholder, not a template). */
const SOURCE_VAR = '$' + '{source:raw}';

interface Json {
  uid: string;
  title: string;
  templating: {
    list: { name: string; type: string; query: unknown; includeAll?: boolean; allValue?: string }[];
  };
  panels: {
    type: string;
    title: string;
    description?: string;
    datasource?: { type: string; uid: string };
    fieldConfig?: { defaults: { unit?: string } };
    gridPos: { x: number; y: number; w: number; h: number };
    targets?: Record<string, unknown>[];
  }[];
}

const json = (store: 'influxdb' | 'timestream') =>
  JSON.parse(
    JSON.stringify(buildDashboards({ store, timestreamDatabase: 'beacon-edge' })),
  ) as Json[];

describe.each([
  ['influxdb', 'influxdb'],
  ['timestream', 'grafana-timestream-datasource'],
] as const)('dashboards for %s', (store, dsType) => {
  const [overview, regional] = json(store);

  it('are the two dashboards with stable uids and a data source variable', () => {
    expect([overview.uid, regional.uid]).toStrictEqual([
      DASHBOARD_UIDS.overview,
      DASHBOARD_UIDS.regional,
    ]);
    expect([overview.title, regional.title]).toStrictEqual([
      'Beacons overview',
      'Regional diagnostics',
    ]);
    const datasource = { name: 'datasource', type: 'datasource', query: dsType };
    expect(regional.templating.list).toMatchObject([datasource]);
    // The overview's QoE panels also read the source variable: All (the default), sdk, cmcd.
    expect(overview.templating.list).toMatchObject([
      datasource,
      {
        name: 'source',
        type: 'custom',
        includeAll: true,
        allValue: sourceVariableValue(store, 'all'),
        query: `sdk : ${sourceVariableValue(store, 'sdk')},cmcd : ${sourceVariableValue(store, 'cmcd')}`,
      },
    ]);
  });

  it('hold every shared panel with its title, unit and description, on the variable', () => {
    const panels = [...overview.panels, ...regional.panels].filter((p) => p.type !== 'row');
    const defs = [
      ...DEMO_PANELS,
      ...QOE_PANELS,
      SOURCE_PANEL,
      ...PIPELINE_PANELS,
      ...REGIONAL_PANELS,
    ];
    expect(panels.map((p) => p.title)).toStrictEqual(defs.map((d) => d.title));
    for (const [i, p] of panels.entries()) {
      expect(p.type).toBe(defs[i].kind);
      expect(p.description).toBe(defs[i].description);
      expect(p.fieldConfig?.defaults.unit).toBe(defs[i].unit);
      expect(p.datasource).toStrictEqual({ type: dsType, uid: DATASOURCE_VARIABLE });
      for (const t of p.targets ?? []) expect(t.datasource).toStrictEqual(p.datasource);
    }
  });

  it('lay panels out without overlaps inside the 24-column grid', () => {
    for (const d of [overview, regional]) {
      const cells = new Set<string>();
      for (const { gridPos: g } of d.panels) {
        expect(g.x + g.w).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++)
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`)).toBe(false);
            cells.add(`${x},${y}`);
          }
      }
    }
  });
});

describe('queries', () => {
  // The Rollout dashboard (the third) is checked in rollout-dashboard.test.ts.
  it('InfluxQL reads the sink’s measurements, raw, with Grafana’s macros', () => {
    const targets = json('influxdb')
      .slice(0, 2)
      .flatMap((d) => d.panels.flatMap((p) => p.targets ?? []));
    for (const t of targets) {
      expect(t).toMatchObject({ rawQuery: true });
      expect(String(t.query)).toMatch(
        new RegExp(`FROM "(${EVENTS_MEASUREMENT}|${BAD_ROWS_MEASUREMENT})"`),
      );
      expect(String(t.query)).toContain('$timeFilter');
    }
  });

  it('Timestream SQL uses the plugin’s macros and expands to plain SQL', () => {
    const targets = json('timestream')
      .slice(0, 2)
      .flatMap((d) => d.panels.flatMap((p) => p.targets ?? []));
    expect(targets.length).toBe(
      DEMO_PANELS.length + QOE_PANELS.length + 1 + PIPELINE_PANELS.length + REGIONAL_PANELS.length,
    );
    for (const t of targets) {
      const sql = String(t.rawQuery);
      expect(sql).toContain('FROM $__database.$__table WHERE $__timeFilter');
      // The Timestream sink stores the event type as the record's measure name, not a column.
      expect(sql).not.toMatch(/\btype\b/);
      expect(t.database).toBe('"beacon-edge"');
      expect(['"events"', '"bad_rows"']).toContain(t.table);
      const expanded = expandTimestream(sql, {
        fromMs: 0,
        toMs: 900_000,
        intervalMs: 10_000,
        database: String(t.database),
        table: String(t.table),
        variables: { source: sourceVariableValue('timestream', 'all') },
      });
      expect(expanded).not.toContain('$');
    }
  });

  it('narrows the QoE panels and the source table by the source variable, in both stores', () => {
    const [influx] = json('influxdb');
    const [timestream] = json('timestream');
    const filtered = (d: Json, key: string) =>
      d.panels
        .filter((p) => (p.targets ?? []).some((t) => String(t[key]).includes(SOURCE_VAR)))
        .map((p) => p.title);
    const titles = [...QOE_PANELS, SOURCE_PANEL].map((p) => p.title);
    expect(filtered(influx, 'query')).toStrictEqual(titles);
    expect(filtered(timestream, 'rawQuery')).toStrictEqual(titles);
    const plays = timestream.panels.find((p) => p.title === 'Plays')?.targets?.[0];
    expect(
      expandTimestream(String(plays?.rawQuery), {
        fromMs: 0,
        toMs: 60_000,
        intervalMs: 1_000,
        database: '"db"',
        table: '"events"',
        variables: { source: sourceVariableValue('timestream', 'sdk') },
      }),
    ).toContain(
      "time BETWEEN from_milliseconds(0) AND from_milliseconds(60000) AND coalesce(source, 'sdk') LIKE 'sdk'",
    );
    // Timestream splits the source table by player name and version too (they are measures).
    const table = timestream.panels.find((p) => p.title === SOURCE_PANEL.title)?.targets?.[0];
    expect(String(table?.rawQuery)).toMatch(
      /GROUP BY coalesce\(source, 'sdk'\), player_name, player_version/,
    );
  });
});
