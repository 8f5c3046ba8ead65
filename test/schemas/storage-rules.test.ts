/**
 * The per-field storage rules: they cover every field the schema lets a client send, and the
 * checks built on them find the first value the store cannot keep.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSIONS } from '../../schemas/versions.js';
import { EVENT_TYPES, SESSION_END_REASONS } from '../../schemas/events.js';
import { LIMITS } from '../../schemas/limits.js';
import {
  ENVELOPE_FIELDS,
  EVENT_FIELDS,
  firstProblem,
  ruleProblem,
  sharedProblem,
  STORAGE_RULES,
  type FieldRules,
} from '../../schemas/storage-rules.js';
import { INT32_MAX, INT32_MIN, MAX_TIME_MS, type StorageKind } from '../../schemas/storable.js';
import { enrichedRecord } from '../helpers/records.js';

interface PropertySchema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
}

interface JsonSchema {
  $defs: Record<string, { properties?: Record<string, PropertySchema> }>;
}

/**
 * Does every value the property's schema accepts fit the column kind? A number must be bounded
 * inside the kind's range (an integer where the kind is whole); text must be a string.
 */
function fitsKind(p: PropertySchema, kind: StorageKind): boolean {
  const strings = (p.enum ?? (p.const === undefined ? [] : [p.const])).every(
    (v) => typeof v === 'string',
  );
  if (kind === 'text')
    return (
      p.type === 'string' ||
      (p.type === undefined && strings && (p.enum !== undefined || p.const !== undefined))
    );
  if (kind === 'boolean') return p.type === 'boolean';
  const min = p.minimum ?? p.exclusiveMinimum;
  const max = p.maximum;
  if (min === undefined || max === undefined || !Number.isFinite(min) || !Number.isFinite(max))
    return false;
  const whole = p.type === 'integer';
  if (kind === 'double') return p.type === 'number' || whole;
  const [lo, hi] = {
    int32: [INT32_MIN, INT32_MAX],
    bigint: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    time: [0, MAX_TIME_MS],
  }[kind];
  return whole && min >= lo && max <= hi;
}

/** Code points, as JSON Schema's maxLength counts them. */
const codePoints = (s: string) => [...s].length;

/**
 * The most code points a string the property accepts can have: its maxLength, its longest
 * const/enum value, or the upper bound of an anchored one-class pattern (`^[A-Za-z0-9_-]{8,64}$`);
 * Infinity when the property alone does not bound it.
 */
function longestString(p: PropertySchema): number {
  const values = p.enum ?? (p.const === undefined ? undefined : [p.const]);
  const bounds = [Number.POSITIVE_INFINITY];
  if (values)
    bounds.push(Math.max(...values.map((v) => (typeof v === 'string' ? codePoints(v) : 0))));
  if (p.maxLength !== undefined) bounds.push(p.maxLength);
  const m = p.pattern === undefined ? null : /^\^\[[^\]]+\]\{\d+,(\d+)\}\$$/.exec(p.pattern);
  if (m) bounds.push(Number(m[1]));
  return Math.min(...bounds);
}

/**
 * Every text property of the schema whose longest accepted string is longer than its rule's
 * maximum. An event is its type's definition and `common` together (allOf), so an event
 * property's bound is the tighter of the two: `common.type` is any string, each type pins it.
 */
function lengthMisfits($defs: JsonSchema['$defs']): string[] {
  const misfits: string[] = [];
  const check = (name: string, props: Record<string, PropertySchema>, rules: FieldRules) => {
    for (const [key, prop] of Object.entries(props)) {
      const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
      if (rule?.kind !== 'text') continue;
      const longest = longestString(prop);
      if (longest > rule.maxLength) misfits.push(`${name}.${key}: ${longest} > ${rule.maxLength}`);
    }
  };
  check('envelope', $defs.envelope.properties ?? {}, ENVELOPE_FIELDS);
  const common = $defs.common.properties ?? {};
  for (const [name, def] of Object.entries($defs)) {
    if (name === 'envelope' || name === 'common' || name === 'event') continue;
    const own = def.properties ?? {};
    const merged: Record<string, PropertySchema> = {};
    for (const key of new Set([...Object.keys(common), ...Object.keys(own)])) {
      const bound = Math.min(longestString(common[key] ?? {}), longestString(own[key] ?? {}));
      merged[key] = Number.isFinite(bound) ? { maxLength: bound } : {};
    }
    check(name, merged, EVENT_FIELDS);
  }
  return misfits;
}

