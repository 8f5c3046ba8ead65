/**
 * `beacons cost`: reads the traffic shape from the flags, runs the model for this architecture
 * and for the original AWS demo, and prints the comparison. Every bad flag is a UsageError.
 */
import { intFlag, numberFlag, parseFlags } from '../cli-args.js';
import { UsageError } from '../errors.js';
import { formatJson, formatText } from './format.js';
import { ASSUMPTIONS, originalDemo, thisArchitecture, type Traffic } from './model.js';

/** Defaults: a mid-sized live stream. */
export const COST_DEFAULTS = {
  viewers: 10_000,
  hoursPerDay: 4,
  eventsPerMinute: 8,
  regions: 3,
  store: 'influxdb',
} as const;

/** The flags as a traffic shape. @throws UsageError naming the flag at fault. */
export function parseCostFlags(args: string[]): { traffic: Traffic; json: boolean } {
  const f = parseFlags('cost', args, {
    viewers: { type: 'string' },
    hours: { type: 'string' },
    'events-per-minute': { type: 'string' },
    'batch-size': { type: 'string' },
    regions: { type: 'string' },
    store: { type: 'string' },
    json: { type: 'boolean' },
  });
  const store = f.store ?? COST_DEFAULTS.store;
  if (store !== 'influxdb' && store !== 'timestream')
    throw new UsageError(`--store must be influxdb or timestream, got "${store}"`);
  const d = COST_DEFAULTS;
  return {
    traffic: {
      viewers: intFlag('viewers', f.viewers, d.viewers, 1, 100_000_000),
      hoursPerDay: numberFlag('hours', f.hours, d.hoursPerDay, 0.1, 24),
      eventsPerMinute: numberFlag(
        'events-per-minute',
        f['events-per-minute'],
        d.eventsPerMinute,
        0.1,
        6000,
      ),
      batchSize:
        f['batch-size'] === undefined
          ? undefined
          : intFlag('batch-size', f['batch-size'], 1, 1, ASSUMPTIONS.maxBatchSize),
      regions: intFlag('regions', f.regions, d.regions, 1, 30),
      store,
    },
    json: f.json ?? false,
  };
}

/** Runs `beacons cost`; resolves to the exit code. */
export async function cost(args: string[]): Promise<number> {
  const { traffic, json } = parseCostFlags(args);
  const ours = thisArchitecture(traffic);
  const demo = originalDemo(traffic);
  console.log(json ? formatJson(traffic, ours, demo) : formatText(traffic, ours, demo));
  return 0;
}
