/**
 * Builds the two edge artefacts for a deployment before the stack is constructed (the builds are
 * asynchronous; construct constructors are not): the viewer-request CloudFront Function's code
 * and the origin-request Lambda@Edge bundle, both with the deployment's configuration compiled
 * in, by the same build scripts the local stack and the benchmarks use. Fails when the Lambda
 * package would exceed what Lambda@Edge accepts for an origin trigger.
 */
import fs from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { EdgeConfig } from '../../edge/config.js';
import { buildOriginRequest } from '../../scripts/build-origin-request.mjs';
import { buildViewerRequest } from '../../scripts/build-viewer-request.mjs';
import type { DeployConfig } from '../config.js';
import { edgeConfigFor } from './edge-config.js';

/** Lambda@Edge's package limit for origin-request (and origin-response) triggers, zipped. */
const ORIGIN_TRIGGER_MAX_ZIP_BYTES = 50 * 1024 * 1024;

/** The file name in the Lambda package, and the handler Lambda calls. */
const ORIGIN_REQUEST_FILE = 'index.mjs';
export const ORIGIN_REQUEST_HANDLER = 'index.handler';

/** What the edge stack deploys. */
export interface EdgeBundles {
  /** The EdgeConfig compiled into the Lambda@Edge bundle. */
  edgeConfig: EdgeConfig;
  /** The built CloudFront Function, as uploaded. */
  viewerRequestCode: string;
  /** A folder holding only the Lambda@Edge bundle (`index.mjs`): the function's asset. */
  originRequestDir: string;
  /** The bundle's size, and its size deflated as the asset zip holds it. */
  originRequestBytes: number;
  originRequestZipBytes: number;
}

/**
 * Builds both artefacts for `config` into `stagingDir` (under the cloud assembly, cdk.out).
 * @throws Error when a build fails or the Lambda package exceeds the origin-trigger limit.
 */
export async function buildEdgeBundles(
  config: DeployConfig,
  stagingDir: string,
): Promise<EdgeBundles> {
  const edgeConfig = edgeConfigFor(config);
  const originRequestDir = path.join(stagingDir, 'origin-request');
  // A fresh folder: the asset hash covers the whole folder, so nothing stale may stay in it.
  fs.rmSync(originRequestDir, { recursive: true, force: true });
  const origin = await buildOriginRequest({
    config: edgeConfig,
    outfile: path.join(originRequestDir, ORIGIN_REQUEST_FILE),
  });
  const viewer = await buildViewerRequest({
    config: edgeConfig,
    outfile: path.join(stagingDir, 'viewer-request.js'),
  });
  const zipBytes = deflateRawSync(fs.readFileSync(origin.outfile)).length;
  if (zipBytes > ORIGIN_TRIGGER_MAX_ZIP_BYTES) {
    throw new Error(
      `the Lambda@Edge package is ${zipBytes} bytes zipped; an origin trigger allows ${ORIGIN_TRIGGER_MAX_ZIP_BYTES}`,
    );
  }
  return {
    edgeConfig,
    viewerRequestCode: fs.readFileSync(viewer.outfile, 'utf8'),
    originRequestDir,
    originRequestBytes: origin.bytes,
    originRequestZipBytes: zipBytes,
  };
}
