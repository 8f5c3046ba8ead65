/**
 * Per-field storage rules of the edge → core record (`record.ts`): which column kind each field
 * is stored as and whether it must be present. The edge checks a batch against them before it
 * acknowledges anything, and the core pipeline builds its readers from the same tables, so the
 * two cannot drift apart. What the edge does with a value that breaks a rule (refuse the body,
 * refuse the event, or repair) is each group's `onEdge`, written out in schemas/README.md.
 */
import { LIMITS } from './limits.js';
import type { EnrichedEvent, EnrichedRecord, GeoContext, EdgeContext } from './record.js';
import { kindProblem, textProblem, type StorageKind } from './storable.js';

/**
 * How one field is stored: its column kind, whether a record without it is unreadable, and for
 * text its longest value in code points (as JSON Schema's `maxLength` counts): every text rule
 * has one, so no field lets a client make a row of any size.
 */
export type FieldRule =
  | { readonly kind: 'text'; readonly required: boolean; readonly maxLength: number }
  | {
      readonly kind: Exclude<StorageKind, 'text'>;
      readonly required: boolean;
      readonly maxLength?: undefined;
    };

/** A table of rules, field name → rule. */
export type FieldRules = Readonly<Record<string, FieldRule>>;

/** A rule for exactly the keys of `T` (none missing, none extra): the tables below cover the record's types. */
type RulesFor<K extends PropertyKey> = { readonly [P in K]: FieldRule };
/** Every key of any member of a union (`keyof` of a union gives only the shared ones). */
type AnyKey<T> = T extends unknown ? keyof T : never;
type RecordKey = 'received_at' | 'skew_ms';
type EnvelopeKey = Exclude<
  keyof EnrichedRecord,
  RecordKey | 'record_version' | 'geo' | 'edge' | 'events'
>;

// Generic so each table keeps its literal kinds: the core's readers are typed from them.
const req = <K extends Exclude<StorageKind, 'text'>>(kind: K) =>
  ({ kind, required: true }) as const;
const opt = <K extends Exclude<StorageKind, 'text'>>(kind: K) =>
  ({ kind, required: false }) as const;
const reqText = (maxLength: number) => ({ kind: 'text', required: true, maxLength }) as const;
const optText = (maxLength: number) => ({ kind: 'text', required: false, maxLength }) as const;

const MAX = LIMITS.maxLength;
/** CloudFront header values and the edge's own context values (the edge cuts headers to it). */
const HEADER = LIMITS.maxHeaderValueChars;
/** Event types, session-end reasons, schema versions: names, with room for later schemas. */
const NAME = LIMITS.maxNameLength;

/** Fields the edge computes for the record itself. */
export const RECORD_FIELDS = {
  received_at: req('time'),
  skew_ms: req('bigint'),
} as const satisfies RulesFor<RecordKey>;

/** Envelope fields a client sends that the record keeps (`sent_at` only becomes `skew_ms`). */
export const ENVELOPE_FIELDS = {
  schema_version: reqText(NAME),
  session_id: reqText(LIMITS.maxIdLength),
  viewer_id: optText(LIMITS.maxViewerIdLength),
  content_id: reqText(MAX.content_id),
  sdk_name: reqText(MAX.sdk_name),
  sdk_version: reqText(MAX.sdk_version),
  player_name: optText(MAX.player_name),
  player_version: optText(MAX.player_version),
  drm_system: optText(NAME),
  audio_language: optText(MAX.language),
  subtitle_language: optText(MAX.language),
} as const satisfies RulesFor<EnvelopeKey>;

/** `record.geo`: CloudFront-Viewer-* header values. */
export const GEO_FIELDS = {
  country: optText(HEADER),
  region: optText(HEADER),
  city: optText(HEADER),
  time_zone: optText(HEADER),
  asn: optText(HEADER),
  lat: opt('double'),
  lon: opt('double'),
} as const satisfies RulesFor<keyof GeoContext>;

/** `record.edge`: where the request entered the CDN, CloudFront's request id, the device. */
export const EDGE_FIELDS = {
  pop: reqText(HEADER),
  edge_region: reqText(HEADER),
  serving_region: reqText(HEADER),
  stream_region: reqText(HEADER),
  request_id: reqText(HEADER),
  device: reqText(HEADER),
  os: optText(HEADER),
} as const satisfies RulesFor<keyof EdgeContext>;

/**
 * Every event field of every schema version (the core stores fields without a rule as JSON in
 * `attrs`, where any value is storable). `time` is not sent by clients; a producer may set it.
 * 2-0-0's `stall_total_ms` and `avg_bitrate` have rules of their own (the edge checks events as
 * sent) with the kinds of the columns the core stores them in (`stall_ms`, `bitrate`:
 * schemas/upcast.ts).
 */
