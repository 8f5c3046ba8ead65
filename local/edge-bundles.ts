/**
 * Builds the two edge artefacts with the local configuration and loads them the way CloudFront
 * runs them: the viewer-request function in the CloudFront Functions runtime emulation, the
 * origin-request bundle as an ES module whose `handler` export is called per request.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_CONFIG, type EdgeConfig } from '../edge/config.js';
import { loadCloudFrontFunction, type CloudFrontFunctionRuntime } from './cloudfront-function-runtime.js';
import type { OriginRequestHandler } from './cloudfront/emulator.js';
import { DEV_DEFAULTS, LOCAL_BAD_ROW_STREAM, REPO_ROOT, localStreamName } from './config.js';
import { BuildError } from './errors.js';
import { LOCAL_CREDENTIALS } from './kinesis-local.js';

/**
 * The edge configuration of the local stack: the defaults, with each region's stream on the
 * kinesalite endpoint, bad rows on the local bad-rows stream and the dummy local credentials.
 */
export function localEdgeConfig(endpoint: string, regions: readonly string[] = DEV_DEFAULTS.regions): EdgeConfig {
  return {
    ...DEFAULT_CONFIG,
    streams: regions.map((region) => ({ region, streamName: localStreamName(region), endpoint })),
    badRows: { kind: 'kinesis', region: regions[0] ?? 'us-east-1', streamName: LOCAL_BAD_ROW_STREAM, endpoint },
    localCredentials: { ...LOCAL_CREDENTIALS },
  };
}

/** The loaded edge code. */
export interface LocalEdge {
  viewerFunction: CloudFrontFunctionRuntime;
  originHandler: OriginRequestHandler;
  files: { viewerRequest: string; originRequest: string };
}

/** Imports a build script from scripts/ at run time (kept out of the CLI bundle on purpose). */
async function buildScript<T>(name: string): Promise<T> {
  const file = path.join(REPO_ROOT, 'scripts', name);
  try {
    return (await import(pathToFileURL(file).href)) as T;
  } catch (err) {
    throw new BuildError(`cannot load ${path.relative(REPO_ROOT, file)}: ${(err as Error).message}`, err);
  }
}

type BuildFn = (opts: { config: Partial<EdgeConfig>; outfile: string }) => Promise<{ outfile: string; bytes: number }>;

/**
 * Builds both edge artefacts for `config` into `buildDir` and loads them. Rebuilt on every start:
 * the kinesalite endpoint (compiled into the origin-request bundle) changes between runs, and a
 * fresh build means source edits always take effect.
 * @throws BuildError when a build or load fails.
 */
export async function buildLocalEdge(config: EdgeConfig, buildDir: string, onLog?: (line: string) => void): Promise<LocalEdge> {
  await fs.mkdir(buildDir, { recursive: true });
  const { buildViewerRequest } = await buildScript<{ buildViewerRequest: BuildFn }>('build-viewer-request.mjs');
  const { buildOriginRequest } = await buildScript<{ buildOriginRequest: BuildFn }>('build-origin-request.mjs');
  let viewer: { outfile: string };
  let origin: { outfile: string };
  try {
    viewer = await buildViewerRequest({ config, outfile: path.join(buildDir, 'viewer-request.js') });
    origin = await buildOriginRequest({ config, outfile: path.join(buildDir, 'origin-request.mjs') });
  } catch (err) {
    throw new BuildError(`building the edge code failed: ${(err as Error).message}`, err);
  }
  try {
    const code = await fs.readFile(viewer.outfile, 'utf8');
    const viewerFunction = loadCloudFrontFunction(code, { filename: 'viewer-request.js', onLog: (line) => onLog?.(`[viewer-request] ${line}`) });
    // A query string makes each start load the freshly built file instead of the cached module.
    const mod = (await import(`${pathToFileURL(origin.outfile).href}?build=${Date.now()}`)) as { handler?: unknown };
    if (typeof mod.handler !== 'function') throw new Error(`${origin.outfile} exports no handler function`);
    return {
      viewerFunction,
      originHandler: mod.handler as OriginRequestHandler,
      files: { viewerRequest: viewer.outfile, originRequest: origin.outfile },
    };
  } catch (err) {
    if (err instanceof BuildError) throw err;
    throw new BuildError(`loading the built edge code failed: ${(err as Error).message}`, err);
  }
}
