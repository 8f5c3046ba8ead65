/**
 * `beacons dev`: the whole product on one machine. Starts, in order, kinesalite (one stream per
 * region plus the bad-rows stream), the edge code built with the local configuration, DuckDB,
 * the core-pipeline consumer and the HTTP server (CloudFront emulator, dashboard, API); stops in
 * the reverse order so nothing accepted is lost: no new requests, the consumer drains and
 * checkpoints, DuckDB closes, kinesalite closes. A second start on the same data directory
 * resumes from the stored checkpoints.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { startKinesisConsumer } from '../core-pipeline/consumer/index.js';
import { createDuckDbQueries } from '../core-pipeline/queries/duckdb-queries.js';
import { createDuckDbSessionQueries } from '../core-pipeline/queries/duckdb-sessions.js';
import { createDuckDbRolloutQueries } from '../core-pipeline/queries/duckdb-rollout.js';
import { createDuckDbRollupQueries } from '../core-pipeline/queries/duckdb-rollups.js';
import { DuckDbStore } from '../core-pipeline/sinks/duckdb.js';
import { serveDemo } from '../demo/serve.js';
import { kvsSeed } from '../edge/kvs.js';
import { healthReport } from './api/health.js';
import { createApiHandler } from './api/index.js';
import { checkBinding } from './api-auth.js';
import { withAdmission } from './cloudfront/admission.js';
import { buildLocalEdgeFiles, loadLocalEdge, localEdgeConfig } from './cloudfront/edge-build.js';
import { startEdgePool } from './cloudfront/edge-pool.js';
import { createCloudFrontEmulator } from './cloudfront/emulator.js';
import { KVS_FILE_NAME, LocalKeyValueStore } from './cloudfront/kvs.js';
import {
  DEV_DEFAULTS,
  LOCAL_BAD_ROW_STREAM,
  REPO_ROOT,
  localStreamName,
  localStreamNames,
} from './config.js';
import { lockDataDir } from './data-dir-lock.js';
import { seedKvsFile } from './rollout-file.js';
import { DataDirBusyError, LocalStackError, StartupError } from './errors.js';
import { ensureStreams, localKinesisClient, startKinesalite } from './kinesis-local.js';
import { startLocalServer } from './server.js';
import { stalePageScripts } from './page-scripts.js';

/** Options of {@link startDev}; all optional, defaults in DEV_DEFAULTS. */
export interface DevOptions {
  /** HTTP port; 0 picks a free one (tests). */
  port?: number;
  /** Address to listen on; any but loopback needs `apiToken`. Default DEV_DEFAULTS.host. */
  host?: string;
  /** Token the dashboard, `/` and the API then require (local/api-auth.ts); ingest and demo stay open. */
  apiToken?: string;
  dataDir?: string;
  /** Consumer poll interval per shard; default DEV_DEFAULTS.consumerPollIntervalMs. */
  pollIntervalMs?: number;
  /** Worker threads running the edge code; 0 runs it on the main thread. Default DEV_DEFAULTS.edgeWorkers. */
  edgeWorkers?: number;
  /** Ingest requests in flight before the edge sheds with 503 overloaded. Default DEV_DEFAULTS.maxInFlightRequests. */
  maxInFlightRequests?: number;
  /** Progress and error lines; silent when absent. */
  log?: (line: string) => void;
}

/** A running local stack. */
export interface DevStack {
  /** Base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  port: number;
  /** Absolute data directory. */
  dataDir: string;
  /** kinesalite endpoint (for tests that read the streams). */
  kinesisEndpoint: string;
  /** Stops everything, in order. Idempotent. */
  stop(): Promise<void>;
}

