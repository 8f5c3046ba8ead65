/**
 * The live write load during the measurement: a simulated audience sized to `eventsPerSecond`,
 * written through DuckDbStore.writeBatch every WRITE_EVERY_MS (as the consumer writes what each
 * poll brought), on the benchmark's virtual clock.
 */
import type { DuckDbStore } from '../../core-pipeline/sinks/duckdb.js';
import type { Rng } from '../../local/sim/random.js';
import { percentile } from '../report.js';
import { Audience } from './audience.js';

/** The consumer's poll interval: one write per poll. */
const WRITE_EVERY_MS = 200;
/** Rollup upkeep (compaction) interval, as the store's own timer would run it. */
const UPKEEP_EVERY_MS = 60_000;
/** Sessions start this long before the clock so the audience is in steady state at once. */
const WARM_UP_MS = 30 * 60_000;

/** What the loop wrote. */
export interface IngestStats {
  events: number;
  eventsPerSecond: number;
  writeP95Ms: number;
  /** Writes the store refused (e.g. out of memory while a heavy query ran); their events are lost. */
  failedWrites: number;
  firstError: string | null;
}

/** Starts the loop; `stop()` waits for the write in flight and reports. */
export function startIngest(
  store: DuckDbStore,
  opts: { eventsPerSecond: number; rng: Rng; meanEventsPerSession: number; now: () => number },
): { stop: () => Promise<IngestStats> } {
  const sessionsPerMinute = (opts.eventsPerSecond * 60) / opts.meanEventsPerSession;
  const audience = new Audience(opts.rng, sessionsPerMinute, opts.now() - WARM_UP_MS);
  audience.advance(opts.now(), false);
  const started = performance.now();
  const writes: number[] = [];
  let events = 0;
  let failedWrites = 0;
  let firstError: string | null = null;
  let running = true;
  let upkeepAt = performance.now() + UPKEEP_EVERY_MS;
  const loop = (async () => {
    while (running) {
      const tick = performance.now();
      // The store's upkeep timer is off (it reads the wall clock): run it on the virtual clock.
      if (tick >= upkeepAt) {
        upkeepAt = tick + UPKEEP_EVERY_MS;
        await store.maintainRollups(opts.now());
      }
      const rows = audience.advance(opts.now());
      try {
        await store.writeBatch({ ...rows, checkpoints: [] });
        events += rows.events.length;
      } catch (err) {
        failedWrites += 1;
        firstError ??= err instanceof Error ? err.message.split('\n')[0] : String(err);
      }
      writes.push(performance.now() - tick);
      const wait = WRITE_EVERY_MS - (performance.now() - tick);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const seconds = (performance.now() - started) / 1000;
      return {
        events,
        eventsPerSecond: events / seconds,
        writeP95Ms: percentile(writes, 95),
        failedWrites,
        firstError,
      };
    },
  };
}
