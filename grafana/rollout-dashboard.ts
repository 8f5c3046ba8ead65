/**
 * The "Rollout" Grafana dashboard: one row per grouping (schema version, SDK release), each with
 * the shared rollout panels (dashboard/rollout-panels.ts): share of events, bad-row rate, error
 * rate, startup p50, events, plays and refusals per version over time, and the versions' totals.
 * A dashboard of its own rather than a row of the overview: a team opens it while a release
 * rolls out, over hours or days, and its series are per version rather than per event type.
 */
import type * as common from '@grafana/grafana-foundation-sdk/common';
import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import {
  ROLLOUT_PANELS,
  ROLLOUT_VERSIONS,
  type RolloutPanelDef,
} from '../dashboard/rollout-panels.js';
import {
  base,
  DASHBOARD_UIDS,
  DATASOURCE_TYPES,
  DATASOURCE_VARIABLE,
  type DashboardOptions,
  MAX_DATA_POINTS,
  RawTarget,
} from './dashboards.js';
import { rolloutInfluxTargets } from './rollout-influxql.js';
import { rolloutTimestreamTargets } from './rollout-timestream.js';

/** The stored columns (InfluxDB tags) that name a version, per grouping. */
const VERSION_TAGS: Record<(typeof ROLLOUT_VERSIONS)[number]['by'], readonly string[]> = {
  schema: ['schema_version'],
  sdk: ['sdk_name', 'sdk_version'],
};

/** Grafana's display name of a series from its labels (the version tags, and the reason). */
function displayName(tags: readonly string[], panel: RolloutPanelDef): string {
  const name = tags.map((t) => `\${__field.labels.${t}}`).join('@');
  return panel.metric === 'refusals' ? `${name} \${__field.labels.reason}` : name;
}

/**
 * The table's joins and rates: the six InfluxQL queries merged into one row per version. `merge`
 * joins rows whose other fields are all equal, so `Time` goes first (the count queries answer at
 * the range's start, the percentile at its selected point's time); what remains are the version
 * tags, one or an SDK release's name and number (a join by one field would mix two SDKs that share
 * a version number).
 */
function totalsTransformations() {
  return [
    { id: 'organize', options: { excludeByName: { Time: true } } },
    { id: 'merge', options: {} },
    {
      id: 'calculateField',
      options: {
        mode: 'binary',
        binary: { left: 'events', operator: '+', right: 'bad rows' },
        alias: 'judged',
      },
    },
    {
      id: 'calculateField',
      options: {
        mode: 'binary',
        binary: { left: 'bad rows', operator: '/', right: 'judged' },
        alias: 'bad-row rate',
      },
    },
    {
      id: 'calculateField',
      options: {
        mode: 'binary',
        binary: { left: 'failed', operator: '/', right: 'plays' },
        alias: 'error rate',
      },
    },
    { id: 'organize', options: { excludeByName: { judged: true } } },
  ];
}

function panelBuilder(
  panel: RolloutPanelDef,
  tags: readonly string[],
  opts: DashboardOptions,
): TimeseriesBuilder | TableBuilder {
  const ds: common.DataSourceRef = { type: DATASOURCE_TYPES[opts.store], uid: DATASOURCE_VARIABLE };
  const raw =
    opts.store === 'influxdb'
      ? rolloutInfluxTargets(panel.metric, tags)
      : rolloutTimestreamTargets(panel.metric, tags, opts.timestreamDatabase ?? 'beacon-edge');
  const targets = raw.map(
    (t) => new RawTarget('type' in t && t.type === 'math' ? t : { ...t, datasource: ds }),
  );
  let b: TimeseriesBuilder | TableBuilder;
  if (panel.kind === 'table') {
    b = new TableBuilder();
    if (opts.store === 'influxdb') for (const t of totalsTransformations()) b.withTransformation(t);
    for (const name of ['bad-row rate', 'error rate'])
      b.overrideByName(name, [{ id: 'unit', value: 'percentunit' }]);
    b.overrideByName('startup p50', [{ id: 'unit', value: 'ms' }]);
  } else {
    b = new TimeseriesBuilder().maxDataPoints(MAX_DATA_POINTS).min(0);
    if (opts.store === 'influxdb') b.displayName(displayName(tags, panel));
  }
  return b
    .title(panel.title)
    .description(panel.description)
    .unit(panel.unit)
    .datasource(ds)
    .targets(targets);
}

/** "Rollout": a row per grouping, each with every rollout panel. */
export function rolloutDashboard(opts: DashboardOptions): Dashboard {
  const d = base('Rollout', DASHBOARD_UIDS.rollout, opts).time({ from: 'now-6h', to: 'now' });
  let y = 0;
  for (const { by, label } of ROLLOUT_VERSIONS) {
    d.withRow(new RowBuilder(`${label}s`).gridPos({ x: 0, y, w: 24, h: 1 }));
    y += 1;
    // Charts two to a line; the table takes a line of its own.
    let col = 0;
    for (const panel of ROLLOUT_PANELS) {
      const b = panelBuilder(panel, VERSION_TAGS[by], opts);
      if (panel.kind === 'table') {
        if (col === 1) y += 8;
        col = 0;
        b.gridPos({ x: 0, y, w: 24, h: 8 });
        y += 8;
      } else {
        b.gridPos({ x: col * 12, y, w: 12, h: 8 });
        col = (col + 1) % 2;
        if (col === 0) y += 8;
      }
      d.withPanel(b);
    }
    if (col === 1) y += 8;
  }
  return d.build();
}
