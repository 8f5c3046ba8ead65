/**
 * A JSON syntax tree that keeps what a parsed value loses: key order, duplicate keys, the exact
 * number token (`1.0`, `1e0`, `-0`, `1e400`), how each string is escaped, and raw text (deep
 * nesting, broken JSON). The generators build these trees and `toJsonText` writes the body the
 * edge receives, so hostile clients are modelled at the byte level, not as JS objects.
 */

/**
 * How a string is written: JSON.stringify's escapes; every non-ASCII unit as `\uXXXX`; every
 * unit as `\uXXXX` (so `"\u0069\u0064"` is the key `id`); or lone surrogates left raw.
 */
export type Escape = 'json' | 'ascii' | 'all' | 'raw';

/** One node of the tree. */
export type JsonNode =
  | { k: 'obj'; entries: [key: JsonStr, value: JsonNode][] }
  | { k: 'arr'; items: JsonNode[] }
  | JsonStr
  | { k: 'num'; raw: string }
  | { k: 'lit'; raw: 'true' | 'false' | 'null' }
  | { k: 'raw'; text: string };

/** A string node; keys are strings too, so a key can be escaped (`"\u0069d"` is `"id"`). */
export interface JsonStr {
  k: 'str';
  v: string;
  esc: Escape;
}

/** A lone surrogate: with the `u` flag a well-formed pair is one code point, not `Cs`. */
const LONE = /\p{Cs}/u;

/** Node builders, so generators read as the JSON they make. */
export const J = {
  str: (v: string, esc: Escape = 'json'): JsonStr => ({ k: 'str', v, esc }),
  num: (n: number | string): JsonNode => ({
    k: 'num',
    raw: typeof n === 'string' ? n : numText(n),
  }),
  bool: (b: boolean): JsonNode => ({ k: 'lit', raw: b ? 'true' : 'false' }),
  null: (): JsonNode => ({ k: 'lit', raw: 'null' }),
  raw: (text: string): JsonNode => ({ k: 'raw', text }),
  arr: (items: JsonNode[]): JsonNode => ({ k: 'arr', items }),
  obj: (entries: [string, JsonNode][]): JsonNode => ({
    k: 'obj',
    entries: entries.map(([key, v]) => [J.str(key), v]),
  }),
  /** An object from entries whose keys keep their escaping. */
  objOf: (entries: [JsonStr, JsonNode][]): JsonNode => ({ k: 'obj', entries }),
};

/** A JS number as a JSON token; -0 keeps its sign, which JSON.stringify would drop. */
function numText(n: number): string {
  if (Object.is(n, -0)) return '-0';
  if (!Number.isFinite(n)) return n > 0 ? '1e400' : '-1e400';
  return String(n);
}

/** The value of an object entry with this key as JSON.parse sees it (the last duplicate wins). */
export function lastEntry(node: JsonNode, key: string): JsonNode | undefined {
  if (node.k !== 'obj') return undefined;
  let found: JsonNode | undefined;
  for (const [k, v] of node.entries) if (k.v === key) found = v;
  return found;
}

/** Writes the tree as JSON text (iterative over objects and arrays would be overkill: generated trees are shallow, deep nesting is a raw node). */
export function toJsonText(node: JsonNode): string {
  switch (node.k) {
    case 'obj':
      return `{${node.entries.map(([k, v]) => `${strText(k)}:${toJsonText(v)}`).join(',')}}`;
    case 'arr':
      return `[${node.items.map(toJsonText).join(',')}]`;
    case 'str':
      return strText(node);
    case 'num':
    case 'lit':
      return node.raw;
    case 'raw':
      return node.text;
  }
}

function strText(s: JsonStr): string {
  if (s.esc === 'json') return JSON.stringify(s.v);
  if (s.esc === 'raw') {
    // JSON.stringify escapes lone surrogates; this client writes them as they are.
    let out = '"';
    for (const ch of s.v) out += !LONE.test(ch) ? JSON.stringify(ch).slice(1, -1) : ch;
    return `${out}"`;
  }
  let out = '"';
  for (let i = 0; i < s.v.length; i++) {
    const c = s.v.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f && s.esc === 'ascii') out += s.v[i];
    else out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `${out}"`;
}

/**
 * UTF-8 bytes of a body. `wtf8` encodes a lone surrogate as its own three bytes (ED A0 80 …),
 * which strict UTF-8 refuses, as a sloppy client library would send it; `replace` does what
 * TextEncoder does (U+FFFD).
 */
export function utf8Bytes(
  text: string,
  loneSurrogates: 'replace' | 'wtf8' = 'replace',
): Uint8Array {
  if (loneSurrogates === 'replace' || !LONE.test(text)) return new TextEncoder().encode(text);
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else
      out.push(
        0xf0 | (cp >> 18),
        0x80 | ((cp >> 12) & 63),
        0x80 | ((cp >> 6) & 63),
        0x80 | (cp & 63),
      );
  }
  return Uint8Array.from(out);
}
