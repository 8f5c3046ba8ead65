/**
 * One playback session: its id, sequence numbers and envelope, and the event factory. Events are
 * built to pass the schema whatever the player reports: numbers are rounded and clamped to the
 * schema's ranges, strings cut to its lengths, undefined fields left out. A player reporting NaN
 * must cost one odd number, not a rejected batch.
 */
import type { BeaconEvent, EventType, SchemaVersion } from '../../schemas/index.js';
import { CURRENT_SCHEMA_VERSION, LIMITS } from '../../schemas/index.js';
import type { Envelope, MediaFields } from '../transport/queue.js';
import { SDK_NAME, SDK_VERSION } from '../version.js';
import { randomId } from './ids.js';

/** Bounds of each numeric field, as the schema sets them (every one starts at 0). */
const RANGES: Readonly<Record<string, { max: number; integer: boolean }>> = LIMITS.eventNumbers;
const { maxLength } = LIMITS;
/** Longest event strings, as the schema bounds them. */
const STRINGS: Record<string, number> = {
  code: maxLength.error_code,
  message: maxLength.error_message,
};

/** Clamps a number into the field's range (non-numbers become the minimum). */
function clampField(field: string, value: number, type?: EventType): number {
  const r = RANGES[field];
  if (!r) return value;
  // stall_end's stall_ms is one stall, bounded tighter than the cumulative counter.
  const max = type === 'stall_end' && field === 'stall_ms' ? LIMITS.oneStallMaxMs : r.max;
  const v = Number.isFinite(value) ? Math.min(Math.max(value, 0), max) : 0;
  return r.integer ? Math.round(v) : v;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Cuts a string to at most `max` characters, counted in code points as the schema counts them,
 * never inside a surrogate pair; an unpaired surrogate (from the host page, or half an emoji)
 * becomes U+FFFD. A string that is not well-formed Unicode cannot be stored, so sending one would
 * lose the event, or with it in the envelope the whole batch.
 */
function cut(s: string, max: number): string {
  if (s.length <= max && !SURROGATE.test(s)) return s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    if (n === max) break;
    out += ch.length === 1 && SURROGATE.test(ch) ? '\uFFFD' : ch;
    n += 1;
  }
  return out;
}

const NO_MEDIA: MediaFields = {};

/** A session's identity and its event factory. */
export interface Session {
  readonly id: string;
  /** Events created so far (next seq). */
  readonly count: number;
  /**
   * The envelope: fixed at the first event, except the tracks and protection fields, which follow
   * the player (a new object when they changed, so the queue keeps the latest for the next batch).
   */
  envelope(): Envelope;
  /** Builds the next event of this session. */
  event(
    type: EventType,
    fields: Record<string, unknown> | undefined,
    ts: number,
    playhead: number,
  ): BeaconEvent;
}

/** What a session's envelope is made of (read when its first event is created). */
interface SessionMeta {
  contentId: () => string;
  viewerId?: string;
  playerName?: string;
  playerVersion?: string;
  /** The version the session's batches declare (`transport/encode.ts` writes them in it). Default: the current one. */
  schemaVersion?: SchemaVersion;
}

/**
 * Creates a session with the given id. `media` is read for every envelope: the same object as
 * last time means nothing changed.
 */
export function createSession(
  id: string,
  meta: () => SessionMeta,
  media: () => MediaFields = () => NO_MEDIA,
): Session {
  let seq = 0;
  let base: Envelope | null = null;
  let env: Envelope | null = null;
  let shown: MediaFields | null = null;
  const envelope = (): Envelope => {
    const m = media();
    if (env && m === shown) return env;
    shown = m;
    base ??= baseEnvelope();
    // Cast: the media fields were checked against the schema's values (core/media-info.ts).
    env = { ...base, ...m } as Envelope;
    return env;
  };
  const baseEnvelope = (): Envelope => {
    const m = meta();
    let content = '';
    try {
      content = String(m.contentId() ?? '');
    } catch {
      // a throwing contentId callback: fall back below
    }
    const e: Envelope = {
      schema_version: m.schemaVersion ?? CURRENT_SCHEMA_VERSION,
      sdk_name: SDK_NAME,
      sdk_version: SDK_VERSION,
      session_id: id,
      content_id: cut(content || 'unknown', maxLength.content_id),
    };
    if (m.playerName) e.player_name = cut(m.playerName, maxLength.player_name);
    if (m.playerVersion) e.player_version = cut(m.playerVersion, maxLength.player_version);
    if (m.viewerId) e.viewer_id = m.viewerId;
    return e;
  };
  return {
    id,
    get count() {
      return seq;
    },
    envelope,
    event(type, fields, ts, playhead) {
      envelope();
      const ev: Record<string, unknown> = {
        type,
        id: randomId(),
        seq: seq++,
        ts: Math.max(0, Math.round(ts)),
        playhead: clampField('playhead', playhead),
      };
      if (fields) {
        for (const k of Object.keys(fields)) {
          const v = fields[k];
          if (v === undefined || v === null) continue;
          if (typeof v === 'number') ev[k] = clampField(k, v, type);
          else if (typeof v === 'string')
            ev[k] = k === 'code' ? cut(v, STRINGS.code) || 'unknown' : cut(v, STRINGS[k] ?? 512);
          else ev[k] = v;
        }
      }
      return ev as unknown as BeaconEvent;
    },
  };
}
