/**
 * Record → rows: the pure heart of the core pipeline. No I/O; the consumer, the Lambda handler
 * and the tests all call these functions.
 *
 * The edge has already validated every event against the JSON Schema, so these checks are not a
 * second validator: they only make sure nothing reaches a database column with the wrong type
 * (which would fail the whole transaction and block the shard). A record that breaks the contract
 * throws a named error that `record-decoder.ts` turns into a bad row.
 */
import { RECORD_VERSION, type EnrichedRecord } from '../schemas/record.js';
import {
  EDGE_FIELDS,
  ENVELOPE_FIELDS,
  EVENT_FIELDS,
  GEO_FIELDS,
  RECORD_FIELDS,
  ruleProblem,
} from '../schemas/storage-rules.js';
import { renamedFields, upcastEvent } from '../schemas/upcast.js';
import { SCHEMA_VERSIONS } from '../schemas/versions.js';
import {
  InvalidRecordEventError,
  UnreadableRecordError,
  UnsupportedRecordVersionError,
} from './errors.js';
import type { EventRow } from './rows.js';
import * as read from './values.js';

// Readers built once from the rules the edge checks before it acknowledges (schemas/storage-rules.ts).
// Strings the edge vouches for are repaired, not refused: one bad character must not cost the
// record; an event's own values are refused, which costs that event only.
const R = read.readersOf(RECORD_FIELDS);
const ENV = read.readersOf(ENVELOPE_FIELDS, { repairText: true });
const GEO = read.readersOf(GEO_FIELDS, { repairText: true });
const EDGE = read.readersOf(EDGE_FIELDS, { repairText: true });
const E = read.readersOf(EVENT_FIELDS);

/** Record versions this build can turn into rows. */
const READABLE_RECORD_VERSIONS: readonly number[] = [RECORD_VERSION];

/** Rows from one record: the events that could be stored, and the events that could not. */
export interface RecordRows {
  events: EventRow[];
  /** One per event with a wrong shape; the record's other events are still in `events`. */
  invalidEvents: InvalidRecordEventError[];
}

/** The columns a record's edge context gives every row of it: receive time, skew, geo, edge. */
export type RecordContextColumns = Pick<SharedColumns, 'received_at' | 'skew_ms' | PlaceField>;

/** The geo and edge columns every row repeats from its record's context. */
type PlaceField =
  | 'country'
  | 'country_region'
  | 'city'
  | 'time_zone'
  | 'asn'
  | 'lat'
  | 'lon'
  | 'pop'
  | 'edge_region'
  | 'serving_region'
  | 'stream_region'
  | 'request_id'
  | 'device'
  | 'os';

/**
 * The geo and edge columns of a record's context, which every row of the record (beacon or CMCD)
 * repeats: listed once here so the two record kinds cannot drift apart.
 */
export function placeColumns(ctx: RecordContextColumns): Pick<SharedColumns, PlaceField> {
  return {
    country: ctx.country,
    country_region: ctx.country_region,
    city: ctx.city,
    time_zone: ctx.time_zone,
    asn: ctx.asn,
    lat: ctx.lat,
    lon: ctx.lon,
    pop: ctx.pop,
    edge_region: ctx.edge_region,
    serving_region: ctx.serving_region,
    stream_region: ctx.stream_region,
    request_id: ctx.request_id,
    device: ctx.device,
    os: ctx.os,
  };
}

/**
 * Reads what the edge computed for a record (receive time, skew, geo, edge) with the rules it
 * checked them by; the same for beacon records and CMCD records, whose context is the same.
 * @throws UnreadableRecordError when a field breaks the contract.
 */
export function readRecordContext(r: Record<string, unknown>): RecordContextColumns {
  const geo = r.geo === undefined ? {} : read.object(r.geo, 'geo');
  const edge = read.object(r.edge, 'edge');
  return {
    received_at: R.received_at(r.received_at, 'received_at'),
    skew_ms: R.skew_ms(r.skew_ms, 'skew_ms'),
    country: GEO.country(geo.country, 'geo.country'),
    country_region: GEO.region(geo.region, 'geo.region'),
    city: GEO.city(geo.city, 'geo.city'),
    time_zone: GEO.time_zone(geo.time_zone, 'geo.time_zone'),
    asn: GEO.asn(geo.asn, 'geo.asn'),
    lat: GEO.lat(geo.lat, 'geo.lat'),
    lon: GEO.lon(geo.lon, 'geo.lon'),
    pop: EDGE.pop(edge.pop, 'edge.pop'),
    edge_region: EDGE.edge_region(edge.edge_region, 'edge.edge_region'),
    serving_region: EDGE.serving_region(edge.serving_region, 'edge.serving_region'),
    stream_region: EDGE.stream_region(edge.stream_region, 'edge.stream_region'),
    request_id: EDGE.request_id(edge.request_id, 'edge.request_id'),
    device: EDGE.device(edge.device, 'edge.device'),
    os: EDGE.os(edge.os, 'edge.os'),
  };
}

