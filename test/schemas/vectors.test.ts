// Runs every schema test vector (schemas/beacon/<version>/examples, format in schemas/README.md)
// through the generated standalone validators, the same code the edge runs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { batchValidators } from '../../schemas/generated/batch.js';
import { validators } from '../../schemas/generated/index.js';
import type { ValidationError, VersionValidators } from '../../schemas/generated/index.js';
import { EVENT_TYPES, SCHEMA_VERSIONS } from '../../schemas/index.js';

const schemaDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../schemas/beacon',
);

/** What an invalid vector must produce: the first (only) ajv error and the edge's reason code. */
interface Expectation {
  validator: keyof VersionValidators;
  keyword: string;
  instancePath: string;
  reason: string;
  params?: Record<string, unknown>;
}
interface InvalidVector {
  description: string;
  expect: Expectation;
  data: unknown;
}

/** The first version: the full set of bad-input classes is tested on it. */
const FIRST = SCHEMA_VERSIONS[0];

const EDGE_REASONS = [
  'invalid_event',
  'invalid_envelope',
  'unknown_schema_version',
  'too_many_events',
];

function load(version: string, kind: 'valid' | 'invalid'): [string, unknown][] {
  const dir = path.join(schemaDir, version, 'examples', kind);
  return (
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      // JSON.parse, not import: `__proto__` keys must stay own properties, as at the edge.
      .map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))])
  );
}

function firstError(fn: { errors?: ValidationError[] | null }): ValidationError {
  expect(fn.errors).toHaveLength(1);
  return fn.errors![0];
}

describe.each(SCHEMA_VERSIONS.map((v) => [v]))('schema %s test vectors', (version) => {
  const v = { ...validators[version], batch: batchValidators[version] };
  const valid = load(version, 'valid');
  const invalid = load(version, 'invalid') as [string, InvalidVector][];

  it('has validators generated for the version', () => {
    expect(Object.keys(validators[version]).sort()).toStrictEqual(['envelope', 'event']);
    expect(typeof batchValidators[version]).toBe('function');
  });

  it('names every valid vector batch-* or event-*', () => {
    expect(valid.length).toBeGreaterThan(0);
    for (const [file] of valid) expect(file).toMatch(/^(batch|event)-[a-z0-9-]+\.json$/);
  });

  it.each(valid.filter(([f]) => f.startsWith('batch-')))(
    'valid batch %s passes batch, envelope and each event',
    (_f, data) => {
      const ok = v.batch(data);
      expect(v.batch.errors ?? null).toBeNull();
      expect(ok).toBe(true);
      expect(v.envelope(data)).toBe(true);
      for (const ev of (data as { events: unknown[] }).events)
        expect(v.event(ev), JSON.stringify(ev)).toBe(true);
    },
  );

  it.each(valid.filter(([f]) => f.startsWith('event-')))('valid event %s passes', (_f, data) => {
    const ok = v.event(data);
    expect(v.event.errors ?? null).toBeNull();
    expect(ok).toBe(true);
  });

  it('has a valid example of every event type, alone or in a batch', () => {
    const types = new Set(
      valid.flatMap(([f, d]) =>
        (f.startsWith('event-') ? [d] : (d as { events: unknown[] }).events).map(
          (e) => (e as { type: string }).type,
        ),
      ),
    );
    expect([...types].sort()).toStrictEqual([...EVENT_TYPES].sort());
  });

  it.runIf(version === FIRST)('has a valid single-event example of every event type', () => {
    const types = new Set(
      valid.filter(([f]) => f.startsWith('event-')).map(([, d]) => (d as { type: string }).type),
    );
    expect([...types].sort()).toStrictEqual([...EVENT_TYPES].sort());
  });

  it.each(invalid)('invalid %s fails as expected', (_f, vector) => {
    expect(Object.keys(vector).sort()).toStrictEqual(['data', 'description', 'expect']);
    const { validator, keyword, instancePath, reason, params } = vector.expect;
    expect(EDGE_REASONS).toContain(reason);
    const fn = v[validator];
    expect(fn(vector.data)).toBe(false);
    const err = firstError(fn);
    expect({ keyword: err.keyword, instancePath: err.instancePath }).toStrictEqual({
      keyword,
      instancePath,
    });
    if (params) expect(err.params).toStrictEqual(params);
  });

  // The edge validates the envelope, then events one by one: an invalid event must fail the
  // whole-batch validator at the same place, and must not fail the envelope validator.
  it.each(invalid.filter(([, vec]) => vec.expect.validator === 'event'))(
    'invalid event %s fails the batch validator at /events/1 and passes the envelope',
    (_f, vector) => {
      const [good] = (
        valid.find(([f]) => f === 'batch-full-session.json')![1] as { events: unknown[] }
      ).events;
      const batch = {
        ...(valid.find(([f]) => f === 'batch-full-session.json')![1] as object),
        events: [good, vector.data],
      };
      expect(v.envelope(batch)).toBe(true);
      expect(v.batch(batch)).toBe(false);
      const err = firstError(v.batch);
      expect(err.keyword).toBe(vector.expect.keyword);
      expect(err.instancePath).toBe(`/events/1${vector.expect.instancePath}`);
    },
  );

  it.runIf(version === FIRST)('covers the bad-input classes the product promises to reject', () => {
    const keywords = new Set(invalid.map(([, vec]) => vec.expect.keyword));
    for (const k of [
      'required',
      'type',
      'unevaluatedProperties',
      'additionalProperties',
      'minimum',
      'maxLength',
      'pattern',
      'discriminator',
      'const',
      'maxItems',
    ]) {
      expect(keywords, k).toContain(k);
    }
    const protoKeys = invalid.flatMap(([, vec]) => Object.values(vec.expect.params ?? {}));
    expect(protoKeys).toContain('__proto__');
    expect(protoKeys).toContain('constructor');
  });

  // A later version is tested on what it changed: every field it adds or renames has an invalid
  // example naming it, and every name it retires has one showing it refused.
  it.runIf(version !== FIRST)(
    'has an invalid example for every field it adds and every field name it retires',
    () => {
      const previous = SCHEMA_VERSIONS[SCHEMA_VERSIONS.indexOf(version) - 1];
      const now = fieldsOf(version);
      const before = fieldsOf(previous);
      const named = new Set(
        invalid.flatMap(([, vec]) => [
          vec.expect.instancePath.split('/').pop() ?? '',
          ...Object.values(vec.expect.params ?? {}).map(String),
        ]),
      );
      const added = [...now].filter((f) => !before.has(f)).map((f) => f.split('.')[1]);
      const retired = [...before].filter((f) => !now.has(f)).map((f) => f.split('.')[1]);
      expect(added.length + retired.length).toBeGreaterThan(0);
      expect([...new Set([...added, ...retired])].filter((f) => !named.has(f))).toStrictEqual([]);
    },
  );
});

/** `<definition>.<property>` of every property of a schema version. */
function fieldsOf(version: string): Set<string> {
  const schema = JSON.parse(fs.readFileSync(path.join(schemaDir, `${version}.json`), 'utf8')) as {
    $defs: Record<string, { properties?: Record<string, unknown> }>;
  };
  const out = new Set<string>();
  for (const [def, node] of Object.entries(schema.$defs)) {
    for (const key of Object.keys(node.properties ?? {})) {
      if (!(def === 'envelope' && key === 'schema_version')) out.add(`${def}.${key}`);
    }
  }
  return out;
}
