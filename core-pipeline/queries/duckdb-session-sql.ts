/**
 * DuckDB SQL shared by the session explorer's reads (duckdb-sessions.ts): one session's summary
 * computed from its events, and the mapping of a result row to a `SessionSummary`. The outcome and
 * QoE definitions are those of duckdb-queries.ts (`qoe`), applied to one session.
 */
import { EVENT_COLUMNS } from '../rows.js';
import type { SessionPlace, SessionSummary, SessionTimelineEvent } from './types.js';

/** Columns of a session's place, taken from its lowest-seq event. */
const PLACE_COLUMNS = [
  'pop',
  'serving_region',
  'edge_region',
  'country',
  'country_region',
  'asn',
  'device',
  'player_name',
  'player_version',
  'sdk_name',
  'sdk_version',
  'schema_version',
  'source',
] as const satisfies readonly (keyof SessionPlace)[];

/** Columns that are not an event's own measures (identity, times, envelope). */
const NOT_FIELDS = new Set(['seq', 'ts', 'playhead', 'received_at', 'ingested_at', 'skew_ms']);

/** The measure columns a timeline event reports in `fields` when they are set. */
const FIELD_COLUMNS = EVENT_COLUMNS.filter(
  (c) => c.role === 'measure' && !NOT_FIELDS.has(c.name),
).map((c) => c.name);

const COUNTERS = "type IN ('heartbeat', 'session_end')";

/**
 * Per-session aggregates over rows of `events` grouped by session_id (the caller adds FROM,
 * WHERE and GROUP BY). `outcome` follows the QoE definitions: start failure (first fatal error
 * before any first frame), playback failure (fatal error after it), exit before start (ended with
 * neither), else ended, playing (has a first frame) or starting. A counter event with played
 * time counts as evidence of a first frame (and of a play): the list summarises only a session's
 * recent events, where a long session's first_frame is out of range; for a whole session it only
 * matters when its first_frame was lost.
 */
export const SUMMARY_SELECT = `
  session_id,
  arg_min(viewer_id, seq) AS viewer_id,
  arg_min(content_id, seq) AS content_id,
  ${PLACE_COLUMNS.map((c) => `arg_min("${c}", seq) AS "${c}"`).join(', ')},
  epoch_ms(min(time)) AS first_at,
  epoch_ms(max(time)) AS last_at,
  epoch_ms(coalesce(arg_min(time, seq) FILTER (WHERE type = 'requested'), min(time))) AS started_at,
  count(*) AS events,
  bool_or(type IN ('requested', 'started', 'first_frame') OR (${COUNTERS} AND played_ms > 0)) AS played,
  least(
    min(seq) FILTER (WHERE type = 'first_frame'),
    min(seq) FILTER (WHERE ${COUNTERS} AND played_ms > 0)
  ) AS ff_seq,
  min(seq) FILTER (WHERE type = 'error' AND fatal) AS fatal_seq,
  bool_or(type = 'session_end') AS ended,
  arg_min(startup_ms, seq) FILTER (WHERE type = 'first_frame') AS startup_ms,
  arg_max(played_ms, seq) FILTER (WHERE ${COUNTERS}) AS played_ms,
  arg_max(stall_ms, seq) FILTER (WHERE ${COUNTERS}) AS stall_ms,
  arg_max(stall_count, seq) FILTER (WHERE ${COUNTERS}) AS stall_count,
  arg_max(bitrate, seq) FILTER (WHERE type = 'heartbeat' AND bitrate IS NOT NULL) AS bitrate`;

