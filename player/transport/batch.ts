/**
 * Cuts the queue into request bodies: one session per batch (the envelope is per session), at most
 * `maxEvents` events, and a body strictly smaller than `maxBytes` (56 KiB by default: fetch
 * keepalive allows 64 KiB in flight and sendBeacon has a 64 KiB quota), in the wire format of
 * the schema version the session declared (`encode.ts`). Pure: the caller stamps `sent_at` at
 * send time by passing it in.
 */
import type { BeaconBatch, BeaconEvent } from '../../schemas/index.js';
import { encodeEnvelope, encodeEvent } from './encode.js';
import { eventJson, type Envelope, type QueueEntry } from './queue.js';

/** A request ready to send. */
export interface OutgoingBatch {
  batch: BeaconBatch;
  /** The JSON body. */
  body: string;
  /** Ids of the events it carries. */
  ids: string[];
}

/** Limits of one batch. */
interface BatchLimits {
  /** Body size limit in bytes (exclusive). */
  maxBytes: number;
  maxEvents: number;
}

/** UTF-8 byte length of a string (what the network carries), without allocating. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4; // surrogate pair
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * The next batch: events of the first queued session not in `skip`, in queue order, within the
 * limits. Returns `oversized` ids of single events that can never fit (the caller drops them), and
 * null batch when nothing is left to send.
 */
export function nextBatch(
  entries: readonly QueueEntry[],
  envelope: (sessionId: string) => Envelope | undefined,
  skip: ReadonlySet<string>,
  sentAt: number,
  limits: BatchLimits,
): { out: OutgoingBatch | null; oversized: string[] } {
  const oversized: string[] = [];
  let sid: string | null = null;
  let head = '';
  let size = 0;
  let env: Envelope | undefined;
  let version = '';
  const parts: string[] = [];
  const picked: BeaconEvent[] = [];
  const ids: string[] = [];
  for (const x of entries) {
    if (skip.has(x.e.id)) continue;
    if (sid === null) {
      const stored = envelope(x.s);
      if (!stored) continue;
      env = encodeEnvelope(stored);
      version = env.schema_version;
      sid = x.s;
      // `"events":[]}` closes the envelope; events are spliced in before `]}`.
      head = JSON.stringify({ ...env, sent_at: sentAt, events: [] });
      size = utf8Length(head);
    }
    if (x.s !== sid) continue;
    if (picked.length >= limits.maxEvents) break;
    const wire = encodeEvent(version, x.e);
    const json = eventJson(wire);
    const add = utf8Length(json) + (picked.length ? 1 : 0);
    if (size + add >= limits.maxBytes) {
      if (!picked.length) {
        oversized.push(x.e.id);
        continue;
      }
      break;
    }
    size += add;
    parts.push(json);
    picked.push(wire);
    ids.push(x.e.id);
  }
  if (!env || !picked.length) return { out: null, oversized };
  const body = `${head.slice(0, -2)}${parts.join(',')}]}`;
  return {
    out: {
      batch: { ...env, sent_at: sentAt, events: picked },
      body,
      ids,
    },
    oversized,
  };
}
