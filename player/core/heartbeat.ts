/**
 * The heartbeat timer: fires every `intervalMs` while playback is running, so cumulative counters
 * reach the server even when nothing else happens (the server keeps no session state). A chained
 * setTimeout rather than setInterval: a throttled background tab then fires late instead of
 * bursting, and stop/start never leaves two timers running.
 */
import type { TimerHandle, Timers } from './clock.js';

/** A start/stop timer; both calls are idempotent. */
interface Heartbeat {
  /** Starts beating if not already running (first beat one interval from now). */
  start(): void;
  stop(): void;
}

/** Creates a heartbeat calling `beat` every `intervalMs` between start() and stop(). */
export function createHeartbeat(intervalMs: number, timers: Timers, beat: () => void): Heartbeat {
  let handle: TimerHandle | null = null;
  const arm = () => {
    handle = timers.setTimeout(() => {
      handle = null;
      arm();
      beat();
    }, intervalMs);
  };
  return {
    start: () => {
      if (handle === null) arm();
    },
    stop: () => {
      if (handle !== null) timers.clearTimeout(handle);
      handle = null;
    },
  };
}
