/**
 * The emitter: queues events, flushes them every `flushMs` (and at once when the tracker asks),
 * one request in flight at a time (keepalive bodies share a 64 KiB budget), retries with backoff,
 * and hands everything left to sendBeacon when the page is hidden or closing. Events leave the
 * queue only after success or a non-retryable answer.
 *
 * Persistence: writing the whole queue to storage is the most expensive step of handling an event
 * (docs/BENCHMARKS.md, sdk-cost), so a change is written at most `persistMs` later, and at once
 * when it matters: when the page is hidden or closing (a reload always finds every event), before
 * a request goes out and after an answer changed the queue. Only a crash loses the events of its
 * last `persistMs`.
 */
import type { BeaconEvent } from '../../schemas/index.js';
import { LIMITS } from '../../schemas/index.js';
import type { FetchLike, SendBeaconLike } from '../config/ports.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { TransportError } from '../errors.js';
import { SDK_NAME, SDK_VERSION } from '../version.js';
import type { Logger } from '../log.js';
import type { Clock, TimerHandle, Timers } from '../core/clock.js';
import { nextBatch, type OutgoingBatch } from './batch.js';
import type { Envelope, EventQueue } from './queue.js';
import { decide, retryDelay } from './retry.js';
import { sendFetch, sendWithBeacon } from './send.js';
import type { BatchResult, DeprecationNotice, StopReason } from './results.js';
import { parseDeprecation } from './deprecation.js';
import type { QueueStore } from './store.js';

/** What the transport needs. */
interface TransportDeps {
  config: Pick<
    ResolvedConfig,
    | 'endpoint'
    | 'flushMs'
    | 'persistMs'
    | 'maxBatchBytes'
    | 'retryBaseMs'
    | 'retryMaxMs'
    | 'neverRetry'
    | 'requestTimeoutMs'
    | 'schemaVersion'
  >;
  queue: EventQueue;
  store: QueueStore;
  fetch: FetchLike | null;
  sendBeacon: SendBeaconLike | null;
  clock: Clock;
  timers: Timers;
  random: () => number;
  log: Logger;
  /** Already guarded by the caller. */
  notify(result: BatchResult): void;
  /** The edge sent `Deprecation` (and `Sunset`) headers. */
  deprecated(notice: DeprecationNotice): void;
  /** A 410 stopped a session (or the tracker). */
  stopped(reason: StopReason): void;
}

/** The transport's operations; none of them throws. */
interface Transport {
  /** Queues an event (ignored for a session silenced by 410, or all after a retirement). */
  enqueue(env: Envelope, event: BeaconEvent): void;
  /** Sends everything now by fetch, unless a retry backoff is running. */
  flush(): void;
  /** Sends everything not in flight by sendBeacon (page hidden or closing). */
  flushBeacon(): void;
  /** Releases the storage lease (pagehide): until `claim`, every write leaves the queue to the next page. */
  release(): void;
  /** Takes the lease back (the page came back from the back/forward cache) and writes the queue. */
  claim(): void;
  /** Writes the queue to storage now (cancelling a pending deferred write). */
  persist(): void;
  setEndpoint(url: string): void;
  /** Stops timers; an in-flight request still completes and updates the queue. */
  destroy(): void;
}

