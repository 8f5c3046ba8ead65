/**
 * The panels both dashboards show, defined once: the local page (dashboard/app.ts, bundled for the
 * browser) reads their titles, hints and units, and the Grafana generator (grafana/) turns each
 * into a panel with its InfluxQL or Timestream SQL. Dependency-free data: only types are imported,
 * so the browser bundle and Node code can both import it at run time.
 */
import type { Dimension } from '../core-pipeline/queries/types.js';
import type { DEMO_EVENT_TYPES, EventType } from '../schemas/events.js';

/** How a panel draws: one visualization per kind in Grafana. */
export type PanelKind = 'timeseries' | 'stat' | 'table' | 'histogram';

/**
 * What a panel computes. Definitions (and where Grafana's differ from the local page's) are in
 * docs/DEPLOY.md (Grafana) and on each panel's `description`.
 */
export type PanelMetric =
  | 'count'
  | 'events_per_second'
  | 'bad_rows_per_second'
  | 'plays'
  | 'startup_p50'
  | 'startup_p95'
  | 'startup_distribution'
  | 'failed_sessions'
  | 'stalls_per_minute'
  | 'stall_time'
  | 'rebuffer_ratio'
  | 'average_bitrate'
  | 'slice_qoe'
  | 'source_qoe';

/**
 * Display units, spelled as Grafana's unit ids (the local page maps them to its formatters):
 * `short` counts, `ms`, `percent` (already ×100), `bps`, `reqps` (per second), `none`.
 */
export type PanelUnit = 'short' | 'ms' | 'percent' | 'bps' | 'reqps' | 'none';

/** One panel. */
export interface PanelDef {
  /** Stable id: the Grafana panel's key and the local page's element suffix. */
  id: string;
  title: string;
  /** One line under the title (the local page's subtitle or tile hint). */
  hint: string;
  /** Longer text for Grafana's panel description: the definition and its caveats. */
  description: string;
  unit: PanelUnit;
  kind: PanelKind;
  metric: PanelMetric;
  /** The event types it reads; empty for bad-row panels. */
  eventTypes: readonly EventType[];
  /** The dimension it groups by (regional diagnostics). */
  slice?: Dimension;
}

/** One demo panel: events of one type per interval. */
function countPanel<T extends EventType>(
  type: T,
  title: string,
  hint: string,
): PanelDef & { id: T; eventTypes: readonly [T] } {
  return {
    id: type,
    title,
    hint,
    description: `Accepted \`${type}\` events per interval of event time (the AWS demo's panel).`,
    unit: 'short',
    kind: 'timeseries',
    metric: 'count',
    eventTypes: [type],
  };
}

/** The AWS demo's four panels, in page order. */
export const DEMO_PANELS = [
  countPanel('started', 'Started', 'Playbacks that started, per interval'),
  countPanel('paused', 'Paused', 'Pauses by viewers, per interval'),
  countPanel(
    'volume_changed',
    'Volume changed',
    'Volume level changes (mute toggles are muted/unmuted), per interval',
  ),
  countPanel('variant_loaded', 'Variant loaded', 'Renditions loaded (ABR), per interval'),
] as const;

/** The event type of each demo panel, in page order. */
export type DemoPanelType = (typeof DEMO_PANELS)[number]['id'];

// The demo panels are exactly the demo's event types (a compile-time check; the test checks order).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const demoPanelsMatchSchema: Same<DemoPanelType, (typeof DEMO_EVENT_TYPES)[number]> = true;
void demoPanelsMatchSchema;

/** Types that mean "the viewer asked to play": a session with one is a play. */
export const PLAY_EVENT_TYPES = ['requested', 'started', 'first_frame'] as const;

