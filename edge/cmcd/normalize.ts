/**
 * One report line as JSON (`CmcdReport`, schemas/cmcd.ts): a line of the line form is decoded by
 * `@svta/cml-cmcd` (no parser of ours), then its structured-field values are made plain: tokens
 * and strings are strings, inner lists arrays of their items. An inner-list item with parameters
 * keeps them as `{ value, params }` (dash.js's `br=(128;v 16;a)`: the `v`/`a` parameter is what
 * tells video from audio); parameters of a top-level value are dropped. An item of the JSON form
 * must already be that shape. Values JSON cannot carry (byte sequences, dates, also as a
 * parameter) refuse the line; the schema then says which keys, types and parameters are allowed.
 */
import { decodeCmcd } from '@svta/cml-cmcd';
import type { CmcdItem, CmcdParamItem, CmcdReport, CmcdValue } from '../../schemas/cmcd.js';
import { truncate } from '../ingest/request-gate.js';
import { MAX_CMCD_LINE_CHARS } from './limits.js';
import type { CmcdLine } from './lines.js';

/** Why a line could not be made a report. */
export type NormalizeProblem = {
  reason: 'invalid_cmcd' | 'invalid_report' | 'line_too_long';
  detail: string;
};

/** The line's report, or why it has none. */
export type NormalizeResult = { ok: true; report: CmcdReport } | ({ ok: false } & NormalizeProblem);

/** Decodes (line form) or checks (JSON form) one line into a plain report. */
export function normalizeLine(line: CmcdLine): NormalizeResult {
  if (line.form === 'cmcd') {
    if (line.text.length > MAX_CMCD_LINE_CHARS) {
      return fail(
        'line_too_long',
        `the line has ${line.text.length} characters; at most ${MAX_CMCD_LINE_CHARS}`,
      );
    }
    let decoded: Record<string, unknown>;
    try {
      decoded = decodeCmcd(line.text) as Record<string, unknown>;
    } catch {
      return fail(
        'invalid_cmcd',
        `not a CMCD dictionary (RFC 8941 structured field): ${truncate(line.text, 80)}`,
      );
    }
    return fromEntries(Object.entries(decoded), true);
  }
  const v = line.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    const got = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
    return fail('invalid_report', `a report must be a JSON object, got ${got}`);
  }
  return fromEntries(Object.entries(v), false);
}

/**
 * A report from decoded entries. `structured`: values come from the structured-field parser
 * (SfItem wrappers with parameters); otherwise from JSON.parse (only plain values are allowed).
 */
function fromEntries(entries: [string, unknown][], structured: boolean): NormalizeResult {
  const report: CmcdReport = {};
  for (const [key, raw] of entries) {
    const value = plainValue(raw, structured);
    if (value === undefined) {
      return fail(
        'invalid_report',
        `/${truncate(key, 64)} is ${describe(raw)}; a CMCD value is a string, token, number, boolean or an inner list of them (an item may have parameters of those types)`,
      );
    }
    // defineProperty: a JSON `__proto__` key stays an own key (refused by the schema) instead of
    // setting the report's prototype.
    Object.defineProperty(report, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { ok: true, report };
}

function plainValue(raw: unknown, structured: boolean): CmcdValue | undefined {
  const v = structured ? unwrap(raw) : raw;
  if (Array.isArray(v)) {
    const items: (CmcdItem | CmcdParamItem)[] = [];
    for (const item of v) {
      const plain = listItem(item);
      if (plain === undefined) return undefined;
      items.push(plain);
    }
    return items;
  }
  return plainItem(v);
}

/**
 * One inner-list item: bare, or `{ value, params }` with plain values. cml-cmcd gives an item
 * with parameters as an SfItem (class instance) and JSON.parse as a plain object with exactly
 * those two keys; both become a plain object. An item with an empty parameter set stays bare.
 */
function listItem(raw: unknown): CmcdItem | CmcdParamItem | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return plainItem(raw);
  const keys = Object.keys(raw);
  if (keys.length !== 2 || !('value' in raw) || !('params' in raw)) return undefined;
  const value = plainItem(raw.value);
  const params = raw.params;
  if (value === undefined) return undefined;
  // The decoder leaves `params` undefined on an item without parameters.
  if (params === undefined) return value;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const entries = Object.entries(params);
  if (entries.length === 0) return value;
  const plainParams: Record<string, CmcdItem> = {};
  for (const [name, p] of entries) {
    const item = plainItem(p);
    if (item === undefined) return undefined;
    // defineProperty: a JSON `__proto__` parameter stays an own key (refused by the schema).
    Object.defineProperty(plainParams, name, {
      value: item,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { value, params: plainParams };
}

function plainItem(v: unknown): CmcdItem | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
}

/** The bare value of a top-level structured-field item with parameters (`sta=p;x=1`). */
function unwrap(v: unknown): unknown {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'value' in v && 'params' in v
    ? (v as { value: unknown }).value
    : v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return 'a byte sequence';
  if (v instanceof Date) return 'a date';
  if (Array.isArray(v)) return 'a list holding something else';
  return typeof v === 'object' ? 'an object' : typeof v;
}

function fail(reason: NormalizeProblem['reason'], detail: string): NormalizeResult {
  return { ok: false, reason, detail };
}
