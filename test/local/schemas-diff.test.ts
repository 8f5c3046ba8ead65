/**
 * The structural diff and its SchemaVer rating: each keyword rule on a small schema (and the
 * claim behind each rating checked with ajv: an "addition" keeps every instance valid, a
 * "revision" refuses some, a "model" refuses all), then the real files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { diffSchemas, type Impact, overallImpact } from '../../local/schemas-diff.js';

const dir = path.resolve(import.meta.dirname, '../../schemas/beacon');
const read = (v: string) => JSON.parse(fs.readFileSync(path.join(dir, `${v}.json`), 'utf8'));

/** A closed object schema with `props`, of which `required` are required. */
function closed(props: Record<string, unknown>, required: string[] = [], extra = {}) {
  return { type: 'object', properties: props, required, additionalProperties: false, ...extra };
}

/** Whether each instance passes `schema`. */
function passes(schema: object, instances: unknown[]): boolean[] {
  const validate = new Ajv2020({ strict: false }).compile(schema);
  return instances.map((i) => validate(i));
}

const cases: [string, object, object, Impact, unknown[]][] = [
  [
    'optional property added to a closed object',
    closed({ a: { type: 'integer' } }, ['a']),
    closed({ a: { type: 'integer' }, b: { type: 'string' } }, ['a']),
    'addition',
    [{ a: 1 }, { a: 2 }],
  ],
  [
    'property added to an open object (old instances may carry it in another shape)',
    { type: 'object', properties: { a: { type: 'integer' } } },
    { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'string' } } },
    'revision',
    [{ a: 1 }, { a: 1, b: 5 }],
  ],
  [
    'optional property removed from a closed object',
    closed({ a: { type: 'integer' }, b: { type: 'string' } }, ['a']),
    closed({ a: { type: 'integer' } }, ['a']),
    'revision',
    [{ a: 1 }, { a: 1, b: 'x' }],
  ],
  [
    'required property renamed',
    closed({ a: { type: 'integer' } }, ['a']),
    closed({ a2: { type: 'integer' } }, ['a2']),
    'model',
    [{ a: 1 }, { a: 2 }],
  ],
  [
    'new required property',
    closed({ a: { type: 'integer' } }, ['a']),
    closed({ a: { type: 'integer' }, b: { type: 'integer' } }, ['a', 'b']),
    'model',
    [{ a: 1 }],
  ],
  [
    'optional property made required',
    closed({ a: { type: 'integer' }, b: { type: 'integer' } }, ['a']),
    closed({ a: { type: 'integer' }, b: { type: 'integer' } }, ['a', 'b']),
    'revision',
    [{ a: 1 }, { a: 1, b: 2 }],
  ],
  [
    'required dropped',
    closed({ a: { type: 'integer' } }, ['a']),
    closed({ a: { type: 'integer' } }, []),
    'addition',
    [{ a: 1 }],
  ],
  [
    'integer widened to number',
    closed({ a: { type: 'integer' } }, ['a']),
    closed({ a: { type: 'number' } }, ['a']),
    'addition',
    [{ a: 1 }],
  ],
  [
    'number narrowed to integer',
    closed({ a: { type: 'number' } }, ['a']),
    closed({ a: { type: 'integer' } }, ['a']),
    'revision',
    [{ a: 1 }, { a: 1.5 }],
  ],
  [
    "a required property's type replaced",
    closed({ a: { type: 'string' } }, ['a']),
    closed({ a: { type: 'integer' } }, ['a']),
    'model',
    [{ a: 'x' }],
  ],
  [
    'enum value added',
    closed({ a: { enum: ['x', 'y'] } }),
    closed({ a: { enum: ['x', 'y', 'z'] } }),
    'addition',
    [{ a: 'x' }, { a: 'y' }, {}],
  ],
  [
    'enum value removed',
    closed({ a: { enum: ['x', 'y'] } }),
    closed({ a: { enum: ['x'] } }),
    'revision',
    [{ a: 'x' }, { a: 'y' }],
  ],
  [
    'maximum relaxed, minLength relaxed',
    closed({ a: { type: 'integer', maximum: 10 }, s: { type: 'string', minLength: 3 } }),
    closed({ a: { type: 'integer', maximum: 20 }, s: { type: 'string', minLength: 1 } }),
    'addition',
    [{ a: 10, s: 'abc' }],
  ],
  [
    'maximum narrowed',
    closed({ a: { type: 'integer', maximum: 20 } }),
    closed({ a: { type: 'integer', maximum: 10 } }),
    'revision',
    [{ a: 5 }, { a: 15 }],
  ],
  [
    'pattern added',
    closed({ a: { type: 'string' } }),
    closed({ a: { type: 'string', pattern: '^x' } }),
    'revision',
    [{ a: 'xa' }, { a: 'b' }],
  ],
  [
    'pattern dropped',
    closed({ a: { type: 'string', pattern: '^x' } }),
    closed({ a: { type: 'string' } }),
    'addition',
    [{ a: 'xa' }],
  ],
  [
    'additionalProperties: false dropped',
    closed({ a: { type: 'integer' } }),
    { type: 'object', properties: { a: { type: 'integer' } }, required: [] },
    'addition',
    [{ a: 1 }],
  ],
  [
    'oneOf alternative added',
    { oneOf: [{ $ref: '#/$defs/x' }], $defs: { x: { const: 1 }, y: { const: 2 } } },
    {
      oneOf: [{ $ref: '#/$defs/x' }, { $ref: '#/$defs/y' }],
      $defs: { x: { const: 1 }, y: { const: 2 } },
    },
    'addition',
    [1],
  ],
  [
    'allOf constraint added',
    { allOf: [{ type: 'integer' }] },
    { allOf: [{ type: 'integer' }, { minimum: 5 }] },
    'revision',
    [7, 1],
  ],
  [
    'descriptions only',
    closed({ a: { type: 'integer', description: 'one' } }, [], { title: 'T' }),
    closed({ a: { type: 'integer', description: 'two' } }, [], { title: 'U' }),
    'annotation',
    [{ a: 1 }],
  ],
];

