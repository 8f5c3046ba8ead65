/**
 * JSON parsing with a nesting guard. Node 20's JSON.parse copes with deep nesting, but code that
 * walks a value recursively (JSON.stringify of a bad-row payload) overflows the stack on a hostile
 * body of a million `[`. A linear byte scan finds such bodies. It is off the hot path: a body
 * that passes the schema is at most 3 deep by construction (schema 1-0-0 has no free-form
 * nesting), so the scan runs only for bodies with a rejection, before any rejected value is
 * serialized. A schema version that allows free-form nesting must move it back before parsing.
 */
import { MAX_JSON_DEPTH } from './limits.js';
import type { BodyRejection } from './types.js';

/** Byte classes for the scan: one table lookup per byte instead of a chain of compares. */
const OTHER = 0;
const QUOTE = 1;
const BACKSLASH = 2;
const OPEN = 3;
const CLOSE = 4;
const CLASS = new Uint8Array(256);
CLASS[0x22] = QUOTE;
CLASS[0x5c] = BACKSLASH;
CLASS[0x7b] = OPEN; // {
CLASS[0x5b] = OPEN; // [
CLASS[0x7d] = CLOSE; // }
CLASS[0x5d] = CLOSE; // ]

/**
 * True when the bytes nest arrays/objects deeper than `max`, ignoring brackets inside strings.
 * Works on raw UTF-8 bytes: every structural character is ASCII and no byte of a multi-byte
 * sequence is below 0x80, so no decoding is needed. Does not validate the JSON (JSON.parse does).
 */
export function jsonDepthExceeds(bytes: Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = CLASS[bytes[i]];
    if (c === OTHER) continue;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN) {
      if (++depth > max) return true;
    } else if (c === CLOSE) {
      depth--;
    }
  }
  return false;
}

/** Result of parsing a body: the value, or the 400 to answer. */
export type ParseResult = { ok: true; value: unknown } | { ok: false; rejection: BodyRejection };

/** The 400 for a body nested deeper than MAX_JSON_DEPTH, or undefined. */
export function depthRejection(bytes: Uint8Array): BodyRejection | undefined {
  if (!jsonDepthExceeds(bytes)) return undefined;
  return {
    status: 400,
    reason: 'too_deep',
    detail: `JSON nests deeper than ${MAX_JSON_DEPTH} levels`,
  };
}

/**
 * Parses a decoded body. JSON.parse creates `__proto__` and `constructor` keys as plain own
 * properties, so parsing itself cannot pollute a prototype; the schema then rejects them as
 * unknown properties. Node's JSON.parse does not recurse, so deep nesting is safe here; the
 * caller runs the depth scan before anything recursive touches a rejected value.
 */
export function parseJson(text: string): ParseResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      rejection: { status: 400, reason: 'invalid_json', detail: message.slice(0, 200) },
    };
  }
}
