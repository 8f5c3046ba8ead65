/**
 * CMCD records in the `timestream-flink` wire format (timestream-flink.ts says what the Flink job
 * needs of every object): one flat object per report line, mapped without state. The measure
 * name is the event type, `cmcd_<state>` for a play-state report (`cmcd_playing`,
 * `cmcd_rebuffering`, ...) so play states count like events; the value is the bitrate for a
 * bitrate change and 1 otherwise. Durations that need a session's timeline (startup time, stall
 * time) are not derived here: that is the core pipeline's stateful mapping, which this format
 * bypasses. The report's keys are dimensions named `cmcd_<key>` (inner lists joined with commas);
 * custom keys are left out, their names being the player's.
 */
import { isCmcdCustomKey } from '@svta/cml-cmcd';
import type { CmcdItem, CmcdParamItem, CmcdRecord, CmcdValue } from '../../schemas/cmcd.js';
import {
  bytes,
  dims,
  type Dim,
  type FlinkEvent,
  MAX_RECORD_BYTES,
  sharedDimensions,
} from './timestream-flink.js';

/** CMCD event types (`e`) by name. */
const EVENT_NAMES: Readonly<Record<string, string>> = {
  bc: 'bitrate_change',
  ps: 'play_state',
  pr: 'playback_rate',
  e: 'error',
  t: 'interval',
  c: 'content_change',
  b: 'backgrounded',
  m: 'mute',
  um: 'unmute',
  pe: 'player_expand',
  pc: 'player_collapse',
  rr: 'response_received',
  as: 'ad_start',
  ae: 'ad_end',
  abs: 'ad_break_start',
  abe: 'ad_break_end',
  sk: 'skip',
  ce: 'custom_event',
};

/** CMCD player states (`sta`) by name. */
const STATE_NAMES: Readonly<Record<string, string>> = {
  s: 'starting',
  p: 'playing',
  k: 'seeking',
  r: 'rebuffering',
  a: 'paused',
  w: 'waiting',
  e: 'ended',
  f: 'fatal',
  q: 'quit',
  d: 'preloading',
};

/** Keys that are dimensions of their own already (or the time). */
const OWN_KEYS = new Set(['sid', 'cid', 'ts', 'sn']);

/** The measure name of a report: `cmcd_<event>`, or `cmcd_<state>` for a play-state report. */
export function cmcdMeasureName(e: unknown, sta: unknown): string {
  const state = e === 'ps' && typeof sta === 'string' ? STATE_NAMES[sta] : undefined;
  return `cmcd_${state ?? EVENT_NAMES[String(e)] ?? 'unknown'}`;
}

/**
 * The record's reports in the job's format, one object per line, in order.
 * @throws Error when a report's essential keys alone exceed MAX_RECORD_BYTES (the schema's
 *   limits make that impossible).
 */
export function cmcdFlinkEvents(
  record: CmcdRecord,
  streamRegion: string = record.edge.stream_region,
): FlinkEvent[] {
  const shared = sharedDimensions(record, streamRegion);
  return record.reports.map(({ id, seq, report }) => {
    const bitrate = report.e === 'bc' ? videoItem(report.br) : undefined;
    const out: FlinkEvent = {
      Time: (report.ts as number) + record.skew_ms,
      TimeUnit: 'MILLISECONDS',
      MeasureName: cmcdMeasureName(report.e, report.sta),
      MeasureValue: String(typeof bitrate === 'number' ? bitrate : 1),
      MeasureValueType: report.e === 'bc' ? 'DOUBLE' : 'BIGINT',
    };
    let size = 8 + bytes(out.MeasureName) + 8;
    const add = ([name, v, cost]: Dim, required: boolean) => {
      if (size + cost > MAX_RECORD_BYTES) {
        if (required) throw new Error(`report ${id}: its essential dimensions exceed 2 KB`);
        return;
      }
      out[name] = v;
      size += cost;
    };
    for (const d of dims([['event_id', id]])) add(d, true);
    for (const d of shared.first) add(d, true);
    for (const d of dims([['seq', seq]])) add(d, true);
    for (const d of shared.later) add(d, false);
    for (const key of Object.keys(report).sort()) {
      if (OWN_KEYS.has(key) || isCmcdCustomKey(key as never)) continue;
      for (const d of dims([[`cmcd_${key}`, dimension(report[key])]])) add(d, false);
    }
    return out;
  });
}

function dimension(v: CmcdValue): string {
  return Array.isArray(v) ? v.map(itemText).join(',') : String(v);
}

/** An inner-list item as CMCD writes it: `128;v`, `"a.m4s";r="0-9"` shown as `a.m4s;r=0-9`. */
function itemText(x: CmcdItem | CmcdParamItem): string {
  if (typeof x !== 'object') return String(x);
  const params = Object.entries(x.params).map(([k, p]) => (p === true ? `;${k}` : `;${k}=${p}`));
  return `${x.value}${params.join('')}`;
}

/** The value of a per-object-type list's video item (`;v` or muxed `;av`), else of its first. */
function videoItem(v: CmcdValue | undefined): CmcdItem | undefined {
  if (!Array.isArray(v)) return undefined;
  const video = v.find(
    (x) => typeof x === 'object' && (x.params.v === true || x.params.av === true),
  );
  const x = video ?? v[0];
  return typeof x === 'object' ? x.value : x;
}
