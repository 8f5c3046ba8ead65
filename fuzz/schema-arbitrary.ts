/**
 * fast-check arbitraries walked out of a beacon JSON Schema: for every keyword the schema uses
 * (type, const, enum, pattern, min/maxLength, minimum/maximum, required, properties, allOf/$ref,
 * oneOf, closed objects, min/maxItems) mostly-valid values, mixed with values at and just past
 * each limit, floats where integers are expected, odd number tokens, nulls, missing and unknown
 * keys, duplicate keys and shuffled key order. A keyword it does not know is an error, so a
 * schema change cannot silently leave a field ungenerated.
 */
import fc from 'fast-check';
import { type Escape, J, type JsonNode } from './json-text.js';
import { anyChar, codePoints, textWithin, wellFormedChar } from './strings.js';

/** A JSON Schema (draft 2020-12) node, as read from the file. */
type Schema = { [keyword: string]: unknown };

/** Keywords that carry no constraint for generation. */
const IGNORED = new Set(['$schema', '$id', 'title', 'description', 'discriminator', '$defs']);

/** Odds of a valid value against one hostile value, per field. */
const VALID_WEIGHT = 60;

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
    if ('const' in schema) return this.constant(schema.const);
    if (Array.isArray(schema.enum)) return this.enumeration(schema.enum);
    if (Array.isArray(schema.oneOf)) return this.oneOf(schema.oneOf as Schema[]);
    switch (schema.type) {
      case 'object':
        return this.object(schema);
      case 'array':
        return this.array(schema);
      case 'string':
        return this.string(schema);
      case 'integer':
        return this.number(schema, true);
      case 'number':
        return this.number(schema, false);
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

  private constant(value: unknown): fc.Arbitrary<JsonNode> {
    if (typeof value !== 'string') throw new Error('schema-arbitrary: only string consts');
    return mixed(
      fc.constant(J.str(value)),
      fc
        .constantFrom(
          value.toUpperCase(),
          `${value} `,
          '',
          `${value}-0`,
          `${value}${'😀'.repeat(30)}`,
        )
        .map((s) => J.str(s)),
      wrongType('string'),
    );
  }

  private enumeration(values: unknown[]): fc.Arbitrary<JsonNode> {
    return mixed(
      fc.constantFrom(...values).map((v) => J.str(String(v))),
      codePoints(wellFormedChar, 0, 8).map((s) => J.str(s)),
      wrongType('string'),
    );
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

  private string(schema: Schema): fc.Arbitrary<JsonNode> {
    if (typeof schema.pattern === 'string') return this.patterned(schema.pattern);
    const min = (schema.minLength as number | undefined) ?? 0;
    const max = (schema.maxLength as number | undefined) ?? 64;
    const hostile = [
      codePoints(wellFormedChar, max + 1, max + 1),
      textWithin(min, max),
      wrongType('string'),
    ];
    if (min > 0) hostile.push(fc.constant(''));
    return fc
      .tuple(
        mixed(textWithin(min, max), ...hostile.map((a) => a as fc.Arbitrary<string | JsonNode>)),
        fc.constantFrom<Escape>('json', 'json', 'json', 'ascii', 'all', 'raw'),
      )
      .map(([v, esc]) => (typeof v === 'string' ? J.str(v, esc) : v));
  }

  /** A `^[class]{m,n}$` pattern: matching strings, and ones a length or a character off. */
  private patterned(pattern: string): fc.Arbitrary<JsonNode> {
    const m = /^\^\[([^\]]+)\]\{(\d+),(\d+)\}\$$/.exec(pattern);
    if (!m) throw new Error(`schema-arbitrary: pattern ${pattern} is not of the form ^[…]{m,n}$`);
    const [, cls, lo, hi] = m;
    const chars = classChars(cls);
    const n = (min: number, max = min) => codePoints(fc.constantFrom(...chars), min, max);
    const hostile: fc.Arbitrary<string | JsonNode>[] = [
      n(Number(hi) + 1),
      codePoints(
        fc.oneof(anyChar, fc.constantFrom('@', ' ', '/', '\u00e9')),
        Number(lo),
        Number(lo) + 4,
      ),
      wrongType('string'),
    ];
    if (Number(lo) > 0) hostile.push(n(Number(lo) - 1));
    return mixed(n(Number(lo), Number(hi)), ...hostile).map((v) =>
      typeof v === 'string' ? J.str(v) : v,
    );
  }

  private number(schema: Schema, integer: boolean): fc.Arbitrary<JsonNode> {
    const min = (schema.minimum as number | undefined) ?? -1e9;
    const max = (schema.maximum as number | undefined) ?? 1e9;
    const inRange = integer
      ? fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number)
      : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    const valid = fc.oneof(
      { arbitrary: inRange.map((x) => J.num(x)), weight: 6 },
      { arbitrary: fc.constantFrom(min, max).map((x) => J.num(x)), weight: 2 },
      // The same value written the ways JSON allows: `5.0`, `5e0`, `0.5e1`.
      {
        arbitrary: fc
          .tuple(inRange, fc.constantFrom('.0', 'e0', 'E+0'))
          .map(([x, t]) =>
            J.num(Number.isInteger(x) && !String(x).includes('e') ? `${x}${t}` : String(x)),
          ),
        weight: 1,
      },
      {
        arbitrary: fc.constantFrom('-0', '0e5', '5e-324', '1e-400').map(J.num),
        weight: min <= 0 ? 1 : 0,
      },
    );
    const hostile: fc.Arbitrary<JsonNode>[] = [
      fc.constantFrom(nextUp(max), max + 1, min - 1, -Number.MIN_VALUE).map((x) => J.num(x)),
      fc.constantFrom('1e400', '-1e400', '1e308', '9007199254740993', '1e21').map(J.num),
      wrongType(integer ? 'integer' : 'number'),
    ];
    if (integer) hostile.push(inRange.map((x) => J.num(Math.min(x, max - 1) + 0.5)));
    return mixed(valid, ...hostile);
  }
}

