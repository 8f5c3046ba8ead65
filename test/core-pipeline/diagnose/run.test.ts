import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../core-pipeline/diagnose/diagnose.js';
import { metricValue } from '../../../core-pipeline/diagnose/metrics.js';
import { diagnoseWindow } from '../../../core-pipeline/diagnose/run.js';
import {
  emptyAggregate,
  mergeInto,
  ROLLUP_DIMENSIONS,
  subtract,
} from '../../../core-pipeline/rollups/aggregate.js';
import { syntheticAudience } from '../../helpers/diagnose-audience.js';
import { memoryRollups } from '../../helpers/memory-rollups.js';

const T0 = Date.UTC(2026, 10, 30, 2, 0);
const at = (rows: ReturnType<typeof syntheticAudience>['rows']) =>
  rows.map((r) => ({ ...r, minute: T0 + r.minute * 60_000 }));

describe('diagnoseWindow', () => {
  it('ranks from the rollups as the analysis does, and explains the top finding per minute', async () => {
    const audience = syntheticAudience(4, 8_000, [
      { dimension: 'asn', value: 'FR-3', kind: 'stall', factor: 6 },
    ]);
    const rollups = memoryRollups(at(audience.rows));
    const answer = await diagnoseWindow(rollups, {
      from: new Date(T0 + 5_000),
      to: new Date(T0 + 9 * 60_000 + 30_000),
    });
    expect(answer.window).toStrictEqual({
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 10 * 60_000).toISOString(),
    });
    expect(answer.audience.plays).toBe(8_000);
    const direct = diagnose(audience);
    expect(answer.findings).toStrictEqual(direct.findings.slice(0, 20));
    expect(answer.found).toBe(direct.findings.length);
    expect(answer.testsRun).toBe(direct.testsRun);
    const top = answer.top;
    expect(top?.finding).toMatchObject({ dimension: 'asn', value: 'FR-3' });
    expect(top?.series.map((p) => p.t)).toStrictEqual(
      Array.from({ length: 10 }, (_, i) => T0 + i * 60_000),
    );
    // Minute 3 by hand: the slice's rows, and the total's minus them.
    const minute = audience.rows.filter((r) => r.minute === 3);
    const sum = (rows: typeof minute) =>
      rows.reduce((a, r) => mergeInto(a, r.agg), emptyAggregate());
    const slice = sum(minute.filter((r) => r.key.asn === 'FR-3'));
    const all = sum(minute);
    const metric = top?.finding.metric ?? 'rebuffer_ratio';
    expect(top?.series[3].slice).toBeCloseTo(metricValue(metric, slice) ?? Number.NaN, 12);
    expect(top?.series[3].baseline).toBeCloseTo(
      metricValue(metric, subtract(all, slice)) ?? Number.NaN,
      12,
    );
    // Every dimension read once over the window, then the slice's and the total's series.
    expect(rollups.calls).toHaveLength(ROLLUP_DIMENSIONS.length + 2);
  });

  it('draws the top finding of a long window in coarser buckets, at most 1,440 of them', async () => {
    const audience = syntheticAudience(4, 8_000, [
      { dimension: 'asn', value: 'FR-3', kind: 'stall', factor: 6 },
    ]);
    const days = 8;
    const answer = await diagnoseWindow(memoryRollups(at(audience.rows)), {
      from: new Date(T0),
      to: new Date(T0 + days * 86_400_000),
    });
    const t = answer.top?.series.map((p) => p.t) ?? [];
    expect(t.length).toBeLessThanOrEqual(1_440);
    expect(t[1] - t[0]).toBe(days * 60_000);
  });

  it('answers no findings and no top over an empty window', async () => {
    const answer = await diagnoseWindow(memoryRollups([]), {
      from: new Date(T0),
      to: new Date(T0 + 15 * 60_000),
      limit: 5,
    });
    expect(answer).toStrictEqual({
      window: { from: new Date(T0).toISOString(), to: new Date(T0 + 15 * 60_000).toISOString() },
      audience: { plays: 0, sessions: 0, watchMinutes: 0 },
      testsRun: 0,
      alpha: 0.001,
      minRelativeEffect: 0.2,
      found: 0,
      findings: [],
      top: null,
    });
  });

  it('returns at most `limit` findings', async () => {
    const audience = syntheticAudience(5, 8_000, [
      { dimension: 'pop', value: 'IAD89-C3', kind: 'startup', factor: 3 },
      { dimension: 'device', value: 'tv', kind: 'exit', factor: 5 },
    ]);
    const answer = await diagnoseWindow(memoryRollups(at(audience.rows)), {
      from: new Date(T0),
      to: new Date(T0 + 10 * 60_000),
      limit: 2,
    });
    expect(answer.findings).toHaveLength(2);
    expect(answer.found).toBeGreaterThan(2);
  });
});
