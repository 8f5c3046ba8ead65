/**
 * The consumer Lambda's handler (core-pipeline/lambda/main.ts, Powertools logger, metrics and
 * partial-batch response included) on 1,000-record Kinesis batches of simulated traffic, writing
 * to a real local influxd over HTTP (v1 API), as the event source mapping would invoke it with
 * BatchSize 1,000. Each round is a fresh batch (new points, not overwrites); the first is a
 * warm-up. Reports events/s per invocation, CPU seconds of the handler's process per 1,000
 * events, and its memory.
 *
 * influxd runs on the same machine and competes for the same cores, so the figures are a floor
 * for a Lambda writing to a separate Timestream for InfluxDB instance; the CPU figure is the
 * handler's own (what Lambda bills as duration × memory), not the server's.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createConsumerHandler } from '../../core-pipeline/lambda/main.js';
import { InfluxDbSink } from '../../core-pipeline/sinks/influxdb.js';
import { influxdAvailable, startInfluxd } from '../influxd.js';
import { median, percentile, report, reportSkipped } from '../report.js';
import { kinesisStreamEvent } from './lambda-kinesis-events.js';
import { simulateTraffic } from './traffic.js';

const NAME = 'consumer-influxdb';
const BATCH = 1000;
const ROUNDS = 9;

/** Powertools output goes nowhere: the benchmark measures building it, not a terminal. */
function silenced<T extends Logger | Metrics>(tool: T): T {
  const none = () => undefined;
  (tool as unknown as { console: Record<string, unknown> }).console = {
    log: none,
    info: none,
    warn: none,
    error: none,
    debug: none,
    trace: none,
  };
  return tool;
}

async function main(): Promise<void> {
  if (!influxdAvailable())
    return reportSkipped(NAME, 'influxd is not installed (apt-get install influxdb)');
  const traffic = await simulateTraffic({
    seed: 42,
    sessions: 900,
    startMs: Date.UTC(2026, 10, 28, 0, 0, 0),
    spoilEvery: 50,
  });
  const records = traffic.eventRecords;
  if (records.length < BATCH * (ROUNDS + 1)) {
    throw new Error(`simulated ${records.length} records, need ${BATCH * (ROUNDS + 1)}`);
  }
  const influx = await startInfluxd();
  try {
    await influx.createDatabase('bench');
    const handler = createConsumerHandler({
      sink: new InfluxDbSink({ config: { url: influx.url, database: 'bench' } }),
      logger: silenced(new Logger({ serviceName: 'bench' })),
      metrics: silenced(new Metrics({ namespace: 'BeaconEdge', serviceName: 'bench' })),
    });
    const eventsIn = (batch: typeof records) =>
      batch.reduce(
        (n, r) =>
          n +
          (JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()) as { events: unknown[] })
            .events.length,
        0,
      );
    const rates: number[] = [];
    const cpuPer1k: number[] = [];
    const wallMs: number[] = [];
    const events: number[] = [];
    let rss = 0;
    let heap = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      const batch = records.slice(round * BATCH, (round + 1) * BATCH);
      const n = eventsIn(batch);
      const event = kinesisStreamEvent(batch);
      globalThis.gc?.();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const res = await handler(event);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (res.batchItemFailures.length > 0)
        throw new Error(`round ${round}: the store refused the batch`);
      const mem = process.memoryUsage();
      rss = Math.max(rss, mem.rss);
      heap = Math.max(heap, mem.heapUsed);
      if (round === 0) continue; // warm-up: JIT, first connection, influxd's shard creation
      events.push(n);
      wallMs.push(ms);
      rates.push(n / (ms / 1000));
      cpuPer1k.push(((cpu.user + cpu.system) / 1e6 / n) * 1000);
    }
    const [r] = await influx.query('SELECT count(event_id) FROM beacon_events', 'bench');
    const stored = Number(r.series?.[0]?.values[0]?.[1] ?? 0);
    const expected = events.reduce((a, b) => a + b, 0);
    if (stored < expected) throw new Error(`stored ${stored} events, sent at least ${expected}`);
    report(NAME, [
      { metric: 'records per invocation', value: BATCH },
      { metric: 'events per invocation (median)', value: median(events) },
      { metric: 'invocation time (median)', value: Math.round(median(wallMs)), unit: 'ms' },
      { metric: 'invocation time (p90)', value: Math.round(percentile(wallMs, 90)), unit: 'ms' },
      {
        metric: 'events/s per invocation (median)',
        value: Math.round(median(rates)),
        unit: 'events/s',
      },
      {
        metric: 'CPU per 1,000 events (median)',
        value: Number(median(cpuPer1k).toFixed(4)),
        unit: 's',
      },
      { metric: 'peak RSS', value: Math.round(rss / 2 ** 20), unit: 'MiB' },
      { metric: 'peak heap used', value: Math.round(heap / 2 ** 20), unit: 'MiB' },
    ]);
  } finally {
    await influx.stop();
  }
}

await main();
