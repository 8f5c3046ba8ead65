/**
 * How `beacons cost` prints an estimate: a table per architecture with one line per charge, then
 * the comparison, the assumptions and the price table's date and sources; or all of it as JSON.
 */
import { ASSUMPTIONS, type Estimate, type Traffic } from './model.js';
import { PRICES, PRICES_DATE, PRICES_REGION, price } from './prices.js';

const usd = (n: number): string =>
  n >= 100 ? `$${Math.round(n).toLocaleString('en-US')}` : `$${n.toFixed(n >= 1 ? 2 : 4)}`;

const qty = (n: number): string =>
  n >= 1e6
    ? `${(n / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })}M`
    : n.toLocaleString('en-US', { maximumFractionDigits: 2 });

function table(e: Estimate): string[] {
  const rows = e.lines.map((l) => [
    l.component,
    `${qty(l.quantity)} ${l.unit}`,
    usd(l.usd),
    price(l.price).note ? '*' : '',
  ]);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return [
    `${e.name}`,
    ...rows.map(
      ([a, b, c, d]) =>
        `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c.padStart(10)}${d ? ` ${d}` : ''}`,
    ),
    `  ${'total per month'.padEnd(w0)}  ${''.padStart(w1)}  ${usd(e.monthlyUsd).padStart(10)}`,
    `  ${'per million beacons (events)'.padEnd(w0)}  ${''.padStart(w1)}  ${usd(e.usdPerMillionEvents).padStart(10)}`,
  ];
}

/** The human-readable report. */
export function formatText(traffic: Traffic, ours: Estimate, demo: Estimate): string {
  const ratio = ours.monthlyUsd > 0 ? demo.monthlyUsd / ours.monthlyUsd : 0;
  return [
    `Traffic: ${traffic.viewers.toLocaleString('en-US')} viewers at once, ${traffic.hoursPerDay} h a day, ${traffic.eventsPerMinute} events per viewer-minute`,
    `         = ${qty(ours.events)} events (beacons) a month, ${traffic.regions} region(s)`,
    '',
    ...table(ours),
    '',
    ...table(demo),
    '',
    `The original demo costs ${ratio.toFixed(1)}× this architecture for this traffic.`,
    '',
    `Prices: on-demand list prices in ${PRICES_REGION}, read ${PRICES_DATE}, no free tier, no taxes.`,
    '  * not confirmed on the price page when the table was made: check before relying on it.',
    `Assumptions: ${Object.entries(ASSUMPTIONS)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}.`,
    'Sources: local/cost/prices.ts names the page of every price.',
  ].join('\n');
}

/** Everything as one JSON document, for scripts. */
export function formatJson(traffic: Traffic, ours: Estimate, demo: Estimate): string {
  return JSON.stringify(
    {
      traffic,
      pricesDate: PRICES_DATE,
      region: PRICES_REGION,
      assumptions: ASSUMPTIONS,
      estimates: [ours, demo],
      prices: PRICES,
    },
    null,
    2,
  );
}
