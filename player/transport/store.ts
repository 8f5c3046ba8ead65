/**
 * Persistence of the queue in Web Storage, so events survive a reload or a crash.
 *
 * localStorage is shared by every tab of the origin, so each tracker instance writes its own key
 * (`<prefix>:q:<instance>`) with a lease. A new page adopts (merges into its queue and deletes) the
 * queues whose lease ran out: a page that closed normally released its lease on pagehide, so a
 * reload adopts at once; a crashed page is adopted once its lease expires. A live tab keeps its
 * lease by saving. Two tabs racing to adopt the same key can only cause a duplicate send, which the
 * edge drops by event id; nothing is lost.
 *
 * Every storage call is guarded: quota errors, privacy modes and broken storages are logged and
 * the queue carries on in memory.
 */
import { StorageError } from '../errors.js';
import type { StorageLike } from '../config/ports.js';
import type { Logger } from '../log.js';
import { eventJson, type QueueState } from './queue.js';

/** Stored form of one instance's queue. */
interface StoredQueue extends QueueState {
  v: 1;
  /** Epoch ms until which the writing page owns this key; 0 once released. */
  lease: number;
}

/** Persistence operations; none of them throws. */
export interface QueueStore {
  /** Removes and returns the queues of pages that are gone. */
  adopt(): QueueState;
  /** Writes this page's queue (renewing the lease), or removes the key when the queue is empty. */
  save(state: QueueState): void;
  /** Writes this page's queue with its lease released (pagehide), so the next page adopts it now. */
  release(state: QueueState): void;
}

/** Options of `createStore`. */
interface StoreOptions {
  storage: StorageLike | null;
  prefix: string;
  instanceId: string;
  now: () => number;
  leaseMs: number;
  log: Logger;
}

/** Creates the store; with `storage: null` every operation is a no-op. */
export function createStore(o: StoreOptions): QueueStore {
  const base = `${o.prefix}:q:`;
  const own = base + o.instanceId;
  const fail = (what: string, key: string, cause: unknown) =>
    storageFailed(o.log, what, key, cause);

  function write(state: QueueState, lease: number): void {
    if (!o.storage) return;
    try {
      if (!state.entries.length) o.storage.removeItem(own);
      else o.storage.setItem(own, serialise(state, lease));
    } catch (err) {
      fail('write', own, err);
    }
  }

  return {
    adopt() {
      const out: QueueState = { entries: [], envelopes: {} };
      const s = o.storage;
      if (!s) return out;
      let keys: string[] = [];
      try {
        for (let i = 0; i < s.length; i++) {
          const k = s.key(i);
          if (k?.startsWith(base) && k !== own) keys.push(k);
        }
      } catch (err) {
        fail('scan', base, err);
        keys = [];
      }
      const now = o.now();
      for (const k of keys) {
        try {
          const raw = s.getItem(k);
          const q = raw ? (JSON.parse(raw) as StoredQueue) : null;
          if (q && q.v === 1 && typeof q.lease === 'number' && q.lease > now) continue; // another live tab
          if (q && Array.isArray(q.entries) && q.envelopes && typeof q.envelopes === 'object') {
            out.entries.push(...q.entries);
            Object.assign(out.envelopes, q.envelopes);
          }
          s.removeItem(k);
        } catch (err) {
          fail('adopt', k, err);
          try {
            s.removeItem(k); // a corrupt entry would fail on every page load
          } catch {
            // already reported
          }
        }
      }
      return out;
    },
    save: (state) => write(state, o.now() + o.leaseMs),
    release: (state) => write(state, 0),
  };
}

/**
 * The stored JSON of a queue (a `StoredQueue`), built from each event's cached JSON: writing the
 * queue again after a few events were added serialises only those events.
 */
export function serialise(state: QueueState, lease: number): string {
  const sids = new Map<string, string>();
  const entries = state.entries.map((x) => {
    let sid = sids.get(x.s);
    if (sid === undefined) {
      sid = JSON.stringify(x.s);
      sids.set(x.s, sid);
    }
    return `{"s":${sid},"e":${eventJson(x.e)}}`;
  });
  return `{"v":1,"lease":${lease},"entries":[${entries.join(',')}],"envelopes":${JSON.stringify(state.envelopes)}}`;
}

/** Logs a storage failure; the caller carries on in memory. */
function storageFailed(log: Logger, what: string, key: string, cause: unknown): void {
  const err = new StorageError(`storage ${what} failed`, key, { cause });
  log.warn(err.message, err);
}

/**
 * Reads the stored pseudonymous viewer id, creating one with `make` when absent.
 * Without storage the id lives as long as the page.
 */
export function loadViewerId(
  storage: StorageLike | null,
  prefix: string,
  make: () => string,
  log: Logger,
): string {
  const key = `${prefix}:vid`;
  try {
    const v = storage?.getItem(key);
    if (v) return v;
  } catch (err) {
    storageFailed(log, 'read', key, err);
  }
  const id = make();
  try {
    storage?.setItem(key, id);
  } catch (err) {
    storageFailed(log, 'write', key, err);
  }
  return id;
}
