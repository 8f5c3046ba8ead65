/**
 * Reading values out of one decoded CMCD report for the columns of its event row. The edge has
 * validated every report, but the core still treats them as untrusted: a value that does not fit
 * a column leaves the column null (it is still kept in `attrs`), it never throws.
 */
import { LIMITS } from '../../schemas/limits.js';
import { isWellFormed } from '../../schemas/storable.js';
import type { CmcdItem, CmcdParamItem, CmcdReport, CmcdValue } from '../../schemas/cmcd.js';

/** The bare value of an inner-list item, with or without parameters. */
function itemValue(x: CmcdItem | CmcdParamItem | undefined): CmcdItem | undefined {
  return typeof x === 'object' ? x.value : x;
}

const asNumber = (x: CmcdItem | undefined): number | null =>
  typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : null;

/** The first number of a value: a bare number, or the first item of an inner list. */
export function firstNumber(v: CmcdValue | undefined): number | null {
  return asNumber(Array.isArray(v) ? itemValue(v[0]) : v);
}

/** Whether an item's parameters mark it as video: `v`, or `av` (muxed audio and video). */
const isVideo = (x: CmcdItem | CmcdParamItem): boolean =>
  typeof x === 'object' && (x.params.v === true || x.params.av === true);

/**
 * The video number of a per-object-type value (`br`, `pb`, `tb`, `bl`, `mtp`): CMCD v2 sends an
 * inner list with one item per object type (dash.js `br=(128;v 16;a)`), so the item whose
 * parameter marks it as video, else the first item (hls.js sends one bare item); v1 a bare number.
 */
export function videoNumber(v: CmcdValue | undefined): number | null {
  if (!Array.isArray(v)) return asNumber(v);
  return asNumber(itemValue(v.find(isVideo) ?? v[0]));
}
/** A non-negative whole number within `max`, or null. */
export function wholeNumber(v: number | null, max: number): number | null {
  if (v === null) return null;
  const n = Math.round(v);
  return n >= 0 && n <= max ? n : null;
}

/**
 * A kbps value (`br`, `pb`: the video item's) as bps, within the bitrate column's bounds; null
 * when absent or out of range.
 */
export function kbpsToBps(v: CmcdValue | undefined): number | null {
  const kbps = videoNumber(v);
  return kbps === null ? null : wholeNumber(kbps * 1000, LIMITS.eventNumbers.bitrate.max);
}

/** The first string of a value (`ec` is an inner list of strings), cut to `max` code points. */
export function firstString(v: CmcdValue | undefined, max: number): string | null {
  const x = Array.isArray(v) ? itemValue(v[0]) : v;
  if (typeof x !== 'string' || x.length === 0 || !isWellFormed(x)) return null;
  const points = Array.from(x);
  return points.length <= max ? x : points.slice(0, max).join('');
}

/**
 * The host of a URL (`rr`'s `url`): which CDN or origin served the object. Only the host is kept:
 * the path and query of a media URL often carry signed tokens.
 */
export function urlHost(v: CmcdValue | undefined): string | null {
  if (typeof v !== 'string') return null;
  try {
    const host = new URL(v).host;
    return host.length > 0 && host.length <= LIMITS.maxHeaderValueChars ? host : null;
  } catch {
    return null;
  }
}

/** Keys whose value is wholly in a column of every row (or must not be stored: `url`). */
const NOT_IN_ATTRS: ReadonlySet<string> = new Set(['ts', 'sn', 'sid', 'cid', 'v', 'url']);

/**
 * The report's keys as `attrs` JSON: every key but those whose value a column already holds
 * (ts, sn, sid, cid, v) and `url` (replaced by `url_host`), custom keys included. `extra` adds
 * values the mapper derived (`url_host`, `out_of_order`); CMCD keys never clash with them.
 */
export function reportAttrs(report: CmcdReport, extra?: Record<string, unknown>): string | null {
  // Without a prototype: an own "__proto__" key (JSON.parse makes one) stays a plain field.
  const out = Object.create(null) as Record<string, unknown>;
  let any = false;
  for (const key of Object.keys(report)) {
    if (NOT_IN_ATTRS.has(key)) continue;
    out[key] = report[key];
    any = true;
  }
  if (extra) {
    for (const key of Object.keys(extra)) {
      if (extra[key] === undefined) continue;
      out[key] = extra[key];
      any = true;
    }
  }
  return any ? JSON.stringify(out) : null;
}
