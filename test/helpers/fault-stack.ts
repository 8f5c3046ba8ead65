/**
 * The local stack assembled from its real parts for the fault tests, with the handles `beacons
 * dev` does not expose: a kinesalite on a LevelDB folder that can be stopped and started again on
 * the same port and data, and a built edge that may talk to Kinesis through a fault proxy. The
 * pieces are those of local/dev.ts: the built viewer-request function and origin-request bundle
 * in the CloudFront emulator, kinesalite, the core-pipeline consumer and DuckDB.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { startKinesisConsumer, type KinesisConsumer } from '../../core-pipeline/consumer/index.js';
import { DuckDbStore } from '../../core-pipeline/sinks/duckdb.js';
import type { EdgeConfig } from '../../edge/config.js';
import {
  buildLocalEdgeFiles,
  loadLocalEdge,
  localEdgeConfig,
} from '../../local/cloudfront/edge-build.js';
import { createCloudFrontEmulator } from '../../local/cloudfront/emulator.js';
import {
  DEV_DEFAULTS,
  LOCAL_BAD_ROW_STREAM,
  localStreamName,
  localStreamNames,
} from '../../local/config.js';
import {
  ensureStreams,
  localKinesisClient,
  startKinesalite,
  type LocalKinesis,
} from '../../local/kinesis-local.js';

/** A kinesalite on a data folder that keeps its port across restarts. */
export interface RestartableKinesis {
  endpoint: string;
  /** A client for the test's own reads and writes (survives restarts). */
  client: KinesisClient;
  /** Closes kinesalite (requests in flight finish; new ones are refused). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
  /** Destroys the client and stops kinesalite. */
  close(): Promise<void>;
}

/**
 * Starts kinesalite on `dataDir` with the local stack's streams.
 * @example const k = await startRestartableKinesis(dir); await k.stop(); await k.start();
 */
export async function startRestartableKinesis(dataDir: string): Promise<RestartableKinesis> {
  let running: LocalKinesis | undefined = await startKinesalite({ path: dataDir });
  const port = running.port;
  const client = localKinesisClient(running.endpoint);
  await ensureStreams(client, localStreamNames(), DEV_DEFAULTS.shards);
  const stop = async () => {
    const k = running;
    running = undefined;
    await k?.close();
  };
  return {
    endpoint: running.endpoint,
    client,
    stop,
    start: async () => {
      running ??= await startKinesalite({ path: dataDir, port });
    },
    close: async () => {
      client.destroy();
      await stop();
    },
  };
}

/** The edge, consumer and store of a fault test. */
export interface FaultStack {
  /** Ingest URL, e.g. http://127.0.0.1:1234/v1/events. */
  ingestUrl: string;
  store: DuckDbStore;
  consumer: KinesisConsumer;
  /** Stops the HTTP server, then the consumer (it finishes its write), then DuckDB. */
  stop(): Promise<void>;
}

/** Options of {@link startFaultStack}. */
export interface FaultStackOptions {
  /** Folder for the edge build and the DuckDB file. */
  dataDir: string;
  /** kinesalite, read by the consumer. */
  kinesisEndpoint: string;
  /** Where the built edge sends its Kinesis calls (a fault proxy); kinesalite when absent. */
  edgeKinesisEndpoint?: string;
  /** Overrides of the built edge's configuration (e.g. a shorter write budget). */
  edge?: Partial<EdgeConfig>;
  pollIntervalMs?: number;
}

/**
 * Builds the edge with the local configuration (pointing at `edgeKinesisEndpoint`), serves it
 * through the CloudFront emulator on a loopback port, and runs the consumer into a DuckDB file.
 */
export async function startFaultStack(opts: FaultStackOptions): Promise<FaultStack> {
  const config = {
    ...localEdgeConfig(opts.edgeKinesisEndpoint ?? opts.kinesisEndpoint),
    ...opts.edge,
  };
  const files = await buildLocalEdgeFiles(config, path.join(opts.dataDir, 'build'));
  const edge = await loadLocalEdge(files);
  const handler = createCloudFrontEmulator({
    viewerFunction: edge.viewerFunction,
    originHandler: edge.originHandler,
    distributionId: DEV_DEFAULTS.distributionId,
    distributionDomainName: DEV_DEFAULTS.distributionDomainName,
    lambdaTimeoutMs: DEV_DEFAULTS.lambdaTimeoutMs,
  });
  const server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const store = await DuckDbStore.open(path.join(opts.dataDir, 'beacons.duckdb'), { threads: 1 });
  const client = localKinesisClient(opts.kinesisEndpoint);
  const consumer = await startKinesisConsumer({
    client,
    streams: DEV_DEFAULTS.regions.map(localStreamName),
    badRowStream: LOCAL_BAD_ROW_STREAM,
    sink: store,
    pollIntervalMs: opts.pollIntervalMs ?? 100,
    maxRecordsPerCall: DEV_DEFAULTS.consumerMaxRecordsPerCall,
  });
  return {
    ingestUrl: `http://127.0.0.1:${port}${config.ingestPaths[0]}`,
    store,
    consumer,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await consumer.stop();
      client.destroy();
      await store.close();
    },
  };
}

/** How often each event id is stored (a correct store has 1 for every id). */
export async function storedEventIds(store: DuckDbStore): Promise<Map<string, number>> {
  const rows = await store.query('SELECT event_id, count(*) AS n FROM events GROUP BY event_id');
  return new Map(rows.map((r) => [String(r.event_id), Number(r.n)]));
}

/** Every bad row's reason, request id, event id and payload. */
export async function storedBadRows(
  store: DuckDbStore,
): Promise<{ reason: string; request_id: string; event_id: string | null; payload: string }[]> {
  const rows = await store.query(
    'SELECT reason, request_id, event_id, payload FROM bad_rows ORDER BY received_at',
  );
  return rows.map((r) => ({
    reason: String(r.reason),
    request_id: String(r.request_id),
    event_id: r.event_id === null ? null : String(r.event_id),
    payload: String(r.payload),
  }));
}
