/**
 * The per-field storage rules: they cover every field the schema lets a client send, and the
 * checks built on them find the first value the store cannot keep.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSIONS } from '../../schemas/versions.js';
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
  maximum?: number;
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
  const { minimum: min, maximum: max } = p;
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

  it('every envelope property the record keeps has a storage rule', () => {
    const kept = Object.keys($defs.envelope.properties ?? {}).filter(
      (p) => p !== 'sent_at' && p !== 'events',
    );
    expect(kept.sort()).toStrictEqual(Object.keys(ENVELOPE_FIELDS).sort());
  });
});

describe('ruleProblem', () => {
  it('lets an optional field be absent or null, never a required one', () => {
    expect(ruleProblem(undefined, EVENT_FIELDS.code)).toBeUndefined();
    expect(ruleProblem(null, EVENT_FIELDS.width)).toBeUndefined();
    expect(ruleProblem(undefined, EVENT_FIELDS.id)).toBe('must be a non-empty string');
    expect(ruleProblem(null, EVENT_FIELDS.seq)).toBe('must be a 32-bit integer');
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
