/**
 * The local stack's configuration: every default in one place. Kept free of heavy imports (the
 * CLI loads it for every command); the edge configuration built from it is in edge-bundles.ts.
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
