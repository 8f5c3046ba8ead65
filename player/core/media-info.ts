/**
 * Turns what a player reports about its tracks and protection into schema 1-1-0's envelope
 * fields, or leaves them out: a language that is not a BCP 47 tag (or is `und`, undetermined) is
 * unknown, not guessed, and a DRM system must be one the schema names.
 */
import type { MediaFields } from '../transport/queue.js';
import type { MediaInfo } from './adapter.js';

/** BCP 47 as the schema checks it: a 2–8 letter language, then up to seven subtags; at most 35. */
const BCP47 = /^(?!und$)(?=.{2,35}$)[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,7}$/i;

/** The schema's `drm_system` values. */
const DRM = ['none', 'widevine', 'playready', 'fairplay', 'clearkey', 'other'];

const KEYS = ['audio_language', 'subtitle_language', 'drm_system'] as const;

/**
 * The envelope fields after `info`: the same object when nothing changed, so a session's
 * envelope is rebuilt only on a change.
 */
export function applyMedia(current: MediaFields, info: MediaInfo): MediaFields {
  const next: MediaFields = { ...current };
  const given = [info?.audioLanguage, info?.subtitleLanguage, info?.drmSystem];
  KEYS.forEach((key, i) => {
    const v = given[i];
    if (v === undefined) return;
    const ok = typeof v === 'string' && (i < 2 ? BCP47.test(v) : DRM.includes(v));
    if (ok) next[key] = v;
    else delete next[key];
  });
  return KEYS.every((k) => next[k] === current[k]) ? current : next;
}
