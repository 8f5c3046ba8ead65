import { describe, expect, it } from 'vitest';
import {
  expandInfluxQL,
  expandTimestream,
  formatInterval,
  grafanaIntervalMs,
  roundInterval,
} from '../../grafana/macros.js';

const MIN = 60_000;

describe('Grafana interval', () => {
  it.each([
    // range, max data points, what Grafana picks
    [15 * MIN, 100, 10_000], // 9 s → 10 s
    [15 * MIN, 1000, 1_000], // 900 ms → 1 s
    [60 * MIN, 100, 30_000], // 36 s → 30 s
    [6 * 60 * MIN, 100, 300_000], // 216 s → 5 m
    [5 * MIN, 1000, 200], // 300 ms → 200 ms (below 350 ms)
  ])('%i ms over %i points', (range, points, expected) => {
    expect(grafanaIntervalMs({ fromMs: 0, toMs: range }, points)).toBe(expected);
  });

  it('never goes below the minimum interval', () => {
    expect(grafanaIntervalMs({ fromMs: 0, toMs: 15 * MIN }, 1000, 10_000)).toBe(10_000);
  });

  it('rounds at the same edges as Grafana', () => {
    expect([14, 15, 7499, 7500, 12499, 12500, 89_999, 90_000].map(roundInterval)).toStrictEqual([
      10, 20, 5000, 10_000, 10_000, 15_000, 60_000, 120_000,
    ]);
    expect(roundInterval(1e12)).toBe(31_536_000_000);
  });

  it('writes the interval in its largest whole unit', () => {
    expect(
      [200, 1000, 10_000, 60_000, 120_000, 3_600_000, 86_400_000, 604_800_000].map(formatInterval),
    ).toStrictEqual(['200ms', '1s', '10s', '1m', '2m', '1h', '1d', '7d']);
  });
});

describe('macro expansion', () => {
  const ctx = { fromMs: 1_767_225_603_500, toMs: 1_767_226_503_500, intervalMs: 10_000 };

  it('expands InfluxQL as Grafana’s backend does', () => {
    expect(
      expandInfluxQL(
        'SELECT count("seq") * 1000 / $__interval_ms FROM "m" WHERE $timeFilter GROUP BY time($__interval), time($interval)',
        ctx,
      ),
    ).toBe(
      'SELECT count("seq") * 1000 / 10000 FROM "m" WHERE time >= 1767225603500ms and time <= 1767226503500ms GROUP BY time(10s), time(10s)',
    );
  });

  it('expands the Timestream plugin’s macros', () => {
    expect(
      expandTimestream(
        'SELECT floor(to_milliseconds(time) / $__interval_ms) FROM $__database.$__table WHERE $__timeFilter',
        { ...ctx, database: '"beacon-edge"', table: '"events"' },
      ),
    ).toBe(
      'SELECT floor(to_milliseconds(time) / 10000) FROM "beacon-edge"."events" WHERE time BETWEEN from_milliseconds(1767225603500) AND from_milliseconds(1767226503500)',
    );
  });
});