/** The outcome as a SQL expression over SUMMARY_SELECT's columns. */
export const OUTCOME_SQL = `CASE
    WHEN played AND fatal_seq IS NOT NULL AND (ff_seq IS NULL OR fatal_seq < ff_seq) THEN 'start_failure'
    WHEN played AND fatal_seq IS NOT NULL AND ff_seq IS NOT NULL AND fatal_seq > ff_seq THEN 'playback_failure'
    WHEN played AND ff_seq IS NULL AND fatal_seq IS NULL AND ended THEN 'exit_before_start'
    WHEN ended THEN 'ended'
    WHEN ff_seq IS NOT NULL THEN 'playing'
    ELSE 'starting' END`;

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A row of SUMMARY_SELECT plus `outcome` → SessionSummary. */
export function toSummary(r: Record<string, unknown>): SessionSummary {
  const playedMs = numOrNull(r.played_ms);
  const stallMs = numOrNull(r.stall_ms);
  const watched = (playedMs ?? 0) + (stallMs ?? 0);
  return {
    sessionId: str(r.session_id),
    viewerId: strOrNull(r.viewer_id),
    contentId: str(r.content_id),
    place: {
      pop: str(r.pop),
      serving_region: str(r.serving_region),
      edge_region: str(r.edge_region),
      country: strOrNull(r.country),
      country_region: strOrNull(r.country_region),
      asn: strOrNull(r.asn),
      device: str(r.device),
      player_name: strOrNull(r.player_name),
      player_version: strOrNull(r.player_version),
      sdk_name: str(r.sdk_name),
      sdk_version: str(r.sdk_version),
      schema_version: str(r.schema_version),
      // Rows stored before the column existed have none, and all of them came from the SDK.
      source: str(r.source) || 'sdk',
    },
    firstAt: Number(r.first_at),
    lastAt: Number(r.last_at),
    events: Number(r.events),
    outcome: r.outcome as SessionSummary['outcome'],
    startupMs: numOrNull(r.startup_ms),
    playedMs,
    stallMs,
    stallCount: numOrNull(r.stall_count),
    rebufferRatio: playedMs !== null && watched > 0 ? (stallMs ?? 0) / watched : null,
    averageBitrateBps: numOrNull(r.bitrate),
  };
}

/** The SELECT list of a timeline query (epoch ms times, the measure columns). */
export const TIMELINE_SELECT = [
  'event_id',
  'type',
  'seq',
  'playhead',
  'epoch_ms(time) AS time',
  'epoch_ms(received_at) AS received_at',
  ...FIELD_COLUMNS.map((c) => `"${c}"`),
].join(', ');

/** Every column SUMMARY_SELECT and TIMELINE_SELECT read: one scan of a session can feed both. */
export const SESSION_COLUMNS = [
  ...new Set([
    'session_id',
    'viewer_id',
    'content_id',
    ...PLACE_COLUMNS,
    'event_id',
    'type',
    'seq',
    'playhead',
    'time',
    'received_at',
    ...FIELD_COLUMNS,
  ]),
]
  .map((c) => `"${c}"`)
  .join(', ');

/** A timeline row → SessionTimelineEvent, `t` relative to `startedAt`. */
export function toTimelineEvent(
  r: Record<string, unknown>,
  startedAt: number,
): SessionTimelineEvent {
  const fields: Record<string, string | number | boolean> = {};
  for (const c of FIELD_COLUMNS) {
    const v = r[c];
    if (v === null || v === undefined) continue;
    if (c === 'attrs') Object.assign(fields, parseAttrs(String(v)));
    else fields[c] = typeof v === 'bigint' ? Number(v) : (v as string | number | boolean);
  }
  const time = Number(r.time);
  return {
    t: time - startedAt,
    time,
    receivedAt: Number(r.received_at),
    type: str(r.type),
    seq: Number(r.seq),
    playhead: Number(r.playhead),
    eventId: str(r.event_id),
    fields,
  };
}

/** `attrs` holds the fields a later schema added; only scalar values are shown on a timeline. */
function parseAttrs(json: string): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === 'object')
      for (const [k, v] of Object.entries(parsed))
        if (['string', 'number', 'boolean'].includes(typeof v)) out[k] = v as string;
  } catch {
    // A store never writes malformed attrs; if one did, the event still shows without them.
  }
  return out;
}