/** Creates the transport. */
export function createTransport(d: TransportDeps): Transport {
  const { queue, log } = d;
  const limits = { maxBytes: d.config.maxBatchBytes, maxEvents: LIMITS.maxEventsPerBatch };
  const stopped = new Set<string>();
  /** A 410 retired this page's schema version or SDK release: nothing more is queued. */
  let retired = false;
  const inFlight = new Set<string>();
  let url = d.config.endpoint;
  let sending = false;
  let attempt = 0;
  let flushTimer: TimerHandle | null = null;
  let backoffTimer: TimerHandle | null = null;
  let persistTimer: TimerHandle | null = null;
  /** The queue changed since the last write. */
  let dirty = false;
  let destroyed = false;
  let released = false;

  function persist(): void {
    if (persistTimer !== null) d.timers.clearTimeout(persistTimer);
    persistTimer = null;
    dirty = false;
    // After release, every write leaves the queue to the next page instead of taking the lease back.
    if (released) d.store.release(queue.state());
    else d.store.save(queue.state());
  }
  /** Marks the queue changed; it is written within `persistMs` (sooner if something forces a write). */
  function changed(): void {
    dirty = true;
    // Not reset by later changes: a steady stream of events must not postpone the write forever.
    if (persistTimer === null && !destroyed)
      persistTimer = d.timers.setTimeout(persist, d.config.persistMs);
  }
  function clearFlushTimer(): void {
    if (flushTimer !== null) d.timers.clearTimeout(flushTimer);
    flushTimer = null;
  }
  function armFlushTimer(): void {
    if (destroyed || flushTimer !== null || backoffTimer !== null || !queue.size()) return;
    flushTimer = d.timers.setTimeout(() => {
      flushTimer = null;
      flush();
    }, d.config.flushMs);
  }

  /** Takes the next batch, dropping events too large to ever send. */
  function take(skip: ReadonlySet<string>): OutgoingBatch | null {
    const { out, oversized } = nextBatch(
      queue.entries,
      queue.envelope,
      skip,
      d.clock.now(),
      limits,
    );
    if (oversized.length) {
      log.warn(`dropped ${oversized.length} oversized event(s)`);
      queue.remove(new Set(oversized));
      changed();
    }
    return out;
  }

  async function sendLoop(): Promise<void> {
    sending = true;
    try {
      for (;;) {
        const out = take(inFlight);
        if (!out || !d.fetch) {
          if (out) log.error('no fetch');
          return;
        }
        for (const id of out.ids) inFlight.add(id);
        // A hung request would block every later one (one in flight at a time): abort and retry it.
        const abort = typeof AbortController === 'function' ? new AbortController() : null;
        const timer = d.timers.setTimeout(() => abort?.abort(), d.config.requestTimeoutMs);
        const r = await sendFetch(d.fetch, url, out.body, d.clock.now(), abort?.signal);
        d.timers.clearTimeout(timer);
        for (const id of out.ids) inFlight.delete(id);
        const decision = decide(r.status, d.config.neverRetry);
        const status = r.status ?? 0;
        const result = (outcome: BatchResult['outcome']): BatchResult => ({
          batch: out.batch,
          via: 'fetch',
          status,
          outcome,
          rejected: r.rejected,
        });
        if (decision === 'retry') {
          attempt++;
          const delay = retryDelay(
            attempt,
            { baseMs: d.config.retryBaseMs, maxMs: d.config.retryMaxMs },
            d.random(),
            r.retryAfterMs,
          );
          log.info(`retry ${attempt} in ${delay} ms (${status || 'network'})`, r.error);
          d.notify(result('retry'));
          if (!destroyed) {
            backoffTimer = d.timers.setTimeout(() => {
              backoffTimer = null;
              flush();
            }, delay);
          }
          return;
        }
        attempt = 0;
        // A batch adopted from an earlier page may be of another version: what the edge says about
        // it is about that version, not this page's, so it neither reports nor stops this page.
        const ownSchema = out.batch.schema_version === d.config.schemaVersion;
        const ownSdk = out.batch.sdk_name === SDK_NAME && out.batch.sdk_version === SDK_VERSION;
        if (r.deprecation && ownSchema && ownSdk)
          d.deprecated(parseDeprecation(out.batch, r.deprecation, r.sunset));
        if (decision === 'stop') {
          const sid = out.batch.session_id;
          stopped.add(sid);
          queue.removeSession(sid);
          const error = r.reason ?? 'gone';
          // Every later session of this page would get a retirement of its own version too.
          const mine =
            (error === 'schema_retired' && ownSchema) || (error === 'sdk_retired' && ownSdk);
          const scope = mine ? 'tracker' : 'session';
          if (scope === 'tracker') retired = true;
          log.warn(
            `410 ${error}: ${scope === 'tracker' ? 'tracker' : `session ${sid}`} stopped`,
            r.detail,
          );
          d.stopped({ sessionId: sid, status, error, detail: r.detail, upgrade: r.upgrade, scope });
        } else {
          queue.remove(new Set(out.ids));
          if (decision === 'drop')
            log.warn('batch dropped', new TransportError(`${status} ${r.reason ?? ''}`, status));
        }
        if (r.rejected.length) log.warn(`edge rejected ${r.rejected.length} event(s)`, r.rejected);
        persist(); // what the edge answered for is gone for good: a reload must not send it again
        d.notify(
          result(decision === 'success' ? 'sent' : decision === 'stop' ? 'stopped' : 'dropped'),
        );
      }
    } finally {
      sending = false;
      armFlushTimer();
    }
  }

  function flush(): void {
    if (sending || backoffTimer !== null) return;
    clearFlushTimer();
    // Events about to leave in a request are stored first, in case the page dies while it is in flight.
    if (dirty) persist();
    sendLoop().catch((err) => log.error('send loop failed', err));
  }

  return {
    enqueue(env, event) {
      if (retired || stopped.has(env.session_id)) return;
      const dropped = queue.push(env, event);
      if (dropped.length)
        log.info(
          `queue full: dropped ${dropped.length} event(s)`,
          dropped.map((x) => x.e.type),
        );
      changed();
      armFlushTimer();
    },
    flush,
    flushBeacon() {
      if (!d.sendBeacon) return flush();
      clearFlushTimer();
      const skip = new Set(inFlight);
      for (let out = take(skip); out; out = take(skip)) {
        if (!sendWithBeacon(d.sendBeacon, url, out.body)) {
          // Over the beacon quota: the rest stays in storage for the next page.
          log.info('sendBeacon refused');
          break;
        }
        queue.remove(new Set(out.ids));
        d.notify({ batch: out.batch, via: 'beacon', status: 0, outcome: 'sent', rejected: [] });
      }
      persist();
    },
    release() {
      released = true;
      persist();
    },
    claim() {
      released = false;
      persist();
    },
    persist,
    setEndpoint(next) {
      if (typeof next === 'string' && next) url = next;
      else log.warn('invalid endpoint');
    },
    destroy() {
      destroyed = true;
      clearFlushTimer();
      if (backoffTimer !== null) d.timers.clearTimeout(backoffTimer);
      backoffTimer = null;
      if (persistTimer !== null) d.timers.clearTimeout(persistTimer);
      persistTimer = null;
    },
  };
}
