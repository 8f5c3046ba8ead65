/**
 * A synthetic audience built straight into QoE aggregates, for the diagnose analysis' tests: sessions
 * with heartbeats every 10 s, per-session stall propensity (so counter deltas within a session
 * are correlated, as in real traffic), log-normal startup, failures, bitrate levels and seeks,
 * over POPs, countries, ASNs and devices. Faults scale one behaviour of one slice. Seeded.
 * This is a test input for the statistics, not the product's simulator (local/sim/).
 */
import {
  emptyAggregate,
  mergeInto,
  type QoeAggregate,
  type RollupDimension,
  sketchBucket,
  type SliceKey,
} from '../../core-pipeline/rollups/aggregate.js';
import type { DiagnoseInput } from '../../core-pipeline/diagnose/diagnose.js';
import { createRng, type Rng } from '../../local/sim/random.js';

/** One behaviour of one slice made worse. */
export interface AudienceFault {
  dimension: 'pop' | 'country' | 'asn' | 'device';
  value: string;
  kind: 'stall' | 'start_failure' | 'exit' | 'startup' | 'bitrate' | 'seek';
  /** Multiplier of the behaviour (stall rate, failure probability, startup, bitrate, seek time). */
  factor: number;
}

const POPS = [
  { pop: 'FRA56-C1', country: 'DE', weight: 20 },
  { pop: 'MAD50-C2', country: 'ES', weight: 8 },
  { pop: 'CDG50-C1', country: 'FR', weight: 14 },
  { pop: 'LHR61-C1', country: 'GB', weight: 16 },
  { pop: 'IAD89-C3', country: 'US', weight: 25 },
  { pop: 'GRU50-C1', country: 'BR', weight: 9 },
  { pop: 'NRT57-C2', country: 'JP', weight: 5 },
  { pop: 'SIN52-C1', country: 'SG', weight: 3 },
];
const DEVICES = ['desktop', 'mobile', 'tv', 'tablet'];
const DIMS = ['pop', 'country', 'asn', 'device'] as const satisfies readonly RollupDimension[];

type Place = Record<(typeof DIMS)[number], string>;

/** One session as a rollup row: its minute index (0..9), its slice and its aggregate. */
export interface AudienceRow {
  minute: number;
  key: Partial<SliceKey>;
  agg: QoeAggregate;
}

function session(rng: Rng, place: Place, faults: AudienceFault[]): QoeAggregate {
  const f = (kind: AudienceFault['kind']) =>
    faults
      .filter((x) => x.kind === kind && place[x.dimension] === x.value)
      .reduce((m, x) => m * x.factor, 1);
  const a = emptyAggregate();
  a.sessions = 1;
  a.plays = 1;
  a.events = 2;
  if (rng.chance(0.02 * f('start_failure'))) {
    a.startFailures = 1;
    return a;
  }
  if (rng.chance(0.03 * f('exit'))) {
    a.exitsBeforeStart = 1;
    return a;
  }
  const startup = rng.logNormal(1000 * f('startup'), 0.5);
  a.startups = 1;
  a.startupMsSum = startup;
  a.startupSketch.set(sketchBucket(startup), 1);
  // Per-session stall propensity: most sessions never stall, a few stall a lot.
  const stallRate = rng.chance(0.3) ? -Math.log(1 - rng.next()) * 0.06 * f('stall') : 0;
  const level = rng.pick([1.5e6, 3e6, 6e6]) * f('bitrate') * (0.9 + 0.2 * rng.next());
  const heartbeats = rng.int(2, 30);
  for (let i = 0; i < heartbeats; i++) {
    const stalls = rng.chance(Math.min(0.9, stallRate)) ? 1 : 0;
    const stall = stalls * rng.int(500, 3000);
    const played = 10_000 - stall;
    const watch = played + stall;
    a.playedMs += played;
    a.stallMs += stall;
    a.stallCount += stalls;
    a.stallSq += stall * stall;
    a.watchSq += watch * watch;
    a.stallWatch += stall * watch;
    a.observations += 1;
    a.bitrateWeighted += level * played;
    a.bitratePlayedMs += played;
    a.bitrateWeightedSq += (level * played) ** 2;
    a.bitratePlayedSq += played * played;
    a.bitrateCross += level * played * played;
    a.events += 1;
  }
  if (rng.chance(0.3)) {
    const seek = rng.logNormal(300 * f('seek'), 0.4);
    a.seeks = 1;
    a.seekMsSum = seek;
    a.seekMsSq = seek * seek;
  }
  return a;
}

/**
 * `sessions` sessions aggregated into the window's total and every slice of pop, country, asn and
 * device (with the given faults), as `diagnose` takes them.
 */
export function syntheticAudience(
  seed: number,
  sessions: number,
  faults: AudienceFault[] = [],
): DiagnoseInput & { rows: AudienceRow[] } {
  const rng = createRng(seed);
  const total = emptyAggregate();
  const slices = new Map<string, Map<string, QoeAggregate>>(DIMS.map((d) => [d, new Map()]));
  const rows: AudienceRow[] = [];
  for (let i = 0; i < sessions; i++) {
    const p = rng.weighted(POPS);
    const place: Place = {
      pop: p.pop,
      country: p.country,
      asn: `${p.country}-${rng.int(1, 4)}`,
      device: rng.pick(DEVICES),
    };
    const a = session(rng, place, faults);
    rows.push({ minute: rng.int(0, 9), key: { ...place }, agg: a });
    mergeInto(total, a);
    for (const d of DIMS) {
      const m = slices.get(d) as Map<string, QoeAggregate>;
      const agg = m.get(place[d]) ?? emptyAggregate();
      m.set(place[d], mergeInto(agg, a));
    }
  }
  return {
    rows,
    total,
    dimensions: DIMS.map((dimension) => ({
      dimension,
      slices: [...(slices.get(dimension) as Map<string, QoeAggregate>)].map(([value, agg]) => ({
        value,
        agg,
      })),
    })),
  };
}
