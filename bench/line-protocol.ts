/**
 * Line-protocol encoding cost per event: an event row of simulated traffic → its point
 * (core-pipeline/sinks/influxdb-schema.ts) → its line (line-protocol.ts), the work the InfluxDB
 * sink does per event before any network. Rows are decoded before timing; rounds of the whole row
 * set run back to back and the median round counts. Also reports the mean line length, which
 * sizes the sink's request bodies (lines per write × bytes per line).
 */
import { decodeRecords } from '../core-pipeline/record-decoder.js';
import { eventPoint } from '../core-pipeline/sinks/influxdb-schema.js';
import { encodePoints } from '../core-pipeline/sinks/line-protocol.js';
import { simulateTraffic } from './consumer-influxdb/traffic.js';
import { median, report } from './report.js';

const NAME = 'line-protocol';
const ROUNDS = 15;

const traffic = await simulateTraffic({
  seed: 7,
  sessions: 200,
  startMs: Date.UTC(2026, 10, 28, 0, 0, 0),
});
const { events } = decodeRecords(
  traffic.eventRecords.map((r, i) => ({
    kind: 'events' as const,
    data: Buffer.from(r.kinesis.data, 'base64'),
    stream: 'beacon-edge-events',
    shardId: 'shardId-000000000000',
    sequenceNumber: String(i),
    receivedAt: r.kinesis.approximateArrivalTimestamp * 1000,
  })),
  Date.UTC(2026, 10, 28, 1, 0, 0),
);

let bytes = 0;
const nsPerEvent: number[] = [];
const cpuPer1k: number[] = [];
for (let round = 0; round <= ROUNDS; round++) {
  globalThis.gc?.();
  bytes = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  // As the sink does it: each row to its line at once (its point dies young), bodies of 5,000
  // lines joined.
  for (let i = 0; i < events.length; i += 5000) {
    const lines: string[] = [];
    for (let k = i; k < Math.min(i + 5000, events.length); k++) {
      lines.push(encodePoints([eventPoint(events[k])]));
    }
    bytes += lines.join('\n').length + 1;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  if (round === 0) continue; // warm-up
  nsPerEvent.push(ns / events.length);
  cpuPer1k.push(((cpu.user + cpu.system) / 1e6 / events.length) * 1000);
}

const ns = median(nsPerEvent);
report(NAME, [
  { metric: 'events per round', value: events.length },
  { metric: 'encode time per event (median)', value: Math.round(ns), unit: 'ns' },
  { metric: 'events/s, one core', value: Math.round(1e9 / ns), unit: 'events/s' },
  {
    metric: 'CPU per 1,000 events (median)',
    value: Number(median(cpuPer1k).toFixed(5)),
    unit: 's',
  },
  { metric: 'mean line length', value: Math.round(bytes / events.length), unit: 'bytes' },
]);
