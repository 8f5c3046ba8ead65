import { describe, expect, it } from 'vitest';
import { formatJson, formatText } from '../../../local/cost/format.js';
import { originalDemo, thisArchitecture, type Traffic } from '../../../local/cost/model.js';
import { PRICES_DATE } from '../../../local/cost/prices.js';

const traffic: Traffic = {
  viewers: 1000,
  hoursPerDay: 1,
  eventsPerMinute: 6,
  batchSize: 10,
  regions: 1,
  store: 'influxdb',
};
const ours = thisArchitecture(traffic);
const demo = originalDemo(traffic);

describe('the cost report', () => {
  const text = formatText(traffic, ours, demo);

  it('shows every line of both estimates, their totals and the cost per million beacons', () => {
    for (const l of [...ours.lines, ...demo.lines]) expect(text).toContain(l.component);
    expect(text).toContain('= 10.8M events (beacons) a month, 1 region(s)');
    expect(text.match(/total per month/g)).toHaveLength(2);
    expect(text.match(/per million beacons \(events\)/g)).toHaveLength(2);
    expect(text).toContain(`read ${PRICES_DATE}`);
  });

  it('marks the lines whose price is unconfirmed', () => {
    expect(text).toMatch(/Kinesis on-demand streams .* \*$/m);
    expect(text).toMatch(/Lambda@Edge requests .*\$0\.6480$/m);
  });

  it('gives the same numbers as JSON', () => {
    const json = JSON.parse(formatJson(traffic, ours, demo));
    expect(json.estimates[0].monthlyUsd).toBeCloseTo(ours.monthlyUsd, 9);
    expect(json.estimates[1].usdPerMillionEvents).toBeCloseTo(demo.usdPerMillionEvents, 9);
    expect(json.pricesDate).toBe(PRICES_DATE);
    expect(json.prices.apiGatewayRest.source).toBe('https://aws.amazon.com/api-gateway/pricing/');
  });
});
