/**
 * Identifiers for sessions and events. They must match the schema's id pattern
 * (`LIMITS.idPattern`, `^[A-Za-z0-9_-]{8,64}$`); the edge deduplicates on event ids, so they must
 * also be unique. `crypto.randomUUID` exists only in secure contexts (https, localhost), so there
 * are two fallbacks: `getRandomValues` (available on http too) and, for very old engines,
 * Math.random mixed with the time and a counter.
 */
import { LIMITS } from '../../schemas/index.js';

let counter = 0;

function hex(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] + 0x100).toString(16).slice(1);
  return s;
}

function weakRandomId(): string {
  counter = (counter + 1) % 0x100000;
  let s = Date.now().toString(36) + counter.toString(36);
  while (s.length < 32) s += Math.floor(Math.random() * 0x100000000).toString(36);
  return s.slice(0, 40);
}

/**
 * A new random identifier matching the schema's id pattern (a UUID when the browser offers one).
 * Never throws.
 * @example randomId() // '3b241101-e2bb-4255-8caf-4136c566a962'
 */
export function randomId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  try {
    if (c && typeof c.randomUUID === 'function') {
      const id = c.randomUUID();
      if (LIMITS.idPattern.test(id)) return id;
    }
  } catch {
    // Insecure context or a broken polyfill: fall through.
  }
  try {
    if (c && typeof c.getRandomValues === 'function')
      return hex(c.getRandomValues(new Uint8Array(16)));
  } catch {
    // fall through
  }
  return weakRandomId();
}

/** True when `id` can be used as a session or event id. */
export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && LIMITS.idPattern.test(id);
}

/** True when `id` can be sent as `viewer_id` (looser than event ids). */
export function isValidViewerId(id: unknown): id is string {
  return typeof id === 'string' && LIMITS.viewerIdPattern.test(id);
}
