/**
 * The `timestream-flink` wire format: one flat JSON object per accepted event, the input of the
 * AWS demo's Flink job (amazon-timestream-tools `integrations/flink_connector`, the last version
 * that reads this format is commit 1acac3576b76bce44a4d8d8a4ab3fa41ea5d80b6, 2022-02-07; later
 * versions read a different, typed format). What that job does with a Kinesis record, from
 * `StreamingJob.java`, `JsonToTimestreamPayloadFn.java`, `TimestreamPoint.java` and
 * `TimestreamSink.java` at that commit, and what this module does about it:
 *
 * 1. Each Kinesis record is one UTF-8 string (`SimpleStringSchema`) parsed by Gson into a
 *    `HashMap<String, String>`: one JSON object per record, so one event per record here.
 * 2. A value that is an object or an array makes Gson throw and the job fail on that record,
 *    again after every restart; a null reaches `Long.parseLong` or the Timestream request and
 *    fails too. Every value here is a string, except `Time`, a JSON integer.
 * 3. Keys are matched case-insensitively: `time`, `timeunit`, `measurename`, `measurevalue`,
 *    `measurevaluetype`; every other key becomes a dimension. No dimension name here equals one
 *    of them in any case. A duplicate key makes Gson throw: JSON.stringify never writes one.
 * 4. `Time` goes through `Long.parseLong`: digits only, here milliseconds (`TimeUnit`
 *    `MILLISECONDS`, passed to Timestream as is).
 * 5. `MeasureValueType` goes through the SDK's `MeasureValueType.fromValue(value.toUpperCase())`:
 *    DOUBLE, BIGINT, VARCHAR or BOOLEAN (anything else throws). Each measure name here always has
 *    the same type, as Timestream requires.
 * 6. The sink writes `TimestreamIngestBatchSize` (default 50) records per WriteRecords. Records
 *    Timestream rejects (RejectedRecordsException) are logged and dropped; any other error leaves
 *    the whole buffer to fail again on every later record. So every record must be valid as
 *    written: dimension names of 1–60 bytes, not `time`/`measure_name`/`measure_value`, not
 *    starting with `ts_` or `measure_value`, without `:`; values non-empty; the whole record
 *    at most 2 KB as Timestream counts it (recordBytes below): optional dimensions that do not
 *    fit are left out, the error message cut on whole code points.
 *
 * Time is the event's time on the server clock, computed as the core pipeline computes its
 * `time` column: the event's own `time` if a producer set it, else `ts + skew_ms`.
 *
 * Every schema version is written in the one stored shape (schemas/upcast.ts): a 2-0-0
 * `stall_total_ms` is the `stall_ms` dimension, `avg_bitrate` the `bitrate` one, so a query
 * reads one name whatever version a player sends. Fields later versions add are dimensions
 * named as the core's columns, kept while they fit like every optional dimension.
 */
import type { EnrichedEvent, EnrichedRecord } from '../../schemas/record.js';
import { toWellFormed } from '../../schemas/storable.js';
import type { EventType } from '../../schemas/events.js';
import { upcastEvent } from '../../schemas/upcast.js';

/** The keys the job reads itself; every other key is a dimension. */
const FLINK_RESERVED_KEYS = [
  'Time',
  'TimeUnit',
  'MeasureName',
  'MeasureValue',
  'MeasureValueType',
] as const;

/** One event as the job reads it. */
export interface FlinkEvent {
  Time: number;
  TimeUnit: 'MILLISECONDS';
  MeasureName: string;
  MeasureValue: string;
  MeasureValueType: 'DOUBLE' | 'BIGINT';
  /** Dimensions: every other key, a non-empty string. */
  [dimension: string]: string | number;
}

/** Largest record Timestream accepts (its quota says 2 KB; the smaller reading is used). */
export const MAX_RECORD_BYTES = 2000;

/** Which event field is the measure: none means a count of 1 (BIGINT). */
interface Measure {
  field?: 'startup_ms' | 'stall_ms' | 'bitrate' | 'volume' | 'played_ms';
  type: 'DOUBLE' | 'BIGINT';
}

const COUNT: Measure = { type: 'BIGINT' };

/**
 * The measure of each event type. The measure name is always the event type, so the demo's
 * panels (counts of started, paused, volume_changed, variant_loaded) are `measure_name = '<type>'`;
 * the value is the type's main quantity, or 1 where it has none.
 */
