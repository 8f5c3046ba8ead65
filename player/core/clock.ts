/**
 * Time and timers, injected so the QoE state machine and the transport can be driven by fake
 * timers in tests. Defaults read the globals at call time (not at import), so fake timers
 * installed after the SDK was loaded still take effect.
 */

/** Wall clock for event timestamps plus a monotonic clock for durations. */
export interface Clock {
  /** Milliseconds since the epoch (event `ts`, batch `sent_at`). */
  now(): number;
  /** Monotonic milliseconds (durations); must not jump when the wall clock is adjusted. */
  mono(): number;
}

/** Opaque timer handle. */
export type TimerHandle = unknown;

/** The subset of the timer globals the SDK uses. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Date.now for timestamps, performance.now (when present) for durations. */
export const systemClock: Clock = {
  now: () => Date.now(),
  mono: () => {
    const p = globalThis.performance;
    return p && typeof p.now === 'function' ? p.now() : Date.now();
  },
};

/** The global setTimeout/clearTimeout. */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};
