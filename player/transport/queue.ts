/**
 * The bounded event queue (in memory; `store.ts` persists it). Entries keep the order events were
 * created in. When full, the oldest heartbeat goes first (its counters are cumulative, so the next
 * heartbeat or session_end carries the same information), then the oldest other event.
 */
import type { BeaconBatch, BeaconEvent } from '../../schemas/index.js';

/**
 * The envelope fields schema 1-1-0 added, which follow the player's tracks and protection
 * (`drm_system` is one of the schema's key systems: none, widevine, playready, fairplay, clearkey,
 * other; the languages are BCP 47 tags).
 */
export interface MediaFields {
  drm_system?: string;
  audio_language?: string;
  subtitle_language?: string;
}

/** A batch without its events and send time: one per session. */
export type Envelope = Omit<BeaconBatch, 'events' | 'sent_at'> & MediaFields;

/** One queued event and the session it belongs to. */
export interface QueueEntry {
  /** Session id (key into `envelopes`). */
  s: string;
  e: BeaconEvent;
}

/** The queue's serialisable state. */
export interface QueueState {
  entries: QueueEntry[];
  envelopes: Record<string, Envelope>;
}

/** The queue's operations. */
export interface EventQueue {
  /** Entries, oldest first. Do not mutate. */
  readonly entries: readonly QueueEntry[];
  envelope(sessionId: string): Envelope | undefined;
  /** Appends an event; returns the entries dropped to stay within the bound. */
  push(env: Envelope, event: BeaconEvent): QueueEntry[];
  /** Appends stored entries (adopted from an earlier page) that are not already queued. */
  merge(state: QueueState): QueueEntry[];
  /** Removes events by id. */
  remove(ids: ReadonlySet<string>): void;
  /** Removes every event of a session; returns how many. */
  removeSession(sessionId: string): number;
  size(): number;
  state(): QueueState;
}

/** JSON of events already serialised: queued events never change, and each is written many times. */
const jsonCache = new WeakMap<BeaconEvent, string>();

/**
 * `JSON.stringify(event)`, computed once per event: every queue write and every batch reuses it, so
 * writing a queue of 500 events after one more arrived serialises one event, not 500.
 */
export function eventJson(event: BeaconEvent): string {
  let json = jsonCache.get(event);
  if (json === undefined) {
    json = JSON.stringify(event);
    jsonCache.set(event, json);
  }
  return json;
}

/** Creates an empty queue holding at most `max` events. */
export function createQueue(max: number): EventQueue {
  let entries: QueueEntry[] = [];
  const envelopes: Record<string, Envelope> = {};

  /** Drops entries until at most `limit` remain. */
  function trim(limit: number): QueueEntry[] {
    const dropped: QueueEntry[] = [];
    while (entries.length > limit) {
      let i = entries.findIndex((x) => x.e.type === 'heartbeat');
      if (i < 0) i = 0;
      dropped.push(entries.splice(i, 1)[0]);
    }
    return dropped;
  }
  function pruneEnvelopes(): void {
    const live = new Set(entries.map((x) => x.s));
    for (const sid of Object.keys(envelopes)) if (!live.has(sid)) delete envelopes[sid];
  }

  return {
    get entries() {
      return entries;
    },
    envelope: (sid) => envelopes[sid],
    push(env, event) {
      const dropped = trim(max - 1);
      envelopes[env.session_id] = env;
      entries.push({ s: env.session_id, e: event });
      // Only a dropped event of another session can leave an envelope unused (a full queue drops one per push).
      if (dropped.some((x) => x.s !== env.session_id)) pruneEnvelopes();
      return dropped;
    },
    merge(state) {
      const have = new Set(entries.map((x) => x.e.id));
      const older: QueueEntry[] = [];
      for (const x of state.entries || []) {
        const env = x && state.envelopes?.[x.s];
        if (!env || !x.e || typeof x.e.id !== 'string' || have.has(x.e.id)) continue;
        have.add(x.e.id);
        envelopes[x.s] = env;
        older.push({ s: x.s, e: x.e });
      }
      // Stored events are older than anything created on this page: they go first (and drop first).
      entries = older.concat(entries);
      const dropped = trim(max);
      pruneEnvelopes();
      return dropped;
    },
    remove(ids) {
      if (!ids.size) return;
      entries = entries.filter((x) => !ids.has(x.e.id));
      pruneEnvelopes();
    },
    removeSession(sid) {
      const before = entries.length;
      entries = entries.filter((x) => x.s !== sid);
      pruneEnvelopes();
      return before - entries.length;
    },
    size: () => entries.length,
    state: () => ({ entries: entries.slice(), envelopes: { ...envelopes } }),
  };
}