export const FLINK_MEASURES: Readonly<Record<EventType, Measure>> = {
  requested: COUNT,
  started: COUNT,
  first_frame: { field: 'startup_ms', type: 'DOUBLE' },
  paused: COUNT,
  resumed: COUNT,
  seeking: COUNT,
  seeked: COUNT,
  stall_start: COUNT,
  stall_end: { field: 'stall_ms', type: 'DOUBLE' },
  variant_loaded: { field: 'bitrate', type: 'BIGINT' },
  bitrate_changed: { field: 'bitrate', type: 'BIGINT' },
  volume_changed: { field: 'volume', type: 'DOUBLE' },
  muted: COUNT,
  unmuted: COUNT,
  error: COUNT,
  ended: COUNT,
  heartbeat: { field: 'played_ms', type: 'DOUBLE' },
  session_end: { field: 'played_ms', type: 'DOUBLE' },
};

/** Event fields kept as dimensions (besides the measure), named as the core's columns. */
const EVENT_DIMENSIONS: readonly (readonly [string, string])[] = [
  ['autoplay', 'autoplay'],
  ['startup_ms', 'startup_ms'],
  ['to', 'seek_to'],
  ['seek_ms', 'seek_ms'],
  ['stall_ms', 'stall_ms'],
  ['stall_count', 'stall_count'],
  ['played_ms', 'played_ms'],
  ['bitrate', 'bitrate'],
  ['prev_bitrate', 'prev_bitrate'],
  ['width', 'width'],
  ['height', 'height'],
  ['level', 'level'],
  ['volume', 'volume'],
  ['muted', 'muted'],
  ['dropped_frames', 'dropped_frames'],
  ['frame_rate', 'frame_rate'],
  ['throughput_kbps', 'throughput_kbps'],
  ['buffer_ms', 'buffer_ms'],
  ['code', 'error_code'],
  ['fatal', 'fatal'],
  ['reason', 'reason'],
];

/**
 * UTF-8 length of `s` without encoding it (this runs for every dimension of every event): an
 * unpaired surrogate counts 3 bytes, as the U+FFFD an encoder writes for it.
 */
export function bytes(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: 4 bytes for 2 units
      i++;
    } else n += 2;
  }
  return n;
}

/** A value as a dimension: a non-empty string, or undefined to leave the key out. */
function dim(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'string' ? v : String(v);
  return s === '' ? undefined : s;
}

/**
 * The record's size as Timestream meters it: 8 bytes of time, the UTF-8 bytes of every dimension
 * name and value and of the measure name, 8 bytes of BIGINT or DOUBLE value.
 */
export function recordBytes(e: FlinkEvent): number {
  let n = 8 + bytes(e.MeasureName) + 8;
  for (const [k, v] of Object.entries(e)) {
    if (!(FLINK_RESERVED_KEYS as readonly string[]).includes(k)) n += bytes(k) + bytes(String(v));
  }
  return n;
}

/** A dimension ready to add: name, value, and its cost in bytes as Timestream counts it. */
export type Dim = readonly [name: string, value: string, cost: number];

/** The present dimensions of `pairs`, with their cost. */
export function dims(pairs: readonly (readonly [string, unknown])[]): Dim[] {
  const out: Dim[] = [];
  for (const [name, v] of pairs) {
    const s = dim(v);
    if (s !== undefined) out.push([name, s, bytes(name) + bytes(s)]);
  }
  return out;
}

/** The fields of a record the shared dimensions read: a beacon record's, or a CMCD record's. */
export type SharedRecordFields = Pick<
  EnrichedRecord,
  'session_id' | 'content_id' | 'schema_version' | 'sdk_name' | 'sdk_version' | 'geo' | 'edge'
> &
  Partial<
    Pick<
      EnrichedRecord,
      | 'player_name'
      | 'player_version'
      | 'drm_system'
      | 'audio_language'
      | 'subtitle_language'
      | 'viewer_id'
    >
  >;

/**
 * Dimensions every event of a record shares, prepared once per record: `first` are always kept,
 * `later` in this order while they fit.
 */
