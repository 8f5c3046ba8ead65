/**
 * The BUILT origin-request bundle against kinesalite, for the bundle integration tests: the
 * configuration they compile in, the build-and-import step, a call as Lambda@Edge makes it in a
 * region, and a stream read back as JSON.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { DEFAULT_CONFIG, DEFAULT_REGIONS, type EdgeConfig } from '../../edge/config.js';
import { LOCAL_CREDENTIALS } from '../../local/kinesis-local.js';
import { buildOriginRequest } from '../../scripts/build-origin-request.mjs';
import { readStream } from './kinesis-streams.js';

/** The bundle's exported handler. */
export type OriginRequestHandler = (
  event: CloudFrontRequestEvent,
) => Promise<CloudFrontResultResponse>;

/**
 * The default configuration pointed at kinesalite: one events stream per default region
 * (`streamOf(region)`), bad rows on `badRowsStream` in us-east-1, plus `overrides`.
 */
export function kinesaliteEdgeConfig(
  endpoint: string,
  streamOf: (region: string) => string,
  badRowsStream: string,
  overrides: Partial<EdgeConfig> = {},
): EdgeConfig {
  return {
    ...DEFAULT_CONFIG,
    streams: DEFAULT_REGIONS.map((region) => ({ region, streamName: streamOf(region), endpoint })),
    badRows: { kind: 'kinesis', region: 'us-east-1', streamName: badRowsStream, endpoint },
    localCredentials: { ...LOCAL_CREDENTIALS },
    ...overrides,
  };
}

/** Builds the bundle with `config` into a new temporary folder and imports it. */
export async function loadBuiltOriginRequest(
  config: EdgeConfig,
): Promise<{ handler: OriginRequestHandler; bytes: number; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-origin-'));
  const built = (await buildOriginRequest({
    config,
    outfile: path.join(dir, 'origin-request.mjs'),
  })) as { outfile: string; bytes: number };
  const mod = (await import(pathToFileURL(built.outfile).href)) as {
    handler: OriginRequestHandler;
  };
  return { handler: mod.handler, bytes: built.bytes, dir };
}

/** Calls the handler as Lambda@Edge would in `region` (AWS_REGION set for the call). */
export async function invokeIn(
  handler: OriginRequestHandler,
  event: CloudFrontRequestEvent,
  region: string,
): Promise<CloudFrontResultResponse> {
  const previous = process.env.AWS_REGION;
  process.env.AWS_REGION = region;
  try {
    return await handler(event);
  } finally {
    if (previous === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = previous;
  }
}

/** Every record in a stream, as parsed JSON with its partition key. */
export async function readStreamJson<T>(
  client: KinesisClient,
  streamName: string,
): Promise<{ key: string; value: T }[]> {
  return (await readStream(client, streamName)).map((r) => ({
    key: r.key,
    value: JSON.parse(r.data) as T,
  }));
}
