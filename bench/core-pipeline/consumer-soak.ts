/**
 * Soak benchmark of the core pipeline alone: a producer puts EnrichedRecords into kinesalite at a
 * fixed event rate while the consumer writes them to DuckDB, all in this process (the local
 * stack minus the HTTP edge). Reports throughput, put → queryable latency and peak RSS.
 * A benchmark, not a test; `npm run bench` may call it.
 */
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { ensureStreams, localKinesisClient, startKinesalite } from '../../local/kinesis-local.js';
import type { EnrichedRecord } from '../../schemas/record.js';
import type { DuckDbConfig } from '../../core-pipeline/config.js';
import { startKinesisConsumer } from '../../core-pipeline/consumer/index.js';
import { DuckDbStore } from '../../core-pipeline/sinks/duckdb.js';

/** Options of `benchConsumerSoak`. */
export interface SoakOptions {
  /** Folder for kinesalite's LevelDB and the DuckDB file (must exist, should be empty). */
  dataDir: string;
  eventsPerSecond?: number;
  seconds?: number;
  eventsPerRecord?: number;
  streams?: string[];
  shards?: number;
  /** false: run the producer and kinesalite only (to see what the consumer adds). */
  consume?: boolean;
  /** DuckDB settings to try instead of the defaults. */
  duckdb?: Partial<DuckDbConfig>;
}

/** Figures of one soak run (latency = put → counted in the store). */
export interface SoakFigures {
  eventsPut: number;
  eventsStored: number;
  seconds: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyMaxMs: number;
  peakRssMb: number;
  sinkWrites: number;
}

const TICK_MS = 100;

/** Runs the soak and returns its figures; everything it starts is stopped again. */
export async function benchConsumerSoak(opts: SoakOptions): Promise<SoakFigures> {
  const rate = opts.eventsPerSecond ?? 10000;
  const seconds = opts.seconds ?? 60;
  const perRecord = opts.eventsPerRecord ?? 20;
  const streams = opts.streams ?? [
    'soak-events-us-east-1',
    'soak-events-eu-central-1',
    'soak-events-ap-southeast-1',
  ];
  const kinesis = await startKinesalite({ path: `${opts.dataDir}/kinesis` });
  const client = localKinesisClient(kinesis.endpoint);
  await ensureStreams(client, streams, opts.shards ?? 2);
  const store = await DuckDbStore.open(`${opts.dataDir}/soak.duckdb`, opts.duckdb);
  const consumer =
    opts.consume === false ? null : await startKinesisConsumer({ client, streams, sink: store });

  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const marks: { at: number; cumulative: number }[] = [];
  const latencies: number[] = [];
  let put = 0;
  let stored = 0;
  // Visibility probe: when the stored count reaches a mark's cumulative count, that mark is queryable.
  const probe = setInterval(() => {
    void store.query('SELECT count(*) AS n FROM events').then(
      ([r]) => {
        stored = Number(r.n);
        const now = Date.now();
        while (marks.length > 0 && marks[0].cumulative <= stored)
          latencies.push(now - marks.shift()!.at);
      },
      () => undefined,
    );
  }, 50);

  const start = Date.now();
  let seq = 0;
  for (let tick = 0; tick < (seconds * 1000) / TICK_MS; tick++) {
    const records = Math.round((rate * TICK_MS) / 1000 / perRecord);
    const now = Date.now();
    const batch = Array.from({ length: records }, () => soakRecord(seq++, perRecord, now));
    await putAll(client, streams[tick % streams.length], batch);
    put += records * perRecord;
    marks.push({ at: now, cumulative: put });
    const wait = start + (tick + 1) * TICK_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const deadline = Date.now() + 60000;
  while (consumer && stored < put && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));

  clearInterval(probe);
  clearInterval(sampler);
  const elapsed = (Date.now() - start) / 1000;
  const writes = consumer?.stats().writes ?? 0;
  await consumer?.stop();
  await store.close();
  client.destroy();
  await kinesis.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[
      Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))
    ] ?? NaN;
  return {
    eventsPut: put,
    eventsStored: stored,
    seconds: Math.round(elapsed),
    latencyP50Ms: at(50),
    latencyP95Ms: at(95),
    latencyMaxMs: latencies[latencies.length - 1] ?? NaN,
    peakRssMb: Math.round(peak / 1e6),
    sinkWrites: writes,
  };
}

async function putAll(
  client: KinesisClient,
  stream: string,
  records: EnrichedRecord[],
): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    let entries = records
      .slice(i, i + 500)
      .map((r) => ({ Data: Buffer.from(JSON.stringify(r)), PartitionKey: r.session_id }));
    while (entries.length > 0) {
      const out = await client.send(
        new PutRecordsCommand({ StreamName: stream, Records: entries }),
      );
      entries = entries.filter((_, k) => out.Records?.[k]?.ErrorCode);
    }
  }
}

/** One record of `n` events (a started, then heartbeats) as the edge would write it. */
function soakRecord(i: number, n: number, now: number): EnrichedRecord {
  const session = `soak_session_${i % 5000}`;
  return {
    record_version: 1,
    schema_version: '1-0-0',
    received_at: now,
    skew_ms: 0,
    session_id: session,
    content_id: 'soak',
    sdk_name: 'beacon-edge-web',
    sdk_version: '0.1.0',
    player_name: 'hls.js',
    player_version: '1.7.4',
    geo: {
      country: 'DE',
      region: 'HE',
      city: 'Frankfurt am Main',
      time_zone: 'Europe/Berlin',
      asn: '3320',
      lat: 50.1,
      lon: 8.7,
    },
    edge: {
      pop: 'FRA56-C1',
      edge_region: 'eu-central-1',
      serving_region: 'eu-central-1',
      stream_region: 'eu-central-1',
      request_id: `soak_req_${i}`,
      device: 'desktop',
    },
    events: Array.from({ length: n }, (_, k) =>
      k === 0
        ? {
            type: 'started' as const,
            id: `soak_${i}_${k}`,
            seq: k,
            ts: now,
            playhead: 0,
            time: now,
          }
        : {
            type: 'heartbeat' as const,
            id: `soak_${i}_${k}`,
            seq: k,
            ts: now,
            playhead: k * 10,
            time: now,
            played_ms: k * 10000,
            stall_ms: 0,
            stall_count: 0,
            bitrate: 3000000,
          },
    ),
  };
}
