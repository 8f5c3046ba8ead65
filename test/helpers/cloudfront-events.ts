/**
 * Factories for what the edge receives: Lambda@Edge origin-request events (as CloudFront builds
 * them with IncludeBody) and the ingest core's IngestRequest. Batches come from batch-factory.
 */
import type { CloudFrontHeaders, CloudFrontRequestEvent } from 'aws-lambda';
import { EDGE_HEADER } from '../../edge/config.js';
import type { IngestRequest } from '../../edge/ingest/types.js';
import { EXAMPLE_VIEWER_HEADERS } from '../../schemas/examples.js';

export { makeBatch, makeEvent, makeBatchOfEveryType } from './batch-factory.js';

/** A fixed server clock for tests: 2026-11-28T12:00:00Z. */
export const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

/** The stamp the viewer-request function writes: `pop=…;region=…;t=…`. */
export function edgeStamp(pop = 'FRA56-C1', region = 'eu-central-1', t = NOW): string {
  return `pop=${pop};region=${region};t=${t}`;
}

/** CloudFront geo and device headers of a desktop viewer in Frankfurt (lowercase names). */
const FRANKFURT_VIEWER: Readonly<Record<string, string>> = Object.freeze({
  ...EXAMPLE_VIEWER_HEADERS,
  'cloudfront-is-mobile-viewer': 'false',
  'cloudfront-is-tablet-viewer': 'false',
  'cloudfront-is-smarttv-viewer': 'false',
  'cloudfront-is-android-viewer': 'false',
  'cloudfront-is-ios-viewer': 'false',
});

/** Options shared by both factories. */
export interface EdgeRequestOptions {
  /** An object is sent as JSON; a string as UTF-8; bytes as they are; null for no body. */
  body?: unknown;
  method?: string;
  uri?: string;
  /** Extra or replacing headers (lowercase names); a value of null removes a default header. */
  headers?: Record<string, string | null>;
  requestId?: string;
  inputTruncated?: boolean;
}

/** Default headers: a sendBeacon text/plain body from a Frankfurt desktop, stamped at NOW. */
export function defaultHeaders(): Record<string, string> {
  return {
    'content-type': 'text/plain;charset=UTF-8',
    origin: 'https://player.example',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)',
    [EDGE_HEADER]: edgeStamp(),
    ...FRANKFURT_VIEWER,
  };
}

/** The body as bytes (see EdgeRequestOptions.body). */
function bodyBytes(body: unknown): Uint8Array | null {
  if (body === null || body === undefined) return null;
  if (body instanceof Uint8Array) return body;
  return new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
}

function mergedHeaders(extra: Record<string, string | null> = {}): Record<string, string> {
  const out = defaultHeaders();
  for (const [name, value] of Object.entries(extra)) {
    if (value === null) delete out[name];
    else out[name] = value;
  }
  return out;
}

/**
 * A request for the ingest core. Defaults: POST /v1/events, the default headers, served in
 * eu-central-1 at NOW.
 */
export function makeIngestRequest(
  opts: EdgeRequestOptions & { servingRegion?: string; now?: number } = {},
): IngestRequest {
  return {
    method: opts.method ?? 'POST',
    path: opts.uri ?? '/v1/events',
    headers: mergedHeaders(opts.headers),
    body: bodyBytes(opts.body),
    bodyTruncated: opts.inputTruncated ?? false,
    requestId: opts.requestId ?? 'req-0001',
    servingRegion: opts.servingRegion ?? 'eu-central-1',
    now: opts.now ?? NOW,
  };
}

/**
 * A Lambda@Edge origin-request event with IncludeBody: headers as `{ name: [{ key, value }] }`,
 * the body base64 with `inputTruncated`.
 */
export function makeOriginRequestEvent(opts: EdgeRequestOptions = {}): CloudFrontRequestEvent {
  const headers: CloudFrontHeaders = {};
  for (const [name, value] of Object.entries(mergedHeaders(opts.headers))) {
    headers[name] = [
      {
        key: name.replace(/(^|-)([a-z])/g, (_m, s: string, c: string) => s + c.toUpperCase()),
        value,
      },
    ];
  }
  const bytes = bodyBytes(opts.body);
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: 'd111111abcdef8.cloudfront.net',
            distributionId: 'EDFDVBD6EXAMPLE',
            eventType: 'origin-request',
            requestId: opts.requestId ?? 'req-0001',
          },
          request: {
            clientIp: '203.0.113.178',
            headers,
            method: opts.method ?? 'POST',
            querystring: '',
            uri: opts.uri ?? '/v1/events',
            body: {
              action: 'read-only',
              encoding: 'base64',
              inputTruncated: opts.inputTruncated ?? false,
              data: bytes ? Buffer.from(bytes).toString('base64') : '',
            },
          },
        },
      },
    ],
  } as CloudFrontRequestEvent;
}
