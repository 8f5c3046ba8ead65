/**
 * Deterministic sampling: the same viewer (or, without a viewer id, the same session) is always
 * either in or out, so a sampled viewer's sessions are complete rather than randomly thinned.
 */

/**
 * FNV-1a 32-bit hash of `key` mapped to [0, 1). Stable across browsers and page loads.
 * @example sampleValue('viewer-1') // always the same number in [0, 1)
 */
export function sampleValue(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x100000000;
}

/** True when the key falls inside the sample (`sampleValue(key) < rate`); rate ≥ 1 keeps all. */
export function isSampled(key: string, rate: number): boolean {
  if (!(rate > 0)) return false;
  if (rate >= 1) return true;
  return sampleValue(key) < rate;
}