/** `valid` most of the time, else one of `hostile`. */
function mixed<T, U>(valid: fc.Arbitrary<T>, ...hostile: fc.Arbitrary<U>[]): fc.Arbitrary<T | U> {
  return fc.oneof(
    { arbitrary: valid as fc.Arbitrary<T | U>, weight: VALID_WEIGHT },
    ...hostile.map((arbitrary) => ({ arbitrary: arbitrary as fc.Arbitrary<T | U>, weight: 1 })),
  );
}

/** A value of some other JSON type than `expected`. */
function wrongType(expected: string): fc.Arbitrary<JsonNode> {
  const all: Record<string, fc.Arbitrary<JsonNode>> = {
    string: fc.constantFrom('7', '', 'true').map((s) => J.str(s)),
    number: fc.constantFrom(J.num(0), J.num(7.5)),
    integer: fc.constantFrom(J.num(0), J.num(7)),
    boolean: fc.constantFrom(J.bool(true), J.bool(false)),
    null: fc.constant(J.null()),
    array: fc.constant(J.arr([])),
    object: fc.constant(J.obj([])),
  };
  const others = Object.entries(all)
    .filter(([t]) => t !== expected && !(expected === 'number' && t === 'integer'))
    .filter(([t]) => !(expected === 'integer' && t === 'number'))
    .map(([, a]) => a);
  return fc.oneof(...others);
}

/** The characters of a regex class body such as `A-Za-z0-9_.:-` (ranges and single characters). */
function classChars(cls: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < cls.length; i++) {
    if (cls[i + 1] === '-' && i + 2 < cls.length) {
      for (let c = cls.charCodeAt(i); c <= cls.charCodeAt(i + 2); c++)
        out.push(String.fromCharCode(c));
      i += 2;
    } else out.push(cls[i] === '\\' ? cls[++i] : cls[i]);
  }
  return out;
}

/** The next double above `x`: the smallest value past an inclusive maximum. */
export function nextUp(x: number): number {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x >= 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}