function schemaOf(version: string): JsonSchema {
  const url = new URL(`../../schemas/beacon/${version}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as JsonSchema;
}

describe.each(SCHEMA_VERSIONS)('schema %s', (version) => {
  const { $defs } = schemaOf(version);

  it('every event property of every event type has a storage rule', () => {
    const props = new Set<string>();
    for (const [name, def] of Object.entries($defs)) {
      if (name === 'envelope' || name === 'event') continue;
      for (const key of Object.keys(def.properties ?? {})) props.add(key);
    }
    expect([...props].filter((p) => !Object.hasOwn(EVENT_FIELDS, p))).toStrictEqual([]);
  });

  // Why the edge does not check event numbers again after the schema: every number the schema
  // accepts already fits its column. Loosen a bound past the column and this fails.
  it('every event and envelope property the schema accepts fits the column kind of its rule', () => {
    const misfits: string[] = [];
    for (const [name, def] of Object.entries($defs)) {
      const rules: FieldRules = name === 'envelope' ? ENVELOPE_FIELDS : EVENT_FIELDS;
      for (const [key, prop] of Object.entries(def.properties ?? {})) {
        const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
        if (rule && !fitsKind(prop, rule.kind)) misfits.push(`${name}.${key}`);
      }
    }
    expect(misfits).toStrictEqual([]);
  });

  // Why the edge needs no length check of its own: every string the schema accepts is no longer
  // than its rule allows, so the core never refuses (or cuts) a string the edge acknowledged.
  it("no string the schema accepts is longer than its rule's maximum", () => {
    expect(lengthMisfits($defs)).toStrictEqual([]);
  });

  it('a loosened or missing string bound in the schema fails the length check', () => {
    const loosen = (edit: (d: JsonSchema['$defs']) => void) => {
      const copy = structuredClone($defs);
      edit(copy);
      return lengthMisfits(copy);
    };
    const maxCode = EVENT_FIELDS.code.maxLength;
    expect(
      loosen((d) => {
        d.error.properties!.code.maxLength = maxCode + 1;
      }),
    ).toStrictEqual([`error.code: ${maxCode + 1} > ${maxCode}`]);
    expect(
      loosen((d) => {
        delete d.envelope.properties!.content_id.maxLength;
      }),
    ).toStrictEqual([`envelope.content_id: Infinity > ${ENVELOPE_FIELDS.content_id.maxLength}`]);
    expect(
      loosen((d) => {
        d.envelope.properties!.session_id.pattern = '^[A-Za-z0-9_-]{8,65}$';
      }),
    ).toStrictEqual([`envelope.session_id: 65 > ${ENVELOPE_FIELDS.session_id.maxLength}`]);
    expect(
      loosen((d) => {
        d.session_end.properties!.reason.enum!.push('r'.repeat(EVENT_FIELDS.reason.maxLength + 1));
      }),
    ).toHaveLength(1);
    expect(
      loosen((d) => {
        delete d.paused.properties!.type.const;
      }),
    ).toStrictEqual([`paused.type: Infinity > ${EVENT_FIELDS.type.maxLength}`]);
  });

  it('every envelope property the record keeps has a storage rule', () => {
    expect(keptEnvelope(version).filter((p) => !Object.hasOwn(ENVELOPE_FIELDS, p))).toStrictEqual(
      [],
    );
  });
});

/** The envelope properties of a version that the record keeps (`sent_at` becomes skew_ms). */
function keptEnvelope(version: string): string[] {
  return Object.keys(schemaOf(version).$defs.envelope.properties ?? {}).filter(
    (p) => p !== 'sent_at' && p !== 'events',
  );
}

describe('the rules of every version together', () => {
  it('are exactly the envelope properties of the versions, and the event properties of the versions', () => {
    const envelope = new Set(SCHEMA_VERSIONS.flatMap(keptEnvelope));
    expect([...envelope].sort()).toStrictEqual(Object.keys(ENVELOPE_FIELDS).sort());
    const event = new Set(['time']);
    for (const version of SCHEMA_VERSIONS) {
      for (const [name, def] of Object.entries(schemaOf(version).$defs)) {
        if (name === 'envelope' || name === 'event') continue;
        for (const key of Object.keys(def.properties ?? {})) event.add(key);
      }
    }
    expect([...event].sort()).toStrictEqual(Object.keys(EVENT_FIELDS).sort());
  });
});

describe('ruleProblem', () => {
  it('lets an optional field be absent or null, never a required one', () => {
    expect(ruleProblem(undefined, EVENT_FIELDS.code)).toBeUndefined();
    expect(ruleProblem(null, EVENT_FIELDS.width)).toBeUndefined();
    expect(ruleProblem(undefined, EVENT_FIELDS.id)).toBe('must be a non-empty string');
    expect(ruleProblem(null, EVENT_FIELDS.seq)).toBe('must be a 32-bit integer');
  });

  it('refuses a string longer than its rule, in code points', () => {
    const max = ENVELOPE_FIELDS.content_id.maxLength;
    expect(ruleProblem('😀'.repeat(max), ENVELOPE_FIELDS.content_id)).toBeUndefined();
    expect(ruleProblem('a'.repeat(max + 1), ENVELOPE_FIELDS.content_id)).toBe(
      `must be at most ${max} characters`,
    );
    expect(ruleProblem('E'.repeat(1000), EVENT_FIELDS.code)).toBe(
      `must be at most ${LIMITS.maxLength.error_code} characters`,
    );
  });

  it('bounds every text field, with the limits of schemas/limits.ts', () => {
    const maxima = Object.fromEntries(
      Object.values(STORAGE_RULES).flatMap((g) =>
        Object.entries(g.fields as FieldRules)
          .filter(([, r]) => r.kind === 'text')
          .map(([f, r]) => [`${g.path}${f}`, r.maxLength]),
      ),
    );
    const M = LIMITS.maxLength;
    const H = LIMITS.maxHeaderValueChars;
    const N = LIMITS.maxNameLength;
    expect(maxima).toStrictEqual({
      schema_version: N,
      session_id: LIMITS.maxIdLength,
      viewer_id: LIMITS.maxViewerIdLength,
      content_id: M.content_id,
      sdk_name: M.sdk_name,
      sdk_version: M.sdk_version,
      player_name: M.player_name,
      player_version: M.player_version,
      drm_system: N,
      audio_language: M.language,
      subtitle_language: M.language,
      ...Object.fromEntries(
        ['country', 'region', 'city', 'time_zone', 'asn'].map((f) => [`geo.${f}`, H]),
      ),
      ...Object.fromEntries(
        ['pop', 'edge_region', 'serving_region', 'stream_region', 'request_id', 'device', 'os'].map(
          (f) => [`edge.${f}`, H],
        ),
      ),
      'events[i].id': LIMITS.maxIdLength,
      'events[i].type': N,
      'events[i].code': M.error_code,
      'events[i].message': M.error_message,
      'events[i].reason': N,
    });
    const names = [...EVENT_TYPES, ...SESSION_END_REASONS, ...SCHEMA_VERSIONS];
    expect(names.filter((n) => [...n].length > N)).toStrictEqual([]);
  });

  it('refuses an empty required string but keeps an empty optional one', () => {
    expect(ruleProblem('', ENVELOPE_FIELDS.content_id)).toBe('must be a non-empty string');
    expect(ruleProblem('', EVENT_FIELDS.message)).toBeUndefined();
  });
});

describe('firstProblem', () => {
  it("names the first field, in the object's key order, that breaks its rule", () => {
    const event = {
      id: 'evt-00000001',
      type: 'error',
      seq: 1.5,
      ts: 0,
      playhead: 0,
      code: '\uD800',
    };
    expect(firstProblem(event, EVENT_FIELDS)).toStrictEqual({
      field: 'seq',
      problem: 'must be a 32-bit integer',
    });
  });

  it('names a missing required field after the fields present, and ignores inherited names', () => {
    const event = JSON.parse(
      '{"id":"evt-00000001","type":"x","ts":0,"playhead":0,"constructor":1}',
    );
    expect(firstProblem(event, EVENT_FIELDS)).toStrictEqual({
      field: 'seq',
      problem: 'must be a 32-bit integer',
    });
  });

  it('checks strings under keys without a rule only when asked', () => {
    const event = { id: 'evt-00000001', type: 'x', seq: 1, ts: 0, playhead: 0, later: 'a\uDC00' };
    expect(firstProblem(event, EVENT_FIELDS)).toBeUndefined();
    expect(firstProblem(event, EVENT_FIELDS, true)).toStrictEqual({
      field: 'later',
      problem: 'must be well-formed Unicode',
    });
  });
});

describe('sharedProblem', () => {
  it('finds nothing in a record the edge writes', () => {
    expect(sharedProblem(rec())).toBeUndefined();
  });

  it('names the group path of a geo or edge field', () => {
    expect(sharedProblem(rec({ geo: { city: 'a\uD800' } }))).toStrictEqual({
      field: 'geo.city',
      problem: 'must be well-formed Unicode',
    });
    const r = rec();
    (r.edge as Record<string, unknown>).request_id = '';
    expect(sharedProblem(r)).toStrictEqual({
      field: 'edge.request_id',
      problem: 'must be a non-empty string',
    });
  });

  it('checks the record fields and the envelope', () => {
    expect(sharedProblem(rec({ skew_ms: 2 ** 60 }))?.field).toBe('skew_ms');
    expect(sharedProblem(rec({ player_name: '\uDC00' }))?.field).toBe('player_name');
    expect(sharedProblem({ ...rec(), edge: null })).toStrictEqual({
      field: 'edge',
      problem: 'must be an object',
    });
  });

  it('covers every group but the events, whose rules the edge applies event by event', () => {
    expect(Object.keys(STORAGE_RULES)).toStrictEqual([
      'record',
      'envelope',
      'geo',
      'edge',
      'event',
    ]);
    expect(STORAGE_RULES.event.onEdge).toBe('refuse_event');
  });
});

function rec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...enrichedRecord(), ...overrides } as unknown as Record<string, unknown>;
}
