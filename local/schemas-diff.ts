/**
 * The structural difference of two JSON Schema files, each change rated by what it does to data
 * that was valid before (SchemaVer, MODEL-REVISION-ADDITION):
 *
 * - `addition`: every instance valid before is still valid (a new optional property where no
 *   other property was allowed, a wider type, bound or enum, a dropped constraint);
 * - `revision`: some instances valid before are not (a narrower bound, type or enum, a property
 *   removed from a closed object, a new constraint, anything not proven to relax);
 * - `model`: no instance of the object valid before is (a required property removed or renamed,
 *   a new required property, a required property's type or constant replaced);
 * - `annotation`: nothing a validator reads (titles, descriptions, `$id`, and the version stamp,
 *   the `schema_version` constant that names the file's own version).
 *
 * Unknown keywords and changes it cannot prove relax count as `revision`: a wrong "breaking" costs
 * a version number, a wrong "additive" breaks clients. Pure: the CLI and the tests use it.
 */

import {
  ANNOTATIONS,
  boundChange,
  enumChange,
  equal,
  LOWER_BOUNDS,
  requiredNames,
  show,
  strip,
  typeChange,
  UPPER_BOUNDS,
} from './schemas-diff-keywords.js';

/** How a change affects data valid before, from none to all of it. */
export const IMPACTS = ['annotation', 'addition', 'revision', 'model'] as const;
export type Impact = (typeof IMPACTS)[number];

/** One structural change. */
export interface SchemaChange {
  /** JSON Pointer into the schema, e.g. `/$defs/heartbeat/properties/avg_bitrate`. */
  path: string;
  op: 'added' | 'removed' | 'changed';
  impact: Impact;
  /** What it does, for people. */
  detail: string;
}

/** The version stamp: the `schema_version` constant of each side, not counted as a change. */
export interface DiffOptions {
  stamp?: { before: string; after: string };
}

type Node = Record<string, unknown>;

/** Sub-schemas compared keyword by keyword. */
const SUBSCHEMAS = new Set([
  'items',
  'contains',
  'propertyNames',
  'additionalProperties',
  'unevaluatedProperties',
]);

/** The changes from `before` to `after`, in document order. */
export function diffSchemas(
  before: unknown,
  after: unknown,
  opts: DiffOptions = {},
): SchemaChange[] {
  const out: SchemaChange[] = [];
  walk(before, after, '', false, out, opts);
  return out;
}

