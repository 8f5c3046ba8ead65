/**
 * Translation between Lambda@Edge origin-request shapes and the ingest core: the CloudFront event
 * becomes an IngestRequest, the IngestResult becomes a generated response. Exported one by one so
 * tests check each conversion directly.
 */
import type {
  CloudFrontHeaders,
  CloudFrontRequest,
  CloudFrontRequestEvent,
  CloudFrontResultResponse,
} from 'aws-lambda';
import type { IngestRequest, IngestResult } from '../ingest/types.js';

/** CloudFront headers `{ name: [{ key, value }] }` → `{ name: 'v1, v2' }` (names lowercase). */
export function flattenHeaders(headers: CloudFrontHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!headers) return out;
  for (const name of Object.keys(headers)) {
    const values = headers[name];
    if (!Array.isArray(values) || values.length === 0) continue;
    out[name.toLowerCase()] = values.map((h) => h.value).join(', ');
  }
  return out;
}

/**
 * The body bytes of an origin-request event (IncludeBody): base64 normally, text when an earlier
 * function replaced it. Null when there is none.
 */
export function decodeBody(body: CloudFrontRequest['body']): {
  bytes: Uint8Array | null;
  truncated: boolean;
} {
  if (!body) return { bytes: null, truncated: false };
  const truncated = body.inputTruncated === true;
  if (!body.data) return { bytes: null, truncated };
  const buf =
    body.encoding === 'text' ? Buffer.from(body.data, 'utf8') : Buffer.from(body.data, 'base64');
  return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), truncated };
}

/** Builds the core's request from a CloudFront origin-request event. */
export function toIngestRequest(
  event: CloudFrontRequestEvent,
  servingRegion: string,
  now: number,
): IngestRequest {
  const { config, request } = event.Records[0].cf;
  const body = decodeBody(request.body);
  return {
    method: request.method,
    path: request.uri,
    ...(request.querystring ? { query: request.querystring } : {}),
    headers: flattenHeaders(request.headers),
    body: body.bytes,
    bodyTruncated: body.truncated,
    requestId: config.requestId,
    servingRegion,
    now,
  };
}

/** Reason phrases for the statuses the core answers. */
const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  410: 'Gone',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** `content-type` → `Content-Type`, for the `key` CloudFront sends to the viewer. */
export function headerKey(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

/**
 * Builds the generated response. The status is a string, headers are `{ name: [{ key, value }] }`
 * with lowercase names, and a 204 carries no body at all (CloudFront answers 502 otherwise).
 */
export function toCloudFrontResponse(result: IngestResult): CloudFrontResultResponse {
  const headers: CloudFrontHeaders = {};
  for (const [name, value] of Object.entries(result.headers)) {
    const lower = name.toLowerCase();
    headers[lower] = [{ key: headerKey(lower), value }];
  }
  const response: CloudFrontResultResponse = {
    status: String(result.status),
    statusDescription: STATUS_TEXT[result.status] ?? 'Unknown',
    headers,
  };
  if (result.status !== 204 && result.body !== undefined) {
    response.body = result.body;
    response.bodyEncoding = 'text';
  }
  return response;
}
