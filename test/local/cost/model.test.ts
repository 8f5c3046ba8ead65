import { describe, expect, it } from 'vitest';
import {
  ASSUMPTIONS,
  defaultBatchSize,
  eventsPerMonth,
  originalDemo,
  thisArchitecture,
  type Traffic,
} from '../../../local/cost/model.js';
import { PRICES } from '../../../local/cost/prices.js';
import { DEFAULTS } from '../../../player/config/defaults.js';
import { LIMITS } from '../../../schemas/limits.js';

/** 1,000 viewers for 1 h a day at 6 events a minute, batches of 10, one region: 10.8M events. */
const SMALL: Traffic = {
  viewers: 1000,
  hoursPerDay: 1,
  eventsPerMinute: 6,
  batchSize: 10,
  regions: 1,
  store: 'influxdb',
};

const byName = (lines: { component: string; usd: number; quantity: number }[]) =>
  Object.fromEntries(lines.map((l) => [l.component, l]));

describe('the traffic shape', () => {
  it('counts events over a 30-day month', () => {
    expect(eventsPerMonth(SMALL)).toBe(10_800_000);
  });

  it('defaults the batch to what the SDK flush collects, between 1 and a full batch', () => {
    expect(ASSUMPTIONS.sdkFlushSeconds * 1000).toBe(DEFAULTS.flushMs);
    expect(ASSUMPTIONS.maxBatchSize).toBe(LIMITS.maxEventsPerBatch);
    expect(defaultBatchSize(12)).toBe(2);
    expect(defaultBatchSize(8)).toBeCloseTo(1.3333, 4);
    expect(defaultBatchSize(3)).toBe(1);
    expect(defaultBatchSize(6000)).toBe(200);
  });
});

describe('this architecture, computed by hand', () => {
  const e = thisArchitecture(SMALL);
  const l = byName(e.lines);

  it.each([
    // 1.08M requests (10.8M events / 10).
    ['CloudFront HTTPS requests', 1.08],
    ['CloudFront Functions (viewer request)', 0.108],
    // bodies of 300 + 10 × 180 = 2,100 bytes: 2.268 GB at $0.02.
    ['CloudFront bodies to the edge function', 0.04536],
    ['CloudFront answers to viewers', 0.02754],
    ['Lambda@Edge requests', 0.648],
    // 1.08M × 25 ms × 0.5 GB (the deployed 512 MB) = 13,500 GB-s.
    ['Lambda@Edge duration', 0.675135],
    // events stream + bad-rows stream, 720 h each.
    ['Kinesis on-demand streams', 57.6],
    // 2,500-byte records count as 3 KB: 3.31776 GB.
    ['Kinesis data in (1 KB per record)', 0.2654208],
    ['Kinesis data out (consumer + archive)', 0.216],
    ['Firehose to S3 (5 KB per record)', 0.1603584],
    ['S3 archive storage', 0.027945],
    ['S3 archive PUTs', 0.0432],
    // 1.08M records in batches of 500 (the event source mapping's) = 2,160 invocations.
    ['Consumer Lambda requests', 0.000432],
    // (2,160 × 40 ms + 10.8M × 0.1 ms) × 0.5 GB = 583.2 GB-s.
    ['Consumer Lambda duration', 583.2 * 0.0000166667],
    ['Timestream for InfluxDB instances', 720 * PRICES.influxdbInstanceHour.usd],
    ['Timestream for InfluxDB storage', 20 * PRICES.influxdbStorage.usd],
    ['Managed Grafana editors', 9],
    ['Managed Grafana viewers', 10],
  ])('%s', (name, usd) => {
    expect(l[name].usd).toBeCloseTo(usd, 9);
  });

  it('adds the lines up, and divides by the millions of events', () => {
    expect(e.monthlyUsd).toBeCloseTo(
      e.lines.reduce((s, x) => s + x.usd, 0),
      9,
    );
    expect(e.usdPerMillionEvents).toBeCloseTo(e.monthlyUsd / 10.8, 9);
    expect(e.lines).toHaveLength(18);
  });

  it('swaps the InfluxDB lines for LiveAnalytics ones with --store timestream', () => {
    const t = byName(thisArchitecture({ ...SMALL, store: 'timestream' }).lines);
    expect(t['Timestream for InfluxDB instances']).toBeUndefined();
    // 10.8M records of 450 bytes, metered per KiB: 4,746,093.75 writes.
    expect(t['Timestream writes (1 KB units)'].usd).toBeCloseTo(4_746_093.75 * 0.5e-6, 9);
    expect(t['Timestream queries'].usd).toBe(60);
  });

  it('pays per request, so fewer, bigger batches cost less at the edge', () => {
    const one = byName(thisArchitecture({ ...SMALL, batchSize: 1 }).lines);
    expect(one['Lambda@Edge requests'].usd).toBeCloseTo(10 * l['Lambda@Edge requests'].usd, 9);
  });
});

describe('the original demo, computed by hand', () => {
  const e = originalDemo(SMALL);
  const l = byName(e.lines);

  it.each([
    ['API Gateway REST requests', 37.8],
    ['Kinesis on-demand stream', 28.8],
    // one 480-byte event per record, counted as 1 KB.
    ['Kinesis data in (1 KB per record)', 0.884736],
    ['Kinesis data out (Flink)', 0.20736],
    // 100 events/s → 1 KPU + 1 for orchestration, all month.
    ['Managed Flink KPUs (incl. orchestration)', 158.4],
    ['Managed Flink running storage', 10],
    ['Timestream writes (1 KB units)', 1.318359375],
    ['Timestream memory store', 0.0972],
    ['Timestream magnetic store', 0.0027],
    ['Timestream queries', 60],
  ])('%s', (name, usd) => {
    expect(l[name].usd).toBeCloseTo(usd, 9);
  });

  it('costs API Gateway per event, so its bill grows with events, not batches', () => {
    const big = byName(originalDemo({ ...SMALL, batchSize: 200 }).lines);
    expect(big['API Gateway REST requests'].usd).toBe(l['API Gateway REST requests'].usd);
  });
});

describe('the price table', () => {
  it('names an https source for every price and a positive amount', () => {
    for (const [id, p] of Object.entries(PRICES)) {
      expect(p.source, id).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(p.usd, id).toBeGreaterThan(0);
    }
  });
});
