/**
 * The two Grafana dashboards, "Beacons overview" and "Regional diagnostics", built with the
 * Grafana foundation SDK from the shared panel definitions (dashboard/panels.ts) for one store.
 * The foundation SDK has no InfluxDB or Timestream query builder, so each query is a plain data
 * query object (raw InfluxQL / Timestream SQL) with the data source reference. Every panel reads
 * the dashboard's `datasource` variable, so one dashboard serves each region's store.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  RowBuilder,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as HistogramBuilder } from '@grafana/grafana-foundation-sdk/histogram';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import {
  DEMO_PANELS,
  PIPELINE_PANELS,
  QOE_PANELS,
  REGIONAL_PANELS,
  SOURCE_PANEL,
  type PanelDef,
} from '../dashboard/panels.js';
import { influxTargets } from './influxql.js';
import { rolloutDashboard } from './rollout-dashboard.js';
import { sourceVariable, withSourceFilter } from './source-panel.js';
import { timestreamTargets } from './timestream-sql.js';

/** The store a dashboard reads. */
export type GrafanaStore = 'influxdb' | 'timestream';

/** Grafana data source plugin id per store. */
export const DATASOURCE_TYPES: Record<GrafanaStore, string> = {
  influxdb: 'influxdb',
  timestream: 'grafana-timestream-datasource',
};

/** Dashboard uids: stable, so a push overwrites the same dashboards. */
export const DASHBOARD_UIDS = {
  overview: 'beacons-overview',
  regional: 'beacons-regional',
  rollout: 'beacons-rollout',
} as const;

/** A panel's data source: whichever the dashboard's `datasource` variable selects (Grafana syntax). */
export const DATASOURCE_VARIABLE = '$' + '{datasource}';

/** Max data points of the time-series panels: with 15 min shown, Grafana picks a 10 s interval. */
export const MAX_DATA_POINTS = 100;

/** What the dashboards are generated for. */
export interface DashboardOptions {
  store: GrafanaStore;
  /** Timestream database name (`$__database`); ignored for InfluxDB. */
  timestreamDatabase?: string;
}

/** A query object as the data source stores it, for the SDK's panel builders (and rollout-dashboard.ts). */
export class RawTarget implements cog.Builder<cog.Dataquery> {
  constructor(private readonly query: Record<string, unknown>) {}
  build(): cog.Dataquery {
    return { ...this.query, _implementsDataqueryVariant() {} };
  }
}

type AnyPanelBuilder = TimeseriesBuilder | StatBuilder | TableBuilder | HistogramBuilder;

/** The panels the `source` variable narrows: the QoE panels and the source table. */
const BY_SOURCE = new Set<string>([...QOE_PANELS, SOURCE_PANEL].map((p) => p.id));

function targetsOf(panel: PanelDef, opts: DashboardOptions, ds: common.DataSourceRef) {
  const bySource = BY_SOURCE.has(panel.id);
  const raw =
    opts.store === 'influxdb'
      ? influxTargets(panel).map((t) =>
          bySource ? { ...t, query: withSourceFilter(t.query, 'influxdb') } : t,
        )
      : timestreamTargets(panel, opts.timestreamDatabase ?? 'beacon-edge').map((t) =>
          bySource ? { ...t, rawQuery: withSourceFilter(t.rawQuery, 'timestream') } : t,
        );
  return raw.map((t) => new RawTarget({ ...t, datasource: ds }));
}

/** Grafana's calculations on the slice tables: join the four queries, add the failure %. */
function sliceTransformations(slice: string) {
  return [
    { id: 'joinByField', options: { byField: slice, mode: 'outer' } },
    {
      id: 'calculateField',
      options: {
        mode: 'binary',
        binary: { left: 'failed', operator: '/', right: 'plays' },
        alias: 'failure %',
        replaceFields: false,
      },
    },
    {
      id: 'filterFieldsByName',
      options: { include: { names: [slice, 'plays', 'failure %', 'startup p95', 'stalls'] } },
    },
  ];
}

