/**
 * The issue's acceptance for diagnose: simulated traffic (the simulator's backfill, through the
 * real core pipeline into DuckDB with its rollups) with one injected fault per metric, then
 * diagnose over the rollup read side for those 2 minutes: the faulty slice should rank first,
 * and with no fault nothing should be significant. Run over several seeds; the test prints the
 * miss and false-alarm rates and bounds them. Takes minutes: 100,000 events per run.
 */
import { describe, expect, it } from 'vitest';
import { diagnoseWindow } from '../../../core-pipeline/diagnose/run.js';
import { createDuckDbRollupQueries } from '../../../core-pipeline/queries/duckdb-rollups.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { backfill } from '../../../local/sim/backfill.js';
import { parseFault } from '../../../local/sim/faults.js';

const NOW = Date.UTC(2026, 10, 30, 3, 0, 0);
const WINDOW_MS = 2 * 60_000;
/** Events in the 2 minutes: about 7,000 sessions of the simulator's audience. */
const EVENTS = Number(process.env.DIAGNOSE_ACCEPTANCE_EVENTS ?? 100_000);
const SEEDS = [1, 2, 3];

const FAULTS = [
  // The edge stores a POP as its IATA code (what a CloudFront Function sees), so MAD50-C2 is pop=MAD.
  ['pop=MAD50-C2:stall-rate=5x', 'pop', 'MAD', /^rebuffer_/],
  ['asn=3320:failure=10%', 'asn', '3320', /^(video_start|playback)_failure_rate$/],
  ['country=BR:startup=+2s', 'country', 'BR', /^startup_time$/],
  ['region=eu-central-1:bitrate=0.5x', 'serving_region', 'eu-central-1', /^average_bitrate$/],
  ['device=tablet:exit=20%', 'device', 'tablet', /^exit_before_start_rate$/],
  ['content=sintel:playback-failure=10%', 'content_id', 'sintel', /^playback_failure_rate$/],
  ['player=dash.js:seek=+2s', 'player_name', 'dash.js', /^seek_latency$/],
] as const;

async function diagnoseAfter(seed: number, faults: string[]) {
  const store = await DuckDbStore.open(':memory:');
  try {
    await backfill({
      sink: store,
      events: EVENTS,
      sinceMs: WINDOW_MS,
      nowMs: NOW,
      seed,
      faults: faults.map(parseFault),
    });
    return await diagnoseWindow(createDuckDbRollupQueries(store), {
      from: new Date(NOW - WINDOW_MS),
      to: new Date(NOW),
    });
  } finally {
    await store.close();
  }
}

describe('diagnose on 2 minutes of simulated traffic', () => {
  it('ranks each injected fault first and finds nothing without one', async () => {
    const misses: string[] = [];
    for (const [fault, dimension, value, metric] of FAULTS)
      for (const seed of SEEDS) {
        const top = (await diagnoseAfter(seed, [fault])).findings[0];
        const hit = top?.dimension === dimension && top.value === value && metric.test(top.metric);
        if (!hit)
          misses.push(
            `${fault} seed ${seed}: top ${top ? `${top.metric} ${top.dimension}=${top.value}` : 'none'}`,
          );
      }
    const alarms: string[] = [];
    for (const seed of SEEDS) {
      const a = await diagnoseAfter(seed, []);
      expect(a.testsRun).toBeGreaterThan(100);
      if (a.findings.length > 0) alarms.push(`seed ${seed}: ${a.findings.length} findings`);
    }
    const runs = FAULTS.length * SEEDS.length;
    console.log(
      `diagnose acceptance (${EVENTS} events, seeds ${SEEDS.join(',')}): missed ${misses.length}/${runs} faults, false alarms in ${alarms.length}/${SEEDS.length} fault-free runs\n  ${[...misses, ...alarms].join('\n  ')}`,
    );
    expect(alarms).toStrictEqual([]);
    // A 10 % failure rate on a slice of a few hundred plays is at the edge of what 2 minutes
    // can show at this false-discovery rate: at most one miss in the 21 runs.
    expect(misses.length).toBeLessThanOrEqual(1);
  }, 1_800_000);
});