export const EVENT_FIELDS = {
  id: reqText(LIMITS.maxIdLength),
  type: reqText(NAME),
  seq: req('int32'),
  ts: req('time'),
  time: opt('time'),
  playhead: req('double'),
  startup_ms: opt('double'),
  stall_ms: opt('double'),
  bitrate: opt('bigint'),
  prev_bitrate: opt('bigint'),
  width: opt('int32'),
  height: opt('int32'),
  level: opt('int32'),
  volume: opt('double'),
  muted: opt('boolean'),
  code: optText(MAX.error_code),
  message: optText(MAX.error_message),
  fatal: opt('boolean'),
  played_ms: opt('double'),
  stall_count: opt('int32'),
  dropped_frames: opt('bigint'),
  seek_ms: opt('double'),
  to: opt('double'),
  reason: optText(NAME),
  autoplay: opt('boolean'),
  frame_rate: opt('double'),
  throughput_kbps: opt('bigint'),
  buffer_ms: opt('double'),
  stall_total_ms: opt('double'),
  avg_bitrate: opt('bigint'),
} as const satisfies RulesFor<AnyKey<EnrichedEvent>>;

/**
 * What the edge does with a value that breaks its group's rules: `refuse_body` (400
 * invalid_envelope), `refuse_event` (that event is rejected as invalid_event, its neighbours
 * kept), `repair` (cut on whole code points, unpaired surrogates → U+FFFD, a missing request id
 * generated), `computed` (the edge made the value; breaking a rule is a bug, answered 500 with
 * nothing acknowledged).
 */
export type EdgeAction = 'refuse_body' | 'refuse_event' | 'repair' | 'computed';

/** Every group of the record with its rules and what the edge does when one is broken. */
export const STORAGE_RULES = {
  record: { path: '', fields: RECORD_FIELDS, onEdge: 'computed' },
  envelope: { path: '', fields: ENVELOPE_FIELDS, onEdge: 'refuse_body' },
  geo: { path: 'geo.', fields: GEO_FIELDS, onEdge: 'repair' },
  edge: { path: 'edge.', fields: EDGE_FIELDS, onEdge: 'repair' },
  event: { path: 'events[i].', fields: EVENT_FIELDS, onEdge: 'refuse_event' },
} as const satisfies Record<string, { path: string; fields: FieldRules; onEdge: EdgeAction }>;

/**
 * Why `v` cannot be stored under `rule`, or undefined when it can. An absent (`undefined` or
 * `null`) optional field is storable (as null); a required text field must also be non-empty,
 * and text must have at most the rule's `maxLength` code points.
 */
export function ruleProblem(v: unknown, rule: FieldRule): string | undefined {
  if (v === undefined || v === null) {
    return rule.required ? kindProblem(rule.kind, v, true) : undefined;
  }
  return kindProblem(rule.kind, v, rule.required, rule.maxLength);
}

/** The first field of `obj` that breaks its rule: its name and the problem. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/** Each table as a Map, built once: a client key like `constructor` must not find a rule. */
const RULE_MAPS = new WeakMap<FieldRules, { byName: Map<string, FieldRule>; required: string[] }>();

function mapOf(rules: FieldRules): { byName: Map<string, FieldRule>; required: string[] } {
  let m = RULE_MAPS.get(rules);
  if (!m) {
    const entries = Object.entries(rules);
    m = {
      byName: new Map(entries),
      required: entries.filter(([, r]) => r.required).map(([f]) => f),
    };
    RULE_MAPS.set(rules, m);
  }
  return m;
}

/**
 * The first own field of `obj` (in its key order) that breaks its rule in `rules`, then the first
 * required field it lacks; undefined when everything can be stored. With `otherStrings`, a string
 * under a key without a rule must be well-formed too (a later schema's field may get a text
 * column). It walks the object's own keys, not the table, as it runs for every event at the edge.
 */
export function firstProblem(
  obj: Readonly<Record<string, unknown>>,
  rules: FieldRules,
  otherStrings = false,
): FieldProblem | undefined {
  const { byName, required } = mapOf(rules);
  for (const field of Object.keys(obj)) {
    const v = obj[field];
    const rule = byName.get(field);
    const problem =
      rule !== undefined
        ? ruleProblem(v, rule)
        : otherStrings && typeof v === 'string'
          ? textProblem(v, false)
          : undefined;
    if (problem !== undefined) return { field, problem };
  }
  for (const field of required) {
    if (obj[field] === undefined || !Object.hasOwn(obj, field)) {
      return { field, problem: ruleProblem(undefined, byName.get(field) as FieldRule) as string };
    }
  }
  return undefined;
}

/** The record's own and envelope fields in one table: the record's top level in one pass. */
const TOP_LEVEL_FIELDS: FieldRules = { ...RECORD_FIELDS, ...ENVELOPE_FIELDS };

/**
 * The first field of a record's shared part (record, envelope, geo and edge groups, everything
 * but the events) that breaks its rule, named with its group's path (`geo.city`). The edge runs it
 * on the record it is about to write: the same rules the core reads that part with.
 */
export function sharedProblem(record: Readonly<Record<string, unknown>>): FieldProblem | undefined {
  const p = firstProblem(record, TOP_LEVEL_FIELDS);
  if (p) return p;
  for (const [key, group] of [
    ['geo', STORAGE_RULES.geo],
    ['edge', STORAGE_RULES.edge],
  ] as const) {
    const part = record[key];
    if (typeof part !== 'object' || part === null || Array.isArray(part)) {
      return { field: key, problem: 'must be an object' };
    }
    const p = firstProblem(part as Record<string, unknown>, group.fields);
    if (p) return { field: `${group.path}${p.field}`, problem: p.problem };
  }
  return undefined;
}