/** The largest impact among `changes`; undefined when there are none. */
export function overallImpact(changes: readonly SchemaChange[]): Impact | undefined {
  let max = -1;
  for (const c of changes) max = Math.max(max, IMPACTS.indexOf(c.impact));
  return max < 0 ? undefined : IMPACTS[max];
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Closed: an instance may carry no property the schema does not name. */
function isClosed(n: Node): boolean {
  return n.additionalProperties === false || n.unevaluatedProperties === false;
}

function walk(
  a: unknown,
  b: unknown,
  path: string,
  required: boolean,
  out: SchemaChange[],
  opts: DiffOptions,
): void {
  if (!isNode(a) || !isNode(b)) {
    if (!equal(a, b))
      out.push({ path, op: 'changed', impact: 'revision', detail: `${show(a)} → ${show(b)}` });
    return;
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    const at = `${path}/${key}`;
    if (equal(x, y)) continue;
    const op = x === undefined ? 'added' : y === undefined ? 'removed' : 'changed';
    const push = (impact: Impact, detail: string) => out.push({ path: at, op, impact, detail });
    if (ANNOTATIONS.has(key)) push('annotation', `${key} ${op}`);
    else if (key === 'properties') properties(a, b, at, out, opts);
    else if (key === 'required') requiredNames(a, b, at, out);
    else if (key === '$defs' || key === 'definitions') definitions(x, y, at, out, opts);
    else if (key === 'type') push(...typeChange(x, y, required));
    else if (key === 'enum') push(...enumChange(x, y, required));
    else if (key === 'const') {
      const stamp = opts.stamp;
      if (
        stamp &&
        path.endsWith('/properties/schema_version') &&
        x === stamp.before &&
        y === stamp.after
      )
        push('annotation', `the version stamp ${show(x)} → ${show(y)}`);
      else if (y === undefined) push('addition', `constant ${show(x)} dropped`);
      else
        push(
          required && x !== undefined ? 'model' : 'revision',
          `constant ${show(x)} → ${show(y)}${required ? ' on a required property' : ''}`,
        );
    } else if (LOWER_BOUNDS.has(key) || UPPER_BOUNDS.has(key)) push(...boundChange(key, x, y));
    else if ((key === 'additionalProperties' || key === 'unevaluatedProperties') && x === false)
      push('addition', `${key}: false dropped: other properties are allowed`);
    else if ((key === 'additionalProperties' || key === 'unevaluatedProperties') && y === false)
      push('revision', `${key}: false added: other properties are refused`);
    else if (SUBSCHEMAS.has(key) && isNode(x) && isNode(y)) walk(x, y, at, false, out, opts);
    else if (key === 'anyOf' || key === 'oneOf' || key === 'allOf')
      alternatives(key, x, y, at, out, opts);
    else if (op === 'removed' && key !== '$ref' && key !== 'discriminator')
      push('addition', `${key} ${show(x)} dropped`);
    else
      push(
        'revision',
        `${key} ${show(x)} → ${show(y)}: cannot prove every instance valid before still passes`,
      );
  }
}

function properties(a: Node, b: Node, at: string, out: SchemaChange[], opts: DiffOptions): void {
  const pa = (isNode(a.properties) ? a.properties : {}) as Node;
  const pb = (isNode(b.properties) ? b.properties : {}) as Node;
  const reqA = new Set(Array.isArray(a.required) ? (a.required as string[]) : []);
  const reqB = new Set(Array.isArray(b.required) ? (b.required as string[]) : []);
  const removed = Object.keys(pa).filter((p) => !(p in pb));
  const added = Object.keys(pb).filter((p) => !(p in pa));
  const renamedTo = (p: string) => added.find((q) => equal(strip(pa[p]), strip(pb[q])));
  for (const p of Object.keys(pa)) {
    if (p in pb) walk(pa[p], pb[p], `${at}/${p}`, reqA.has(p) && reqB.has(p), out, opts);
  }
  for (const p of removed) {
    const to = renamedTo(p);
    const hint = to ? ` (renamed to ${to}?)` : '';
    if (!isClosed(b))
      out.push({
        path: `${at}/${p}`,
        op: 'removed',
        impact: 'addition',
        detail: `property ${p} no longer checked (other properties are allowed)${hint}`,
      });
    else if (reqA.has(p))
      out.push({
        path: `${at}/${p}`,
        op: 'removed',
        impact: 'model',
        detail: `required property ${p} removed: every instance carried it and is now refused${hint}`,
      });
    else
      out.push({
        path: `${at}/${p}`,
        op: 'removed',
        impact: 'revision',
        detail: `optional property ${p} removed: instances carrying it are now refused${hint}`,
      });
  }
  for (const p of added) {
    const from = removed.find((q) => renamedTo(q) === p);
    const hint = from ? ` (renamed from ${from}?)` : '';
    const req = reqB.has(p) ? 'required' : 'optional';
    if (isClosed(a))
      out.push({
        path: `${at}/${p}`,
        op: 'added',
        impact: 'addition',
        detail: `${req} property ${p} added where no other property was allowed${hint}`,
      });
    else
      out.push({
        path: `${at}/${p}`,
        op: 'added',
        impact: 'revision',
        detail: `${req} property ${p} added where any property was allowed: instances carrying it in another shape are now refused${hint}`,
      });
  }
}

function definitions(
  x: unknown,
  y: unknown,
  at: string,
  out: SchemaChange[],
  opts: DiffOptions,
): void {
  const da = (isNode(x) ? x : {}) as Node;
  const db = (isNode(y) ? y : {}) as Node;
  for (const k of new Set([...Object.keys(da), ...Object.keys(db)])) {
    if (k in da && k in db) walk(da[k], db[k], `${at}/${k}`, false, out, opts);
    else if (k in db)
      out.push({
        path: `${at}/${k}`,
        op: 'added',
        impact: 'addition',
        detail: `definition ${k} added (it applies where a $ref names it)`,
      });
    else
      out.push({
        path: `${at}/${k}`,
        op: 'removed',
        impact: 'revision',
        detail: `definition ${k} removed`,
      });
  }
}

/** anyOf/oneOf entries added widen, allOf entries added narrow; lists of $refs compare as sets. */
function alternatives(
  key: string,
  x: unknown,
  y: unknown,
  at: string,
  out: SchemaChange[],
  opts: DiffOptions,
): void {
  const xa = Array.isArray(x) ? x : [];
  const ya = Array.isArray(y) ? y : [];
  const widens = key !== 'allOf';
  const refs = (l: unknown[]) => l.every((e) => isNode(e) && Object.keys(e).join() === '$ref');
  if (refs(xa) && refs(ya)) {
    const rx = xa.map((e) => (e as Node).$ref as string);
    const ry = ya.map((e) => (e as Node).$ref as string);
    for (const r of ry)
      if (!rx.includes(r))
        out.push({
          path: at,
          op: 'added',
          impact: widens ? 'addition' : 'revision',
          detail: `${key} gains ${r}`,
        });
    for (const r of rx)
      if (!ry.includes(r))
        out.push({
          path: at,
          op: 'removed',
          impact: widens ? 'revision' : 'addition',
          detail: `${key} loses ${r}`,
        });
    return;
  }
  for (let i = 0; i < Math.max(xa.length, ya.length); i++) {
    if (i < xa.length && i < ya.length) walk(xa[i], ya[i], `${at}/${i}`, false, out, opts);
    else if (i < ya.length)
      out.push({
        path: `${at}/${i}`,
        op: 'added',
        impact: widens ? 'addition' : 'revision',
        detail: `${key} gains an entry`,
      });
    else
      out.push({
        path: `${at}/${i}`,
        op: 'removed',
        impact: widens ? 'revision' : 'addition',
        detail: `${key} loses an entry`,
      });
  }
}
