/**
 * fast-check arbitraries walked out of a beacon JSON Schema: for every keyword the schema uses
 * (type, const, enum, pattern, min/maxLength, minimum/maximum, required, properties, allOf/$ref,
 * oneOf, closed objects, min/maxItems) mostly-valid values, mixed with values at and just past
 * each limit, floats where integers are expected, odd number tokens, nulls, missing and unknown
 * keys, duplicate keys and shuffled key order. A keyword it does not know is an error, so a
 * schema change cannot silently leave a field ungenerated.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { J, type JsonNode } from './json-text.js';
import {
  constantArb,
  enumArb,
  mixed,
  numberArb,
  patternArb,
  stringArb,
  VALID_WEIGHT,
  wrongType,
} from './scalar-arbitraries.js';
import { codePoints, wellFormedChar } from './strings.js';

/** A JSON Schema (draft 2020-12) node, as read from the file. */
type Schema = { [keyword: string]: unknown };

/** Keywords that carry no constraint for generation. */
const IGNORED = new Set(['$schema', '$id', 'title', 'description', 'discriminator', '$defs']);

/** Keys a hostile client adds: prototype names, near-misses of real keys, the empty key. */
const ODD_KEYS = fc.constantFrom(
  '__proto__',
  'constructor',
  'toString',
  'Type',
  'id ',
  '',
  'extra',
);

/** A nested value nobody asked for, from a scalar up to nesting past any sane depth. */
const NESTED_JUNK: fc.Arbitrary<JsonNode> = fc.oneof(
  fc.constant(J.null()),
  fc.integer().map((n) => J.num(n)),
  codePoints(wellFormedChar, 0, 8).map((s) => J.str(s)),
  fc.constant(J.obj([['a', J.arr([J.num(1)])]])),
  fc
    .oneof(
      { arbitrary: fc.integer({ min: 2, max: 12 }), weight: 20 },
      { arbitrary: fc.constant(20_000), weight: 1 },
    )
    .map((d) => J.raw(`${'['.repeat(d)}${']'.repeat(d)}`)),
);

/** Builds arbitraries for the definitions of one schema file. */
export class SchemaArbitraries {
  private readonly cache = new Map<string, fc.Arbitrary<JsonNode>>();
  private readonly building = new Set<string>();

  constructor(private readonly root: Schema) {}

  /** The whole document (a batch). */
  document(): fc.Arbitrary<JsonNode> {
    return this.of(this.root);
  }

  /** One `$defs` entry, e.g. `event` or `heartbeat`. */
  def(name: string): fc.Arbitrary<JsonNode> {
    return this.of({ $ref: `#/$defs/${name}` });
  }

  /** The arbitrary for a schema node (valid mostly, hostile sometimes). */
  of(schema: Schema): fc.Arbitrary<JsonNode> {
    if (typeof schema.$ref === 'string') {
      const ref = schema.$ref;
      // Built once per definition: building arbitraries is what costs, not drawing from them.
      let arb = this.cache.get(ref);
      if (!arb) {
        if (this.building.has(ref)) throw new Error(`schema-arbitrary: ${ref} is recursive`);
        this.building.add(ref);
        arb = this.of(this.resolve(ref));
        this.cache.set(ref, arb);
      }
      return arb;
    }
    this.checkKeywords(schema);
    if ('const' in schema) return constantArb(schema.const);
    if (Array.isArray(schema.enum)) return enumArb(schema.enum);
    if (Array.isArray(schema.oneOf)) return this.oneOf(schema.oneOf as Schema[]);
    switch (schema.type) {
      case 'object':
        return this.object(schema);
      case 'array':
        return this.array(schema);
      case 'string':
        return typeof schema.pattern === 'string'
          ? patternArb(schema.pattern)
          : stringArb(num(schema.minLength, 0), num(schema.maxLength, 64));
      case 'integer':
        return numberArb(num(schema.minimum, -1e9), num(schema.maximum, 1e9), true);
      case 'number':
        return numberArb(num(schema.minimum, -1e9), num(schema.maximum, 1e9), false);
      case 'boolean':
        return mixed(fc.boolean().map(J.bool), wrongType('boolean'));
      default:
        throw new Error(
          `schema-arbitrary: no generator for ${JSON.stringify(schema).slice(0, 80)}`,
        );
    }
  }

  private resolve(ref: string): Schema {
    const m = /^#\/\$defs\/([A-Za-z0-9_]+)$/.exec(ref);
    const defs = this.root.$defs as Record<string, Schema> | undefined;
    const target = m ? defs?.[m[1]] : undefined;
    if (!target) throw new Error(`schema-arbitrary: cannot resolve ${ref}`);
    return target;
  }

  private checkKeywords(schema: Schema): void {
    const known = new Set([
      ...IGNORED,
      ...['type', 'const', 'enum', 'oneOf', 'allOf', 'properties', 'required', 'items'],
      ...['additionalProperties', 'unevaluatedProperties', 'minItems', 'maxItems'],
      ...['minLength', 'maxLength', 'pattern', 'minimum', 'maximum'],
    ]);
    for (const k of Object.keys(schema))
      if (!known.has(k)) throw new Error(`schema-arbitrary: keyword ${k} is not generated`);
  }

