import { describe, expect, it } from 'vitest';
import { COMPARE, designEffects, metricValue } from '../../../core-pipeline/diagnose/metrics.js';
import { emptyAggregate, sketchBucket } from '../../../core-pipeline/rollups/aggregate.js';

const agg = (over: Partial<ReturnType<typeof emptyAggregate>>) =>
  Object.assign(emptyAggregate(), over);

describe('metricValue', () => {
  it('computes each metric from the sums', () => {
    const a = agg({
      plays: 100,
      startFailures: 4,
      playbackFailures: 6,
      exitsBeforeStart: 5,
      playedMs: 570_000,
      stallMs: 30_000,
      stallCount: 20,
      bitrateWeighted: 3e6 * 570_000,
      bitratePlayedMs: 570_000,
      seeks: 4,
      seekMsSum: 1200,
      startupSketch: new Map([
        [sketchBucket(1000), 3],
        [sketchBucket(4000), 1],
      ]),
    });
    expect(metricValue('video_start_failure_rate', a)).toBe(0.04);
    expect(metricValue('playback_failure_rate', a)).toBe(0.1);
    expect(metricValue('exit_before_start_rate', a)).toBe(0.05);
    expect(metricValue('rebuffer_ratio', a)).toBe(0.05);
    expect(metricValue('rebuffer_frequency', a)).toBe(2);
    expect(metricValue('average_bitrate', a)).toBe(3e6);
    expect(metricValue('seek_latency', a)).toBe(300);
    expect(metricValue('startup_time', a, 50)).toBeCloseTo(1000, -2);
    expect(metricValue('startup_time', a, 90)).toBeCloseTo(4000, -2);
    expect(metricValue('seek_latency', emptyAggregate())).toBeNull();
  });
});

describe('designEffects', () => {
  it('takes twice the counter deltas per session (worst-case correlation, unequal lengths)', () => {
    expect(
      designEffects(agg({ sessions: 10, observations: 120, plays: 10, seeks: 30 })),
    ).toStrictEqual({
      deltasPerSession: 12,
      observations: 24,
      seeks: 6,
    });
    expect(designEffects(emptyAggregate())).toStrictEqual({
      deltasPerSession: 1,
      observations: 2,
      seeks: 1,
    });
  });
});

describe('startup_time', () => {
  it('tests the share above the baseline’s p50 and p90 and reports the stronger, doubled', () => {
    const ms = (v: number) => sketchBucket(v);
    // Baseline: 100 at 1 s, 100 at 2 s (p50 1 s, p90 2 s, each within the sketch's 1 %). Slice: 40 at 3 s, 10 at 1 s.
    const b = agg({
      startups: 200,
      startupSketch: new Map([
        [ms(1000), 100],
        [ms(2000), 100],
      ]),
    });
    const s = agg({
      startups: 50,
      startupSketch: new Map([
        [ms(1000), 10],
        [ms(3000), 40],
      ]),
    });
    const c = COMPARE.startup_time(s, b, { deltasPerSession: 1, observations: 1, seeks: 1 });
    // Above p50 (1 s): 40/50 against 100/200, z = 3.82; above p90 (2 s, the baseline's own p90
    // bucket, so none of it above): 40/50 against 0/200, pooled 0.16, z = 0.8/√(0.16·0.84·(1/50 +
    // 1/200)) = 13.8013. The stronger is reported with its p doubled (scipy: logsf(z) + ln 2).
    expect(c?.startup?.quantile).toBe(90);
    expect(c?.result.test).toBe('two_proportion_z');
    expect(c?.result.z).toBeCloseTo(13.801311186847085, 8);
    expect(c?.result.lnP).toBeCloseTo(-98.09383300638348, 4);
    expect(c?.sliceValue).toBeCloseTo(3000, -2);
    expect(c?.baselineValue).toBeCloseTo(2000, -2);
    expect(c?.startup?.slice.p50).toBeCloseTo(3000, -2);
    expect(c?.startup?.baseline.p50).toBeCloseTo(1000, -2);
  });

  it('is not tested under 30 startups', () => {
    const a = agg({ startups: 29, startupSketch: new Map([[100, 29]]) });
    expect(
      COMPARE.startup_time(a, agg({ startups: 500, startupSketch: new Map([[50, 500]]) }), {
        deltasPerSession: 1,
        observations: 1,
        seeks: 1,
      }),
    ).toBeNull();
  });
});
