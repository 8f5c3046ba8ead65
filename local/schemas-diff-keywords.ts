/**
 * The per-keyword rules of schemas-diff.ts: how a change of `type`, `enum` or a bound affects
 * instances valid before, and the value helpers (deep equality, annotation-free comparison,
 * short display). Pure.
 */
import type { Impact, SchemaChange } from './schemas-diff.js';

type Node = Record<string, unknown>;

/** Keywords no validator reads. */
export const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
]);
/** Keywords whose larger value narrows. */
export const LOWER_BOUNDS = new Set([
  'minimum',
  'exclusiveMinimum',
  'minLength',
  'minItems',
  'minProperties',
  'minContains',
]);
/** Keywords whose smaller value narrows. */
export const UPPER_BOUNDS = new Set([
  'maximum',
  'exclusiveMaximum',
  'maxLength',
  'maxItems',
  'maxProperties',
  'maxContains',
]);
/** A `type` change: wider is an addition; a required property's type replaced is a model change. */
export function typeChange(x: unknown, y: unknown, required: boolean): [Impact, string] {
  if (y === undefined) return ['addition', `type ${show(x)} dropped`];
  if (x === undefined) return ['revision', `type ${show(y)} added`];
  const tx = ([] as unknown[]).concat(x) as string[];
  const ty = ([] as unknown[]).concat(y) as string[];
  const covered = (t: string) => ty.includes(t) || (t === 'integer' && ty.includes('number'));
  if (tx.every(covered)) return ['addition', `type ${show(x)} → ${show(y)} (wider)`];
  const overlap = tx.some(covered) || (ty.includes('integer') && tx.includes('number'));
  return [
    !overlap && required ? 'model' : 'revision',
    `type ${show(x)} → ${show(y)} (${overlap ? 'narrower' : 'another type'})`,
  ];
}

/** An `enum` change: values gained only is an addition. */
export function enumChange(x: unknown, y: unknown, required: boolean): [Impact, string] {
  if (y === undefined) return ['addition', 'enum dropped'];
  if (x === undefined) return ['revision', `enum ${show(y)} added`];
  const ex = x as unknown[];
  const ey = y as unknown[];
  const gone = ex.filter((v) => !ey.some((w) => equal(v, w)));
  const gained = ey.filter((v) => !ex.some((w) => equal(v, w)));
  if (gone.length === 0 && gained.length === 0) return ['annotation', 'enum reordered'];
  if (gone.length === 0) return ['addition', `enum gains ${show(gained)}`];
  const impact = required && gone.length === ex.length ? 'model' : 'revision';
  return [impact, `enum loses ${show(gone)}${gained.length ? ` and gains ${show(gained)}` : ''}`];
}

/** A bound moved: outwards is an addition, inwards or new a revision. */
export function boundChange(key: string, x: unknown, y: unknown): [Impact, string] {
  if (y === undefined) return ['addition', `${key} ${show(x)} dropped`];
  if (x === undefined) return ['revision', `${key} ${show(y)} added`];
  const lower = LOWER_BOUNDS.has(key);
  const relaxed = lower ? (y as number) < (x as number) : (y as number) > (x as number);
  return [
    relaxed ? 'addition' : 'revision',
    `${key} ${show(x)} → ${show(y)} (${relaxed ? 'relaxed' : 'narrowed'})`,
  ];
}

/** A sub-schema without its annotations, to recognise a renamed property. */
export function strip(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => !ANNOTATIONS.has(k))
      .map(([k, w]) => [k, strip(w)]),
  );
}

/** Deep equality of JSON values. */
export function equal(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  return kx.length === ky.length && kx.every((k) => equal((x as Node)[k], (y as Node)[k]));
}

/** A value for a message, cut to 60 characters. */
export function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? 'absent' : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Names added to `required` narrow (all instances when the property is new); names dropped widen. */
export function requiredNames(a: Node, b: Node, at: string, out: SchemaChange[]): void {
  const ra = new Set(Array.isArray(a.required) ? (a.required as string[]) : []);
  const rb = new Set(Array.isArray(b.required) ? (b.required as string[]) : []);
  const known =
    typeof a.properties === 'object' && a.properties !== null ? (a.properties as Node) : {};
  for (const p of rb) {
    if (ra.has(p)) continue;
    if (p in known)
      out.push({
        path: `${at}/${p}`,
        op: 'added',
        impact: 'revision',
        detail: `${p} is now required: instances without it are refused`,
      });
    else
      out.push({
        path: `${at}/${p}`,
        op: 'added',
        impact: 'model',
        detail: `new required property ${p}: no instance valid before has it`,
      });
  }
  for (const p of ra)
    if (!rb.has(p))
      out.push({
        path: `${at}/${p}`,
        op: 'removed',
        impact: 'addition',
        detail: `${p} is no longer required`,
      });
}