/**
 * Flattens one EnrichedRecord into one row per event. Every event is first put in the one stored
 * shape for the record's `schema_version` (`upcastEvent`: 2-0-0's renamed counters go back into
 * their 1-x columns), and 1-1-0's fields have columns of their own.
 *
 * @param record what the edge wrote (already JSON-parsed; may be anything).
 * @param ingestedAt ms since epoch, stamped on every row.
 * @throws UnsupportedRecordVersionError when `record_version` is not readable by this build.
 * @throws UnreadableRecordError when the envelope breaks the contract.
 * @example
 *   const { events } = recordToRows(JSON.parse(data), Date.now());
 */
export function recordToRows(record: EnrichedRecord, ingestedAt: number): RecordRows {
  const r = read.object(record as unknown, '');
  if (!READABLE_RECORD_VERSIONS.includes(r.record_version as number)) {
    throw new UnsupportedRecordVersionError(r.record_version);
  }
  const ctx = readRecordContext(r);
  // Everything a row shares with its siblings, checked once per record.
  const shared: SharedColumns = {
    received_at: ctx.received_at,
    ingested_at: ingestedAt,
    skew_ms: ctx.skew_ms,
    record_version: r.record_version as number,
    schema_version: ENV.schema_version(r.schema_version, 'schema_version'),
    session_id: ENV.session_id(r.session_id, 'session_id'),
    viewer_id: ENV.viewer_id(r.viewer_id, 'viewer_id'),
    content_id: ENV.content_id(r.content_id, 'content_id'),
    sdk_name: ENV.sdk_name(r.sdk_name, 'sdk_name'),
    sdk_version: ENV.sdk_version(r.sdk_version, 'sdk_version'),
    player_name: ENV.player_name(r.player_name, 'player_name'),
    player_version: ENV.player_version(r.player_version, 'player_version'),
    source: 'sdk' as const,
    drm_system: ENV.drm_system(r.drm_system, 'drm_system'),
    audio_language: ENV.audio_language(r.audio_language, 'audio_language'),
    subtitle_language: ENV.subtitle_language(r.subtitle_language, 'subtitle_language'),
    ...placeColumns(ctx),
  };
  const skew_ms = ctx.skew_ms;
  if (!Array.isArray(r.events)) throw new UnreadableRecordError('events', 'must be an array');

  const events: EventRow[] = [];
  const invalidEvents: InvalidRecordEventError[] = [];
  const version = shared.schema_version;
  r.events.forEach((ev: unknown, index: number) => {
    try {
      events.push(eventToRow(ev, shared, skew_ms, version));
    } catch (err) {
      if (!(err instanceof UnreadableRecordError)) throw err;
      const field = wireName(version, ev, err.field);
      invalidEvents.push(new InvalidRecordEventError(index, field, err.detail));
    }
  });
  return { events, invalidEvents };
}

/**
 * The columns every row of one record shares (envelope, geo, edge), checked once per record; a
 * CMCD record's rows share the same set (core-pipeline/cmcd/).
 */
export type SharedColumns = Omit<EventRow, EventOwnField>;
type Shared = SharedColumns;
type EventOwnField = Exclude<keyof EventRow, SharedField>;
type SharedField =
  | 'received_at'
  | 'ingested_at'
  | 'skew_ms'
  | 'record_version'
  | 'schema_version'
  | 'session_id'
  | 'viewer_id'
  | 'content_id'
  | 'sdk_name'
  | 'sdk_version'
  | 'player_name'
  | 'player_version'
  | 'source'
  | 'drm_system'
  | 'audio_language'
  | 'subtitle_language'
  | PlaceField;

/** Field names some version renamed (2-0-0's `stall_total_ms`, `avg_bitrate`): they have no column. */
const WIRE_ONLY: ReadonlySet<string> = new Set(
  SCHEMA_VERSIONS.flatMap((v) => Object.values(renamedFields(v)).flatMap((m) => Object.keys(m))),
);

/**
 * Event fields that have a column of their own (the rest go to `attrs`): the keys of EVENT_FIELDS
 * but the renamed wire names, which an upcast event no longer has. Every field of every schema
 * version is there, so a current event has `attrs` null; a later schema's new fields are kept in
 * it until they get a column.
 */
const COLUMN_FIELDS: ReadonlySet<string> = new Set(
  Object.keys(EVENT_FIELDS).filter((f) => !WIRE_ONLY.has(f)),
);

/**
 * The event's fields without a column, as JSON; null when there are none. A field with a storage
 * rule but no column (a renamed name in a record of a version without that rename, which the
 * edge's schema refuses) is still held to its rule, as the edge holds every event to the rules.
 */
function otherFields(e: Record<string, unknown>): string | null {
  // Without a prototype: an own "__proto__" key (JSON.parse makes one) stays a plain field.
  let extra: Record<string, unknown> | undefined;
  for (const key of Object.keys(e)) {
    if (COLUMN_FIELDS.has(key)) continue;
    if (WIRE_ONLY.has(key)) {
      const problem = ruleProblem(e[key], EVENT_FIELDS[key as keyof typeof EVENT_FIELDS]);
      if (problem !== undefined) throw new UnreadableRecordError(key, problem);
    }
    extra ??= Object.create(null) as Record<string, unknown>;
    extra[key] = e[key];
  }
  return extra ? JSON.stringify(extra) : null;
}

