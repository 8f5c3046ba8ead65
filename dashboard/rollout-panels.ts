/**
 * The rollout panels, defined once for the local page's Rollout card (dashboard/rollout.ts) and
 * the Grafana "Rollout" dashboard (grafana/rollout.ts): per schema version or SDK release, each
 * version's share of events, bad-row rate, error rate and startup p50 over time, and a table of
 * the window's totals with the rollout switch's refusals. Dependency-free data, like panels.ts.
 */
import type { PanelUnit } from './panels.js';

/** What a rollout panel computes (formulas in core-pipeline/queries/rollout-answers.ts). */
export type RolloutMetric =
  | 'events'
  | 'share'
  | 'plays'
  | 'bad_row_rate'
  | 'error_rate'
  | 'startup_p50'
  | 'refusals'
  | 'totals';

/** One rollout panel: a series per version, or the totals table. */
export interface RolloutPanelDef {
  id: string;
  title: string;
  hint: string;
  description: string;
  unit: PanelUnit | 'percentunit';
  kind: 'timeseries' | 'table';
  metric: RolloutMetric;
}

/** The two groupings, as the page's tabs and Grafana's rows name them. */
export const ROLLOUT_VERSIONS = [
  { by: 'schema', label: 'Schema version' },
  { by: 'sdk', label: 'SDK release' },
] as const;

/** The charts, in page order (the local page draws the first four). */
export const ROLLOUT_PANELS = [
  {
    id: 'rollout-share',
    title: 'Share of events',
    hint: 'each version’s part of the events, per interval',
    description:
      'Accepted events of each version divided by all accepted events, per interval of event time: a new version’s share grows as clients upgrade.',
    unit: 'percentunit',
    kind: 'timeseries',
    metric: 'share',
  },
  {
    id: 'rollout-bad-row-rate',
    title: 'Bad-row rate',
    hint: 'bad rows ÷ (events + bad rows)',
    description:
      'Bad rows of a version divided by its events plus its bad rows (bad rows by receive time, events by event time). A version that produces bad rows stands out. Rollout refusals are decisions, not bad rows, and are not counted.',
    unit: 'percentunit',
    kind: 'timeseries',
    metric: 'bad_row_rate',
  },
  {
    id: 'rollout-error-rate',
    title: 'Error rate',
    hint: 'plays with a fatal error ÷ plays',
    description:
      'Start failures plus playback failures divided by plays (the playback failure rate of docs/METRICS.md). Grafana approximates it per interval as sessions with a fatal error event ÷ sessions with a play event.',
    unit: 'percentunit',
    kind: 'timeseries',
    metric: 'error_rate',
  },
  {
    id: 'rollout-startup-p50',
    title: 'Startup p50',
    hint: 'median request → first frame',
    description:
      'Median startup time of the version’s sessions that started (the local page reads the rollups’ sketch, within 1 %; Grafana takes the median of first_frame startup_ms).',
    unit: 'ms',
    kind: 'timeseries',
    metric: 'startup_p50',
  },
  {
    id: 'rollout-events',
    title: 'Events',
    hint: 'accepted events per interval',
    description: 'Accepted events of each version per interval of event time.',
    unit: 'short',
    kind: 'timeseries',
    metric: 'events',
  },
  {
    id: 'rollout-plays',
    title: 'Plays',
    hint: 'sessions with a play request, per interval',
    description:
      'Sessions with a requested, started or first_frame event, per interval and version.',
    unit: 'short',
    kind: 'timeseries',
    metric: 'plays',
  },
  {
    id: 'rollout-refusals',
    title: 'Rollout refusals',
    hint: 'requests the rollout switch refused, by reason',
    description:
      'Requests answered 410 by the rollout switch (schema_retired, sdk_retired, session_not_sampled) per interval, per version and reason. Their events are not stored.',
    unit: 'short',
    kind: 'timeseries',
    metric: 'refusals',
  },
  {
    id: 'rollout-totals',
    title: 'Versions in range',
    hint: 'totals per version',
    description:
      'Per version over the range: events, plays, sessions with a fatal error, startup p50, bad rows and rollout refusals.',
    unit: 'short',
    kind: 'table',
    metric: 'totals',
  },
] as const satisfies readonly RolloutPanelDef[];
