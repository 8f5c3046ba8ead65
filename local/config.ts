/**
 * The local stack's configuration: every default in one place. Kept free of heavy imports (the
 * CLI loads it for every command); the edge configuration built from it is in cloudfront/edge-build.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REGIONS } from '../edge/config.js';

/**
 * Repository root. Both `local/*.ts` (tests, tsx) and the bundled `dist/cli.mjs` sit one folder
 * below it, so the same expression works in source and in the bundle.
 */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Name of the local stream of one region (kinesalite has one namespace, so the region is in the name). */
export function localStreamName(region: string): string {
  return `beacon-edge-events-${region}`;
}

/** Local bad-rows stream (Firehose on AWS). */
export const LOCAL_BAD_ROW_STREAM = 'beacon-edge-bad-rows';

/** Defaults of `beacons dev`. */
export const DEV_DEFAULTS = {
  port: 8787,
  host: '127.0.0.1',
  dataDir: '.data',
  /** Shards per regional stream. */
  shards: 2,
  /** Regions with a stream, as in the default deployment. */
  regions: [...DEFAULT_REGIONS] as string[],
  /** Distribution the emulator pretends to be (appears in Lambda@Edge events). */
  distributionId: 'ELOCALBEACONS1',
  distributionDomainName: 'd111111abcdef8.cloudfront.net',
  /**
   * Worker threads running the edge code (0: on the main thread). One moves the edge's ~0.85 ms of
   * CPU per request (most of it the SDK's PutRecords) off the main thread, which keeps HTTP, the
   * consumer and DuckDB; a second one added memory (~40 MB) and no throughput on 2 cores
   * (bench/e2e-load.ts, BENCH_EDGE_WORKERS).
   */
  edgeWorkers: 1,
  /** CloudFront Functions' compute budget the viewer function is checked against (a warning, never a stop). */
  viewerBudgetMs: 1,
  /** First runs per edge worker not checked against the budget (JIT warm-up). */
  viewerWarmupRuns: 200,
  /** Lambda@Edge origin-request timeout (CloudFront's maximum). */
  lambdaTimeoutMs: 30_000,
  /**
   * Young-generation limit of the worker threads' V8 heaps (edge, kinesalite). Their default lets
   * each grow ~15-20 MB more under load for no measurable speed (bench/e2e-load.ts: peak RSS
   * -22..35 MB, CPU within noise); the stack's memory target is 500 MB.
   */
  workerYoungGenerationMb: 8,
  /**
   * V8's heap growing factor for the `beacons dev` process, as a percent (the heap may grow to
   * live size × (1 + p/100) before the next full GC; V8 picks 10-300 % itself). Set by the CLI with
   * `v8.setFlagsFromString`, for the main thread and the worker threads. V8's own choice lets each
   * of the three heaps (main, edge worker, kinesalite) hold several times its live data under load:
   * at 10,500 events/s, 25 measured peak RSS 441-467 MB (5 runs) against 532-554 MB, at the same CPU per
   * event and throughput (the extra full GCs run on V8's background threads). --optimize-for-size
   * measured 391 MB but 45 % more CPU (bench/e2e-load.ts, BENCH_NODE_ARGS; MB = 10^6 bytes).
   */
  heapGrowingPercent: 25,
  /**
   * DuckDB threads. The core pipeline's default (2) fits a machine of its own; in the local stack the
   * edge, kinesalite and the consumer share the 2 cores, and one DuckDB thread measured 8-12 % less
   * CPU per event with better throughput and p95 (3 alternating 30 s runs at 10,000 events/s).
   */
  duckdbThreads: 1,
  /**
   * GetRecords limit per shard. 500 records × ~16 events lets a consumer that fell behind merge up to
   * ~66,000 rows across 8 shards into one commit, a memory spike; 100 measured ~40 MB lower peak
   * RSS and a lower p95 at the same CPU (2 alternating 30 s runs at 10,000 events/s).
   */
  consumerMaxRecordsPerCall: 100,
  /**
   * Pause of a caught-up shard reader before its next GetRecords. Longer pauses make fewer, larger
   * group commits: 500 ms measured 4-6 % less CPU per event than the core pipeline's 200 ms, with
   * higher throughput and p95 still ~1.2-1.5 s (2 alternating 30 s runs at 10,000 events/s).
   */
  consumerPollIntervalMs: 500,
} as const;

/** Defaults of `beacons simulate`. */
export const SIMULATE_DEFAULTS = {
  url: 'http://127.0.0.1:8787',
  viewers: 50,
  durationSeconds: 60,
  eventsPerSecond: 200,
  /** Upper bounds: the simulator is a local tool, never a load generator against others. */
  maxViewers: 10_000,
  maxDurationSeconds: 3_600,
  maxEventsPerSecond: 100_000,
} as const;

/** Names of all streams the local stack creates. */
export function localStreamNames(regions: readonly string[] = DEV_DEFAULTS.regions): string[] {
  return [...regions.map(localStreamName), LOCAL_BAD_ROW_STREAM];
}
