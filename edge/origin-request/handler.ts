/**
 * The origin-request Lambda@Edge adapter: CloudFront event in, ingest core, generated response
 * out. The request never reaches an origin. Configuration is compiled in (Lambda@Edge has no
 * environment variables): scripts/build-origin-request.mjs defines `__BEACON_EDGE_CONFIG__`.
 */
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { DEFAULT_CONFIG, type EdgeConfig } from '../config.js';
import { ingest } from '../ingest/ingest.js';
import type { BadRowSink, IngestLogger, RecordWriter } from '../ingest/types.js';
import { createWriters } from '../writers/index.js';
import { toCloudFrontResponse, toIngestRequest } from './translate.js';

/** Replaced at build time by the bundle's EdgeConfig (esbuild `define`); undefined elsewhere. */
declare const __BEACON_EDGE_CONFIG__: EdgeConfig | undefined;

/** An origin-request handler that always answers (never forwards to the origin). */
export type OriginRequestHandler = (
  event: CloudFrontRequestEvent,
) => Promise<CloudFrontResultResponse>;

/** Optional replacements for the storage, clock and logger (tests, the benchmark). */
export interface HandlerDeps {
  writer?: RecordWriter;
  badRows?: BadRowSink;
  log?: IngestLogger;
  now?: () => number;
}

/** One JSON line per message: CloudWatch Logs Insights can query the fields. */
const consoleLogger: IngestLogger = {
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

/**
 * Creates the handler. Writers are created on the first invocation and reused by every later one
 * in the same container, so AWS clients and their connections survive between beacons.
 *
 * @example
 * export const handler = createHandler(config);
 */
export function createHandler(config: EdgeConfig, deps: HandlerDeps = {}): OriginRequestHandler {
  let storage: { writer: RecordWriter; badRows: BadRowSink } | undefined =
    deps.writer && deps.badRows ? { writer: deps.writer, badRows: deps.badRows } : undefined;
  const now = deps.now ?? Date.now;
  const log = deps.log ?? consoleLogger;
  return async (event) => {
    // Read synchronously, before any await: the local emulator sets it just for this call.
    const servingRegion = process.env.AWS_REGION ?? 'us-east-1';
    const req = toIngestRequest(event, servingRegion, now());
    if (!storage) {
      const made = createWriters(config);
      storage = { writer: deps.writer ?? made.writer, badRows: deps.badRows ?? made.badRows };
    }
    const result = await ingest(req, {
      config,
      writer: storage.writer,
      badRows: storage.badRows,
      log,
    });
    return toCloudFrontResponse(result);
  };
}

/** The config this bundle was built with, or the deployment default when not built (tests). */
export const bundledConfig: EdgeConfig =
  typeof __BEACON_EDGE_CONFIG__ !== 'undefined' ? __BEACON_EDGE_CONFIG__ : DEFAULT_CONFIG;

/** The Lambda@Edge entry point (`handler.handler`). */
export const handler: OriginRequestHandler = createHandler(bundledConfig);