  private oneOf(variants: Schema[]): fc.Arbitrary<JsonNode> {
    return mixed(
      fc.oneof(...variants.map((v) => this.of(v))),
      this.object({ type: 'object', properties: { type: { type: 'string' } }, required: ['type'] }),
      wrongType('object'),
    );
  }

  /** Properties and required keys of an object schema and everything it `allOf`s. */
  private shape(schema: Schema): { props: Map<string, Schema>; required: Set<string> } {
    const props = new Map<string, Schema>();
    const required = new Set<string>();
    const add = (s: Schema): void => {
      for (const part of (s.allOf as Schema[] | undefined) ?? [])
        add(typeof part.$ref === 'string' ? this.resolve(part.$ref) : part);
      for (const [k, v] of Object.entries((s.properties as Record<string, Schema>) ?? {}))
        props.set(k, { ...props.get(k), ...v });
      for (const r of (s.required as string[] | undefined) ?? []) required.add(r);
    };
    add(schema);
    return { props, required };
  }

  private object(schema: Schema): fc.Arbitrary<JsonNode> {
    const { props, required } = this.shape(schema);
    const fields = [...props].map(([key, s]) => {
      const value = this.of(s);
      const present = value.map((v): [string, JsonNode][] => [[key, v]]);
      const odd = fc.oneof(
        fc.constant<[string, JsonNode][]>([]),
        fc.constant<[string, JsonNode][]>([[key, J.null()]]),
        // A duplicate key: JSON.parse keeps the last, so the first may be anything.
        fc.tuple(value, value).map(([a, b]): [string, JsonNode][] => [
          [key, a],
          [key, b],
        ]),
      );
      const absent = fc.constant<[string, JsonNode][]>([]);
      return required.has(key)
        ? mixed(present, odd)
        : fc.oneof(
            { arbitrary: present, weight: 3 },
            { arbitrary: absent, weight: 2 },
            { arbitrary: odd, weight: 1 },
          );
    });
    const extra = fc.oneof(
      { arbitrary: fc.constant<[string, JsonNode][]>([]), weight: VALID_WEIGHT },
      {
        arbitrary: fc.array(
          fc.tuple(fc.oneof(ODD_KEYS, codePoints(wellFormedChar, 1, 6)), NESTED_JUNK),
          { minLength: 1, maxLength: 2 },
        ),
        weight: 1,
      },
    );
    return fc
      .tuple(fc.tuple(...fields), extra, fc.integer({ min: 0, max: 9 }))
      .chain(([parts, more, order]) => {
        const entries = [...parts.flat(), ...more];
        // Key order is free in JSON, and so is escaping a key: one object in ten of each.
        const obj = (es: [string, JsonNode][]) => {
          const node = J.obj(es);
          if (order === 1 && node.k === 'obj') for (const [k] of node.entries) k.esc = 'all';
          return node;
        };
        if (order > 0) return fc.constant(obj(entries));
        return fc
          .shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length })
          .map(obj);
      });
  }

  private array(schema: Schema): fc.Arbitrary<JsonNode> {
    const item = this.of((schema.items as Schema | undefined) ?? {});
    const min = (schema.minItems as number | undefined) ?? 0;
    const max = (schema.maxItems as number | undefined) ?? 1000;
    const few = fc.array(item, { minLength: Math.max(min, 1), maxLength: Math.min(max, 6) });
    // Past the limit by repeating a few items: cheap to generate, as a flood would be.
    const repeated = (n: number) =>
      fc
        .array(item, { minLength: 1, maxLength: 3 })
        .map((xs) => J.arr(Array.from({ length: n }, (_, i) => xs[i % xs.length])));
    return fc.oneof(
      { arbitrary: few.map(J.arr), weight: VALID_WEIGHT * 2 },
      { arbitrary: repeated(max), weight: 1 },
      { arbitrary: repeated(max + 1), weight: 1 },
      { arbitrary: fc.constant(J.arr([])), weight: min > 0 ? 1 : 0 },
      { arbitrary: wrongType('array'), weight: 1 },
    );
  }
}

/** A numeric keyword, or its default. */
function num(v: unknown, otherwise: number): number {
  return typeof v === 'number' ? v : otherwise;
}

/**
 * The arbitraries of `schemas/beacon/<version>.json` (default: the current version), read at run
 * time so what is walked is the file the validators are built from. Resolved from this module's
 * URL: the fuzz bundle sits one folder below the repository root (dist/fuzz.mjs), like this file.
 */
export function beaconArbitraries(version = '1-0-0'): SchemaArbitraries {
  const url = new URL(`../schemas/beacon/${version}.json`, import.meta.url);
  return new SchemaArbitraries(JSON.parse(readFileSync(url, 'utf8')));
}