export function sharedDimensions(record: SharedRecordFields, streamRegion: string) {
  const { geo = {}, edge } = record;
  const first = dims([
    ['session_id', record.session_id],
    ['content_id', record.content_id],
    ['schema_version', record.schema_version],
  ]);
  const later = dims([
    ['pop', edge.pop],
    ['edge_region', edge.edge_region],
    ['serving_region', edge.serving_region],
    ['stream_region', streamRegion],
    ['device', edge.device],
    ['os', edge.os],
    ['country', geo.country],
    ['country_region', geo.region],
    ['asn', geo.asn],
    ['sdk_name', record.sdk_name],
    ['sdk_version', record.sdk_version],
    ['player_name', record.player_name],
    ['player_version', record.player_version],
    ['drm_system', record.drm_system],
    ['audio_language', record.audio_language],
    ['subtitle_language', record.subtitle_language],
    ['viewer_id', record.viewer_id],
    ['city', geo.city],
    ['time_zone', geo.time_zone],
    ['lat', geo.lat],
    ['lon', geo.lon],
    ['request_id', edge.request_id],
  ]);
  return { first, later };
}

/**
 * The record's events in the job's format, one object per event, in order. `streamRegion` is the
 * stream they are written to (a fallback stream names its own region).
 * @throws Error when an event's essential keys alone exceed MAX_RECORD_BYTES (the schema's
 *   limits make that impossible; the edge answers 500 rather than acknowledge a lost event).
 * @example toFlinkEvents(record)[0].MeasureName // 'started'
 */
export function toFlinkEvents(
  record: EnrichedRecord,
  streamRegion: string = record.edge.stream_region,
): FlinkEvent[] {
  const shared = sharedDimensions(record, streamRegion);
  return record.events.map((event) =>
    toFlinkEvent(record.skew_ms, upcast(record.schema_version, event), shared),
  );
}

/** The event in the stored shape (schemas/upcast.ts works on plain objects). */
function upcast(schemaVersion: string, event: EnrichedEvent): EnrichedEvent {
  return upcastEvent(
    schemaVersion,
    event as unknown as Record<string, unknown>,
  ) as unknown as EnrichedEvent;
}

function toFlinkEvent(
  skewMs: number,
  event: EnrichedEvent,
  shared: ReturnType<typeof sharedDimensions>,
): FlinkEvent {
  const measure = FLINK_MEASURES[event.type] ?? COUNT;
  const source = event as unknown as Record<string, unknown>;
  const value = measure.field === undefined ? 1 : source[measure.field];
  const out: FlinkEvent = {
    Time: typeof event.time === 'number' ? event.time : event.ts + skewMs,
    TimeUnit: 'MILLISECONDS',
    MeasureName: event.type,
    // String(-0) is "0": Timestream refuses a negative zero.
    MeasureValue: String(value),
    MeasureValueType: measure.type,
  };
  let size = 8 + bytes(out.MeasureName) + 8;
  const add = ([name, v, cost]: Dim, required: boolean) => {
    if (size + cost > MAX_RECORD_BYTES) {
      if (required) throw new Error(`event ${event.id}: its essential dimensions exceed 2 KB`);
      return;
    }
    out[name] = v;
    size += cost;
  };
  for (const d of dims([['event_id', event.id]])) add(d, true);
  for (const d of shared.first) add(d, true);
  for (const d of dims([
    ['seq', event.seq],
    ['playhead', event.playhead],
  ]))
    add(d, true);
  for (const d of shared.later) add(d, false);
  for (const [field, name] of EVENT_DIMENSIONS) {
    const v = field === measure.field ? undefined : dim(source[field]);
    if (v !== undefined) add([name, v, bytes(name) + bytes(v)], false);
  }
  const message = dim(event.type === 'error' ? event.message : undefined);
  if (message !== undefined) {
    // Free text is cut to the room left rather than dropped: its start is what says most.
    const room = MAX_RECORD_BYTES - size - bytes('error_message');
    const cut = cutToBytes(message, room);
    if (cut !== '') {
      out.error_message = cut;
      size += bytes('error_message') + bytes(cut);
    }
  }
  return out;
}

/** The longest prefix of `s` on whole code points of at most `max` UTF-8 bytes. */
function cutToBytes(s: string, max: number): string {
  let used = 0;
  let end = 0;
  for (const ch of s) {
    const b = bytes(ch);
    if (used + b > max) break;
    used += b;
    end += ch.length;
  }
  return toWellFormed(s.slice(0, end));
}