function panelBuilder(panel: PanelDef, opts: DashboardOptions): AnyPanelBuilder {
  const ds: common.DataSourceRef = { type: DATASOURCE_TYPES[opts.store], uid: DATASOURCE_VARIABLE };
  const targets = targetsOf(panel, opts, ds);
  let b: AnyPanelBuilder;
  switch (panel.kind) {
    case 'timeseries':
      b = new TimeseriesBuilder().maxDataPoints(MAX_DATA_POINTS).fillOpacity(20).min(0);
      break;
    case 'stat':
      b = new StatBuilder();
      break;
    case 'histogram':
      b = new HistogramBuilder();
      break;
    case 'table':
      b = new TableBuilder();
      if (opts.store === 'influxdb' && (panel.slice || panel.metric === 'source_qoe'))
        for (const t of sliceTransformations(panel.slice ?? 'source')) b.withTransformation(t);
      b.overrideByName('failure %', [{ id: 'unit', value: 'percentunit' }]);
      b.overrideByName('startup p95', [{ id: 'unit', value: 'ms' }]);
      break;
  }
  return b
    .title(panel.title)
    .description(panel.description)
    .unit(panel.unit)
    .datasource(ds)
    .targets(targets);
}

function layout(builders: AnyPanelBuilder[], width: number, height: number, y0: number) {
  const perRow = Math.floor(24 / width);
  for (const [i, b] of builders.entries()) {
    const x = (i % perRow) * width;
    b.gridPos({ x, y: y0 + Math.floor(i / perRow) * height, w: width, h: height });
  }
  return y0 + Math.ceil(builders.length / perRow) * height;
}

/** A dashboard with the shared settings: uid, tags, refresh, time range and the data source variable. */
export function base(title: string, uid: string, opts: DashboardOptions): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .tags(['beacon-edge', opts.store])
    .refresh('30s')
    .time({ from: 'now-15m', to: 'now' })
    .timezone('browser')
    .withVariable(
      new DatasourceVariableBuilder('datasource')
        .label('Store (region)')
        .type(DATASOURCE_TYPES[opts.store])
        .regex('/^beacon-edge/'),
    );
}

/**
 * "Beacons overview": the demo's four panels, the QoE panels (narrowed by the `source` variable),
 * the sources table and the pipeline's health.
 */
function overviewDashboard(opts: DashboardOptions): Dashboard {
  const d = base('Beacons overview', DASHBOARD_UIDS.overview, opts);
  const demo = DEMO_PANELS.map((p) => panelBuilder(p, opts));
  const stats = QOE_PANELS.filter((p) => p.kind === 'stat').map((p) => panelBuilder(p, opts));
  const qoeCharts = QOE_PANELS.filter((p) => p.kind !== 'stat').map((p) => panelBuilder(p, opts));
  const pipeline = PIPELINE_PANELS.map((p) => panelBuilder(p, opts));
  const sources = [panelBuilder(SOURCE_PANEL, opts)];
  d.withVariable(sourceVariable(opts.store));
  // Each row is followed by its panels, as Grafana saves a dashboard.
  let y = 0;
  d.withRow(new RowBuilder('Events (the AWS demo’s panels)').gridPos({ x: 0, y, w: 24, h: 1 }));
  y = layout(demo, 12, 8, y + 1);
  for (const b of demo) d.withPanel(b);
  d.withRow(new RowBuilder('Quality of experience (CTA-2066)').gridPos({ x: 0, y, w: 24, h: 1 }));
  y = layout(stats, 4, 4, y + 1);
  y = layout(qoeCharts, 8, 8, y);
  for (const b of [...stats, ...qoeCharts]) d.withPanel(b);
  d.withRow(
    new RowBuilder('Sources (SDK beacons, players’ CMCD reports)').gridPos({
      x: 0,
      y,
      w: 24,
      h: 1,
    }),
  );
  y = layout(sources, 24, 8, y + 1);
  for (const b of sources) d.withPanel(b);
  d.withRow(new RowBuilder('Pipeline').gridPos({ x: 0, y, w: 24, h: 1 }));
  layout(pipeline, 12, 7, y + 1);
  for (const b of pipeline) d.withPanel(b);
  return d.build();
}

/** "Regional diagnostics": one table per slice dimension. */
function regionalDashboard(opts: DashboardOptions): Dashboard {
  const d = base('Regional diagnostics', DASHBOARD_UIDS.regional, opts);
  const tables = REGIONAL_PANELS.map((p) => panelBuilder(p, opts));
  layout(tables, 12, 9, 0);
  for (const b of tables) d.withPanel(b);
  return d.build();
}

/** Every dashboard for a store (overview, regional, rollout), as JSON-ready objects. */
export function buildDashboards(opts: DashboardOptions): Dashboard[] {
  return [overviewDashboard(opts), regionalDashboard(opts), rolloutDashboard(opts)];
}