/** Quality-of-experience panels (CTA-2066 measures); the first six are the local page's tiles. */
export const QOE_PANELS = [
  {
    id: 'plays',
    title: 'Plays',
    hint: 'sessions with a play request',
    description: 'Distinct sessions with a requested, started or first_frame event in the range.',
    unit: 'short',
    kind: 'stat',
    metric: 'plays',
    eventTypes: PLAY_EVENT_TYPES,
  },
  {
    id: 'startup-p50',
    title: 'Startup p50',
    hint: 'request → first frame',
    description:
      'Median startup_ms of first_frame events (CTA-2066 initial startup time; sessions without a start are excluded).',
    unit: 'ms',
    kind: 'stat',
    metric: 'startup_p50',
    eventTypes: ['first_frame'],
  },
  {
    id: 'startup-p95',
    title: 'Startup p95',
    hint: 'sessions without a start excluded',
    description: '95th percentile of startup_ms over first_frame events.',
    unit: 'ms',
    kind: 'stat',
    metric: 'startup_p95',
    eventTypes: ['first_frame'],
  },
  {
    id: 'stalled',
    title: 'Stalled time',
    hint: 'Σ stall ÷ Σ watched',
    description:
      'Rebuffer ratio: 100 × Σ stall_ms ÷ Σ played_ms. Grafana sums the cumulative counters of session_end events (ended sessions only); the local page takes each session’s latest heartbeat or session_end.',
    unit: 'percent',
    kind: 'stat',
    metric: 'rebuffer_ratio',
    eventTypes: ['session_end'],
  },
  {
    id: 'failures',
    title: 'Failures',
    hint: 'fatal errors',
    description: 'Sessions with a fatal error event (start failures and playback failures).',
    unit: 'short',
    kind: 'stat',
    metric: 'failed_sessions',
    eventTypes: ['error'],
  },
  {
    id: 'bitrate',
    title: 'Avg bitrate',
    hint: 'time-weighted',
    description:
      'Mean bitrate of heartbeats (each carries its session’s time-weighted average so far). The local page weights each session’s latest heartbeat by its played time.',
    unit: 'bps',
    kind: 'stat',
    metric: 'average_bitrate',
    eventTypes: ['heartbeat'],
  },
  {
    id: 'startup-distribution',
    title: 'Startup time distribution',
    hint: 'request → first frame',
    description: 'Histogram of startup_ms over first_frame events.',
    unit: 'ms',
    kind: 'histogram',
    metric: 'startup_distribution',
    eventTypes: ['first_frame'],
  },
  {
    id: 'stalls-per-minute',
    title: 'Stalls per minute',
    hint: 'stall_end events per minute',
    description: 'Stalls that ended (stall_end events) per minute of event time.',
    unit: 'short',
    kind: 'timeseries',
    metric: 'stalls_per_minute',
    eventTypes: ['stall_end'],
  },
  {
    id: 'stall-time',
    title: 'Stall time',
    hint: 'Σ stall duration per interval',
    description: 'Sum of stall_ms of stall_end events per interval.',
    unit: 'ms',
    kind: 'timeseries',
    metric: 'stall_time',
    eventTypes: ['stall_end'],
  },
] as const satisfies readonly PanelDef[];

/** Pipeline health panels: traffic in and what was refused. */
export const PIPELINE_PANELS = [
  {
    id: 'events-per-second',
    title: 'Events/s',
    hint: 'accepted events per second',
    description: 'Accepted events of every type per second of event time.',
    unit: 'reqps',
    kind: 'timeseries',
    metric: 'events_per_second',
    eventTypes: [],
  },
  {
    id: 'bad-rows-per-second',
    title: 'Bad rows/s',
    hint: 'refused events per second, by reason',
    description:
      'Bad rows (refused at the edge or unreadable in the core) per second of receive time, by reason.',
    unit: 'reqps',
    kind: 'timeseries',
    metric: 'bad_rows_per_second',
    eventTypes: [],
  },
] as const satisfies readonly PanelDef[];

/**
 * Plays, failures, startup and stalls per source (`sdk`: our beacons, `cmcd`: a player's own CMCD
 * reports) and, where the store can group by them, player name and version.
 */
export const SOURCE_PANEL: PanelDef = {
  id: 'by-source',
  title: 'By source / player',
  hint: 'plays, failure %, startup and stalls per source and player release',
  description:
    'Per source (sdk: our SDK; cmcd: players reporting CMCD v2 themselves): plays, sessions with a fatal error (% of plays), startup and stall_end events. Timestream also splits by player name and version; InfluxDB groups by tags, and the player is not one.',
  unit: 'short',
  kind: 'table',
  metric: 'source_qoe',
  eventTypes: [...PLAY_EVENT_TYPES, 'error', 'stall_end'],
};

/** Dimensions of the regional diagnostics, with their labels, in tab order. */
export const SLICES = [
  { dimension: 'pop', label: 'POP' },
  { dimension: 'country', label: 'Country' },
  { dimension: 'serving_region', label: 'Serving region' },
  { dimension: 'asn', label: 'ASN' },
  { dimension: 'device', label: 'Device' },
] as const satisfies readonly { dimension: Dimension; label: string }[];

/** One regional-diagnostics table per dimension: plays, failure %, startup p95, stalls. */
export const REGIONAL_PANELS: readonly PanelDef[] = SLICES.map(({ dimension, label }) => ({
  id: `by-${dimension.replace('_', '-')}`,
  title: `By ${label}`,
  hint: 'plays, failure %, startup p95 and stalls per slice',
  description: `Per ${label}: plays, sessions with a fatal error (% of plays), startup p95 and stall_end events.`,
  unit: 'short',
  kind: 'table',
  metric: 'slice_qoe',
  eventTypes: [...PLAY_EVENT_TYPES, 'error', 'stall_end'],
  slice: dimension,
}));
