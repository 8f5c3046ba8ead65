/**
 * Builds the two edge artefacts with the local configuration and loads them the way CloudFront
 * runs them: the viewer-request function in the CloudFront Functions sandbox
 * (function-sandbox.ts), the origin-request bundle as an ES module whose `handler` export is
 * called per request.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_CONFIG, type EdgeConfig } from '../../edge/config.js';
import { DEV_DEFAULTS, LOCAL_BAD_ROW_STREAM, REPO_ROOT, localStreamName } from '../config.js';
import { BuildError } from '../errors.js';
import { LOCAL_CREDENTIALS } from '../kinesis-local.js';
import type { OriginRequestHandler } from './emulator.js';
import { loadCloudFrontFunction, type CloudFrontFunctionRuntime } from './function-sandbox.js';
import type { KeyValueStoreSource } from './kvs.js';

/**
 * The edge configuration of the local stack: the defaults, with each region's stream on the
 * kinesalite endpoint, bad rows on the local bad-rows stream and the dummy local credentials.
 */
export function localEdgeConfig(
  endpoint: string,
  regions: readonly string[] = DEV_DEFAULTS.regions,
): EdgeConfig {
  return {
    ...DEFAULT_CONFIG,
    streams: regions.map((region) => ({ region, streamName: localStreamName(region), endpoint })),
    badRows: {
      kind: 'kinesis',
      region: regions[0] ?? 'us-east-1',
      streamName: LOCAL_BAD_ROW_STREAM,
      endpoint,
    },
    localCredentials: { ...LOCAL_CREDENTIALS },
  };
}

/** The loaded edge code. */
export interface LocalEdge {
  viewerFunction: CloudFrontFunctionRuntime;
  originHandler: OriginRequestHandler;
  files: LocalEdgeFiles;
}

/**
 * Bundles the edge worker thread's entry (local/cloudfront/edge-worker.ts) next to the edge
 * artefacts. Built at start like them: a worker thread loads a file, and the CLI bundle has no
 * separate file for it.
 */
async function buildEdgeWorker(outfile: string): Promise<string> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(REPO_ROOT, 'local', 'cloudfront', 'edge-worker.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

/** Imports a build script from scripts/ at run time (kept out of the CLI bundle on purpose). */
async function buildScript<T>(name: string): Promise<T> {
  const file = path.join(REPO_ROOT, 'scripts', name);
  try {
    return (await import(pathToFileURL(file).href)) as T;
  } catch (err) {
    throw new BuildError(
      `cannot load ${path.relative(REPO_ROOT, file)}: ${(err as Error).message}`,
      err,
    );
  }
}

type BuildFn = (opts: {
  config: Partial<EdgeConfig>;
  outfile: string;
}) => Promise<{ outfile: string; bytes: number }>;

/** The built edge artefacts, and the edge worker bundled to run them on other threads. */
export interface LocalEdgeFiles {
  viewerRequest: string;
  originRequest: string;
  edgeWorker: string;
}

/**
 * Builds both edge artefacts for `config` (and the edge worker) into `buildDir`. Rebuilt on every
 * start: the kinesalite endpoint (compiled into the origin-request bundle) changes between runs,
 * and a fresh build means source edits always take effect.
 * @throws BuildError when a build fails.
 */
export async function buildLocalEdgeFiles(
  config: EdgeConfig,
  buildDir: string,
): Promise<LocalEdgeFiles> {
  await fs.mkdir(buildDir, { recursive: true });
  const { buildViewerRequest } = await buildScript<{ buildViewerRequest: BuildFn }>(
    'build-viewer-request.mjs',
  );
  const { buildOriginRequest } = await buildScript<{ buildOriginRequest: BuildFn }>(
    'build-origin-request.mjs',
  );
  try {
    const viewer = await buildViewerRequest({
      config,
      outfile: path.join(buildDir, 'viewer-request.js'),
    });
    const origin = await buildOriginRequest({
      config,
      outfile: path.join(buildDir, 'origin-request.mjs'),
    });
    const edgeWorker = await buildEdgeWorker(path.join(buildDir, 'edge-worker.mjs'));
    return { viewerRequest: viewer.outfile, originRequest: origin.outfile, edgeWorker };
  } catch (err) {
    throw new BuildError(`building the edge code failed: ${(err as Error).message}`, err);
  }
}

/**
 * Loads built edge artefacts into this thread (the in-thread emulator; the stack normally runs
 * them in edge workers instead), with `kvs` as the viewer function's KeyValueStore. The viewer
 * function keeps the runtime's per-call watchdog here: nothing else would stop a hung function on
 * this thread.
 * @throws BuildError when loading fails.
 */
export async function loadLocalEdge(
  files: LocalEdgeFiles,
  onLog?: (line: string) => void,
  kvs?: KeyValueStoreSource,
): Promise<LocalEdge> {
  try {
    const code = await fs.readFile(files.viewerRequest, 'utf8');
    const viewerFunction = loadCloudFrontFunction(code, {
      filename: 'viewer-request.js',
      kvs,
      onLog: (line) => onLog?.(`[viewer-request] ${line}`),
    });
    // A query string makes each start load the freshly built file instead of the cached module.
    const mod = (await import(
      `${pathToFileURL(files.originRequest).href}?build=${Date.now()}`
    )) as { handler?: unknown };
    if (typeof mod.handler !== 'function')
      throw new Error(`${files.originRequest} exports no handler function`);
    return { viewerFunction, originHandler: mod.handler as OriginRequestHandler, files };
  } catch (err) {
    throw new BuildError(`loading the built edge code failed: ${(err as Error).message}`, err);
  }
}