/**
 * The name the client sent for a field an error names: a stored name the event's version renamed
 * is reported under its wire name (the client sent `stall_total_ms`, not `stall_ms`). Runs only
 * for a refused event.
 */
function wireName(version: string, event: unknown, field: string): string {
  const type = (event as { type?: unknown } | null)?.type;
  if (typeof type !== 'string') return field;
  const renames = renamedFields(version);
  const byType = Object.hasOwn(renames, type) ? renames[type] : undefined;
  if (!byType) return field;
  for (const wire of Object.keys(byType)) {
    if (byType[wire] === field && Object.hasOwn(event as object, wire)) return wire;
  }
  return field;
}

/**
 * Measures are read by field name whatever the event type, so a later schema that adds a field
 * to another type needs no change here. Field names in errors are the event's own names.
 * The shared fields are copied one by one, not spread: V8 builds this large literal far more
 * slowly with a spread in it (a spread first even turns the row into a dictionary), and it runs
 * for every stored event (docs/BENCHMARKS.md, e2e-load notes).
 */
function eventToRow(value: unknown, shared: Shared, skewMs: number, version: string): EventRow {
  // The same object for every 1-x event; a copy with the 1-x names for a renamed one.
  const e = upcastEvent(version, read.object(value, ''));
  const ts = E.ts(e.ts, 'ts');
  // The edge leaves `time` out (it is ts + the record's skew_ms); a producer that sets it wins
  // (null is absent, as for every optional field).
  const time = read.timeMs(e.time === undefined || e.time === null ? ts + skewMs : e.time, 'time');
  const s = shared;
  return {
    event_id: E.id(e.id, 'id'),
    type: E.type(e.type, 'type'),
    seq: E.seq(e.seq, 'seq'),
    ts,
    time,
    playhead: E.playhead(e.playhead, 'playhead'),
    received_at: s.received_at,
    ingested_at: s.ingested_at,
    skew_ms: s.skew_ms,
    record_version: s.record_version,
    schema_version: s.schema_version,
    session_id: s.session_id,
    viewer_id: s.viewer_id,
    content_id: s.content_id,
    sdk_name: s.sdk_name,
    sdk_version: s.sdk_version,
    player_name: s.player_name,
    player_version: s.player_version,
    source: s.source,
    drm_system: s.drm_system,
    audio_language: s.audio_language,
    subtitle_language: s.subtitle_language,
    country: s.country,
    country_region: s.country_region,
    city: s.city,
    time_zone: s.time_zone,
    asn: s.asn,
    lat: s.lat,
    lon: s.lon,
    pop: s.pop,
    edge_region: s.edge_region,
    serving_region: s.serving_region,
    stream_region: s.stream_region,
    request_id: s.request_id,
    device: s.device,
    os: s.os,
    startup_ms: E.startup_ms(e.startup_ms, 'startup_ms'),
    stall_ms: E.stall_ms(e.stall_ms, 'stall_ms'),
    bitrate: E.bitrate(e.bitrate, 'bitrate'),
    prev_bitrate: E.prev_bitrate(e.prev_bitrate, 'prev_bitrate'),
    width: E.width(e.width, 'width'),
    height: E.height(e.height, 'height'),
    level: E.level(e.level, 'level'),
    volume: E.volume(e.volume, 'volume'),
    muted: E.muted(e.muted, 'muted'),
    error_code: E.code(e.code, 'code'),
    error_message: E.message(e.message, 'message'),
    fatal: E.fatal(e.fatal, 'fatal'),
    played_ms: E.played_ms(e.played_ms, 'played_ms'),
    stall_count: E.stall_count(e.stall_count, 'stall_count'),
    dropped_frames: E.dropped_frames(e.dropped_frames, 'dropped_frames'),
    seek_ms: E.seek_ms(e.seek_ms, 'seek_ms'),
    seek_to: E.to(e.to, 'to'),
    reason: E.reason(e.reason, 'reason'),
    autoplay: E.autoplay(e.autoplay, 'autoplay'),
    frame_rate: E.frame_rate(e.frame_rate, 'frame_rate'),
    throughput_kbps: E.throughput_kbps(e.throughput_kbps, 'throughput_kbps'),
    buffer_ms: E.buffer_ms(e.buffer_ms, 'buffer_ms'),
    attrs: otherFields(e),
  };
}

/**
 * Parses the bytes of an event-stream record into an EnrichedRecord-shaped value (JSON only;
 * `recordToRows` checks the shape).
 * @throws UnreadableRecordError when the bytes are not UTF-8 JSON of an object.
 */
export function parseRecordData(data: Uint8Array | string): EnrichedRecord {
  return read.object(read.json(data), '') as unknown as EnrichedRecord;
}