describe('diffSchemas ratings', () => {
  it.each(cases)('%s', (_name, before, after, impact, oldInstances) => {
    const changes = diffSchemas(before, after);
    expect(overallImpact(changes)).toBe(impact);
    // The rating's claim, checked: every instance valid before is (addition) / some are not
    // (revision) / none is (model) valid after.
    const before_ = passes(before, oldInstances);
    expect(before_.every(Boolean)).toBe(true);
    const after_ = passes(after, oldInstances);
    if (impact === 'addition' || impact === 'annotation') expect(after_.every(Boolean)).toBe(true);
    if (impact === 'revision') expect(after_.some((ok) => !ok)).toBe(true);
    if (impact === 'model') expect(after_.some(Boolean)).toBe(false);
  });

  it('treats a keyword it does not know as breaking', () => {
    const changes = diffSchemas({ type: 'string' }, { type: 'string', contentEncoding: 'base64' });
    expect(changes).toStrictEqual([
      {
        path: '/contentEncoding',
        op: 'added',
        impact: 'revision',
        detail:
          'contentEncoding absent → "base64": cannot prove every instance valid before still passes',
      },
    ]);
  });

  it('names a likely rename and ignores the version stamp', () => {
    const stampOf = (v: string) => ({
      ...closed({ schema_version: { const: v }, a: { type: 'integer' } }, ['a']),
    });
    const renamed = {
      ...closed({ schema_version: { const: '2-0-0' }, b: { type: 'integer' } }, ['b']),
    };
    expect(
      diffSchemas(stampOf('1-0-0'), stampOf('1-0-1'), {
        stamp: { before: '1-0-0', after: '1-0-1' },
      }),
    ).toStrictEqual([
      {
        path: '/properties/schema_version/const',
        op: 'changed',
        impact: 'annotation',
        detail: 'the version stamp "1-0-0" → "1-0-1"',
      },
    ]);
    const changes = diffSchemas(stampOf('1-0-0'), renamed, {
      stamp: { before: '1-0-0', after: '2-0-0' },
    });
    expect(changes.map((c) => `${c.impact} ${c.op} ${c.path}: ${c.detail}`)).toStrictEqual([
      'annotation changed /properties/schema_version/const: the version stamp "1-0-0" → "2-0-0"',
      'model removed /properties/a: required property a removed: every instance carried it and is now refused (renamed to b?)',
      'addition added /properties/b: required property b added where no other property was allowed (renamed from a?)',
      'model added /required/b: new required property b: no instance valid before has it',
      'addition removed /required/a: a is no longer required',
    ]);
  });
});

describe('diffSchemas on the released files', () => {
  const diff = (a: string, b: string) =>
    diffSchemas(read(a), read(b), { stamp: { before: a, after: b } });

  it('1-0-0 → 1-1-0 is an addition: seven optional properties in closed objects', () => {
    const changes = diff('1-0-0', '1-1-0');
    expect(overallImpact(changes)).toBe('addition');
    expect(changes.filter((c) => c.impact === 'addition').map((c) => c.path)).toStrictEqual([
      '/$defs/envelope/properties/drm_system',
      '/$defs/envelope/properties/audio_language',
      '/$defs/envelope/properties/subtitle_language',
      '/$defs/variant_loaded/properties/frame_rate',
      '/$defs/bitrate_changed/properties/frame_rate',
      '/$defs/heartbeat/properties/throughput_kbps',
      '/$defs/heartbeat/properties/buffer_ms',
    ]);
  });

  it('1-1-0 → 2-0-0 is a model change: the renamed counters', () => {
    const changes = diff('1-1-0', '2-0-0');
    expect(overallImpact(changes)).toBe('model');
    expect(
      changes
        .filter((c) => c.impact === 'model' || c.impact === 'revision')
        .map((c) => `${c.impact} ${c.path}`),
    ).toStrictEqual([
      'model /$defs/heartbeat/properties/stall_ms',
      'revision /$defs/heartbeat/properties/bitrate',
      'model /$defs/heartbeat/required/stall_total_ms',
      'model /$defs/session_end/properties/stall_ms',
      'model /$defs/session_end/required/stall_total_ms',
    ]);
  });

  it('a version compared with itself has no changes', () => {
    expect(diff('2-0-0', '2-0-0')).toStrictEqual([]);
  });
});
