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
   * Worker threads running the edge code (0: on the main thread). One moves the edge's CPU per
   * request (most of it the SDK's PutRecords) off the main thread, which keeps HTTP, the consumer
   * and DuckDB; a second one added memory and no throughput on a 2-core machine (see
   * docs/BENCHMARKS.md, e2e-load notes).
   */
  edgeWorkers: 1,
  /** CloudFront Functions' compute budget the viewer function is checked against (a warning, never a stop). */
  viewerBudgetMs: 1,
  /** First runs per edge worker not checked against the budget (JIT warm-up). */
  viewerWarmupRuns: 200,
  /** Lambda@Edge origin-request timeout (CloudFront's maximum). */
  lambdaTimeoutMs: 30_000,
  /**
   * Longest time between two looks at the KeyValueStore file (cloudfront/kvs.ts), so an edit
   * applies within this on the next request; each look is one stat of the file.
   */
  kvsCheckEveryMs: 250,
  /**
   * Ingest requests running the edge code at once, at most; more are answered 503 `overloaded`
   * (cloudfront/admission.ts), as CloudFront answers when Lambda@Edge is throttled. The load
   * benchmark's connections, which reach the stack's capacity; the limit shrinks below this
   * while requests are slow (see shedLatencyTargetMs).
   */
  maxInFlightRequests: 64,
  /** The limit never shrinks below this many requests in flight. */
  minInFlightRequests: 4,
  /**
   * An admitted request slower than this shrinks the in-flight limit: half the edge's write
   * budget (edge/config.ts writeBudgetMs), so requests are shed before the ones admitted run out
   * of time writing to the stream, and the stalls of a loaded machine do not shed a load it takes.
   */
  shedLatencyTargetMs: 1_500,
  /**
   * Connections the kernel holds for the HTTP server before it accepts them (capped by the
   * system's net.core.somaxconn). Node's default of 511 overflows under a burst of thousands of
   * connections while the event loop is busy, and the kernel then resets the connections it
   * dropped: those clients get no answer at all instead of a 503 they could act on.
   */
  listenBacklog: 4096,
  /** Retry-After (seconds) of a shed request. */
  shedRetryAfterSeconds: 2,
  /** Shedding this recent makes /api/v1/health say `degraded`. */
  shedHealthWindowMs: 10_000,
  /**
   * Young-generation limit of the worker threads' V8 heaps (edge, kinesalite). V8's default lets
   * each grow further under load for no measurable speed, against the stack's memory target (see
   * docs/BENCHMARKS.md, e2e-load notes).
   */
  workerYoungGenerationMb: 8,
  /**
   * V8's heap growing factor for the `beacons dev` process, as a percent (the heap may grow to
   * live size × (1 + p/100) before the next full GC). Set by the CLI with `v8.setFlagsFromString`,
   * for the main thread and the worker threads. V8's own choice lets each of the three heaps
   * (main, edge worker, kinesalite) hold several times its live data under load; a fixed factor
   * keeps peak memory lower at the same CPU per event, as the extra full GCs run on V8's
   * background threads (see docs/BENCHMARKS.md, e2e-load notes).
   */
  heapGrowingPercent: 25,
  /**
   * DuckDB threads. The core pipeline's default fits a machine of its own; in the local stack the
   * edge, kinesalite and the consumer share the cores, and one DuckDB thread costs less CPU per
   * event with better throughput and p95 (see docs/BENCHMARKS.md, e2e-load notes).
   */
  duckdbThreads: 1,
  /**
   * GetRecords limit per shard. A larger limit lets a consumer that fell behind merge tens of
   * thousands of rows across all shards into one commit, a memory spike; this one keeps peak RSS
   * and p95 lower at the same CPU (see docs/BENCHMARKS.md, e2e-load notes).
   */
  consumerMaxRecordsPerCall: 100,
  /**
   * Pause of a caught-up shard reader before its next GetRecords. Longer pauses than the core
   * pipeline's default make fewer, larger group commits: less CPU per event and higher throughput,
   * with p95 still well within its target (see docs/BENCHMARKS.md, e2e-load notes).
   */
  consumerPollIntervalMs: 500,
} as const;

/** Defaults of `beacons simulate`. */
export const SIMULATE_DEFAULTS = {
  url: 'http://127.0.0.1:8787',
  viewers: 50,
  durationSeconds: 60,
  /** Upper bounds: the simulator is a local tool, never a load generator against others. */
  maxViewers: 10_000,
  maxDurationSeconds: 3_600,
  /** Viewers `beacons dev` plays by default, so a new dashboard is live at once. */
  devViewers: 30,
  /** `--backfill`: the window before now its events are spread over, and the most events. */
  backfillSince: '1h',
  maxBackfillEvents: 100_000_000,
  maxBackfillSinceMs: 31 * 24 * 3_600_000,
} as const;

/** Names of all streams the local stack creates. */
export function localStreamNames(regions: readonly string[] = DEV_DEFAULTS.regions): string[] {
  return [...regions.map(localStreamName), LOCAL_BAD_ROW_STREAM];
}