/** Recognises "another process holds the lock" from LevelDB (kinesalite) and DuckDB. */
function isLockError(err: unknown): boolean {
  const text =
    err instanceof Error
      ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}`
      : String(err);
  return /lock|resource temporarily unavailable|already open/i.test(text);
}

/**
 * Starts the local stack. If a part fails to start, the parts already started are stopped again
 * before the error is thrown.
 * @throws DataDirBusyError, PortInUseError, BuildError, StartupError
 * @example const dev = await startDev({ port: 0, dataDir: tmp }); ...; await dev.stop();
 */
export async function startDev(opts: DevOptions = {}): Promise<DevStack> {
  const log = opts.log ?? (() => undefined);
  // Before anything starts: a stack that would serve its data to the network without a token never does.
  const host = opts.host ?? DEV_DEFAULTS.host;
  const apiToken = checkBinding(host, opts.apiToken);
  const dataDir = path.resolve(opts.dataDir ?? DEV_DEFAULTS.dataDir);
  const regions = DEV_DEFAULTS.regions;
  const stops: { name: string; stop: () => Promise<void> | void }[] = [];
  const step = async <T>(part: string, start: () => Promise<T>): Promise<T> => {
    try {
      return await start();
    } catch (err) {
      if (err instanceof LocalStackError) throw err;
      if (isLockError(err)) throw new DataDirBusyError(dataDir, err);
      throw new StartupError(part, err);
    }
  };

  try {
    await fs.mkdir(path.join(dataDir, 'kinesis'), { recursive: true });
    const unlock = await lockDataDir(dataDir);
    stops.push({ name: 'data directory lock', stop: unlock });
    const kinesis = await step('kinesalite', () =>
      startKinesalite({
        path: path.join(dataDir, 'kinesis'),
        port: 0,
        maxYoungGenerationSizeMb: DEV_DEFAULTS.workerYoungGenerationMb,
        onError: (err) => log(`[kinesalite] ${err.message}`),
      }),
    );
    stops.push({ name: 'kinesalite', stop: () => kinesis.close() });
    const client = localKinesisClient(kinesis.endpoint, regions[0]);
    stops.push({ name: 'kinesis client', stop: () => client.destroy() });
    await step('kinesis streams', () =>
      ensureStreams(client, localStreamNames(regions), DEV_DEFAULTS.shards),
    );
    log(`kinesalite ${kinesis.endpoint}: streams ${localStreamNames(regions).join(', ')}`);

    const stale = stalePageScripts(REPO_ROOT);
    if (stale.length > 0)
      log(
        `warning: ${stale.join(' and ')} ${stale.length > 1 ? 'are' : 'is'} missing or older than its sources: run \`npm run build\` (npm start does) to see page-script edits`,
      );

    const t0 = performance.now();
    const config = localEdgeConfig(kinesis.endpoint, regions);
    const files = await buildLocalEdgeFiles(config, path.join(dataDir, 'build'));
    log(
      `edge code built in ${(performance.now() - t0).toFixed(0)} ms: ${path.relative(process.cwd(), path.dirname(files.originRequest)) || '.'}`,
    );
    // The viewer function's KeyValueStore: seeded from the configuration on the first start (a
    // later start adds only keys the file lacks), then the file is the developer's to edit while
    // the stack runs. Read here first so a bad file stops the start.
    const kvsFile = path.join(dataDir, KVS_FILE_NAME);
    const kvs = await step('CloudFront KeyValueStore', async () => {
      const seed = kvsSeed(config);
      const added = await seedKvsFile(kvsFile, seed);
      const store = LocalKeyValueStore.open(kvsFile, {
        checkEveryMs: DEV_DEFAULTS.kvsCheckEveryMs,
        log: (line) => log(`[kvs] ${line}`),
      });
      let how = added.length === seed.length ? 'seeded' : 'read';
      if (how === 'read' && added.length > 0) how = `read, ${added.join(' and ')} added`;
      log(
        `KeyValueStore ${how}: ${kvsFile} (edits, e.g. the CORS allow-list, apply without a restart)`,
      );
      return store;
    });
    const edgeWorkers = opts.edgeWorkers ?? DEV_DEFAULTS.edgeWorkers;
    const onEdgeError = (where: string, err: unknown) =>
      log(`[${where}] ${err instanceof Error ? err.message : String(err)}`);
    let edgeHandler: Parameters<typeof startLocalServer>[0]['edge'];
    if (edgeWorkers > 0) {
      const pool = await step('edge workers', () =>
        startEdgePool({
          workerFile: files.edgeWorker,
          workers: edgeWorkers,
          data: {
            viewerRequestFile: files.viewerRequest,
            originRequestFile: files.originRequest,
            distributionId: DEV_DEFAULTS.distributionId,
            distributionDomainName: DEV_DEFAULTS.distributionDomainName,
            viewerBudgetMs: DEV_DEFAULTS.viewerBudgetMs,
            viewerWarmupRuns: DEV_DEFAULTS.viewerWarmupRuns,
            lambdaTimeoutMs: DEV_DEFAULTS.lambdaTimeoutMs,
            kvsFile,
            kvsCheckEveryMs: DEV_DEFAULTS.kvsCheckEveryMs,
          },
          maxYoungGenerationSizeMb: DEV_DEFAULTS.workerYoungGenerationMb,
          log,
        }),
      );
      stops.push({ name: 'edge workers', stop: () => pool.close() });
      edgeHandler = pool.handler;
    } else {
      const edge = await loadLocalEdge(files, log, kvs);
      edgeHandler = createCloudFrontEmulator({
        viewerFunction: edge.viewerFunction,
        originHandler: edge.originHandler,
        distributionId: DEV_DEFAULTS.distributionId,
        distributionDomainName: DEV_DEFAULTS.distributionDomainName,
        lambdaTimeoutMs: DEV_DEFAULTS.lambdaTimeoutMs,
        onError: onEdgeError,
      });
    }
    log(
      `edge code runs ${edgeWorkers > 0 ? `in ${edgeWorkers} worker thread(s)` : 'on the main thread'}`,
    );
    const admission = withAdmission(edgeHandler, {
      maxInFlight: opts.maxInFlightRequests ?? DEV_DEFAULTS.maxInFlightRequests,
      minInFlight: DEV_DEFAULTS.minInFlightRequests,
      latencyTargetMs: DEV_DEFAULTS.shedLatencyTargetMs,
      retryAfterSeconds: DEV_DEFAULTS.shedRetryAfterSeconds,
      errorWindowMs: DEV_DEFAULTS.shedHealthWindowMs,
    });

    const dbPath = path.join(dataDir, 'beacons.duckdb');
    // One DuckDB thread: the edge, kinesalite and the consumer share the cores (DEV_DEFAULTS).
    const store = await step('DuckDB', () =>
      DuckDbStore.open(dbPath, { threads: DEV_DEFAULTS.duckdbThreads }, { log }),
    );
    stops.push({ name: 'DuckDB', stop: () => store.close() });

    const consumer = await step('consumer', async () =>
      startKinesisConsumer({
        client,
        streams: regions.map(localStreamName),
        badRowStream: LOCAL_BAD_ROW_STREAM,
        sink: store,
        pollIntervalMs: opts.pollIntervalMs ?? DEV_DEFAULTS.consumerPollIntervalMs,
        maxRecordsPerCall: DEV_DEFAULTS.consumerMaxRecordsPerCall,
        log,
      }),
    );
    stops.push({ name: 'consumer', stop: () => consumer.stop() });

    const startedAt = Date.now();
    const server = await startLocalServer({
      host,
      apiToken,
      port: opts.port ?? DEV_DEFAULTS.port,
      ingestPath: config.ingestPaths[0],
      backlog: DEV_DEFAULTS.listenBacklog,
      edge: admission.handler,
      api: createApiHandler({
        queries: createDuckDbQueries(store),
        sessions: createDuckDbSessionQueries(store),
        rollups: createDuckDbRollupQueries(store),
        rollout: createDuckDbRolloutQueries(store),
        health: () => {
          const now = Date.now();
          const stats = consumer.stats();
          const edge = admission.stats();
          const { status, problems, lagMs } = healthReport({
            consumer: stats,
            admission: edge,
            now,
            shedWindowMs: DEV_DEFAULTS.shedHealthWindowMs,
          });
          return {
            status,
            problems,
            uptimeSeconds: Math.round((now - startedAt) / 1000),
            consumer: { ...stats, lagMs },
            edge,
            store: { kind: 'duckdb', path: dbPath },
            streams: localStreamNames(regions),
          };
        },
      }),
      mounts: [(req, res) => serveDemo(req, res, { repoRoot: REPO_ROOT })],
      onError: (err) =>
        log(`[http] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    });
    stops.push({ name: 'HTTP server', stop: () => server.close() });

    let stopping: Promise<void> | undefined;
    return {
      url: server.url,
      port: server.port,
      dataDir,
      kinesisEndpoint: kinesis.endpoint,
      stop: () => (stopping ??= stopAll(stops, log)),
    };
  } catch (err) {
    await stopAll(stops, log);
    throw err;
  }
}

/** Stops parts in reverse start order; a failing part is logged and the rest still stop. */
async function stopAll(
  stops: { name: string; stop: () => Promise<void> | void }[],
  log: (line: string) => void,
): Promise<void> {
  for (const part of [...stops].reverse()) {
    try {
      await part.stop();
    } catch (err) {
      log(`stopping ${part.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  stops.length = 0;
}
