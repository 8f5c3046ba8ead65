/**
 * Turns what the edge code returns into the HTTP response CloudFront would send: a CloudFront
 * Function's generated response (`statusCode`, `headers: { name: { value } }`) or a Lambda@Edge
 * result (`status` as a string, `headers: { name: [{ key, value }] }`, `body`, `bodyEncoding`).
 * Invalid Lambda@Edge results become the 502 CloudFront sends for them.
 */
import type { FunctionValueMap } from './origin-event.js';

/** An HTTP response ready to write. Header names keep the spelling the edge code gave them. */
export interface HttpResult {
  status: number;
  headers: [string, string][];
  body: Buffer;
  /** Set when the emulator (as CloudFront) rejected what the edge code returned. */
  rejectedByCloudFront?: boolean;
}

/** A generated response from a CloudFront Function (viewer request). */
export interface FunctionResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: FunctionValueMap;
  body?: string | { encoding?: 'text' | 'base64'; data: string };
}

/** Largest body a Lambda@Edge origin-request handler may generate. */
const GENERATED_BODY_LIMIT = 1024 * 1024;

/** True when a CloudFront Function returned a response rather than the request. */
export function isFunctionResponse(value: unknown): value is FunctionResponse {
  return typeof value === 'object' && value !== null && 'statusCode' in value;
}

/** The emulator's own error responses, in the product's error-body format. */
export function errorResult(status: number, error: string, detail: string): HttpResult {
  return {
    status,
    headers: [['Content-Type', 'application/json']],
    body: Buffer.from(JSON.stringify({ error, detail })),
  };
}

/** Converts a CloudFront Function's generated response. */
export function functionResponseToHttp(response: FunctionResponse): HttpResult {
  const headers: [string, string][] = [];
  for (const [name, entry] of Object.entries(response.headers ?? {})) {
    const values = entry.multiValue?.length ? entry.multiValue.map((v) => v.value) : [entry.value];
    for (const v of values) headers.push([name, v]);
  }
  const b = response.body;
  const body =
    b === undefined
      ? Buffer.alloc(0)
      : typeof b === 'string'
        ? Buffer.from(b)
        : Buffer.from(b.data, b.encoding === 'base64' ? 'base64' : 'utf8');
  return { status: response.statusCode, headers, body };
}

/** A Lambda@Edge generated response, loosely typed: the emulator checks it as CloudFront does. */
interface EdgeResult {
  status?: unknown;
  statusDescription?: unknown;
  headers?: unknown;
  body?: unknown;
  bodyEncoding?: unknown;
}

/**
 * Converts a Lambda@Edge origin-request result. Returns a 502 for what CloudFront rejects: a
 * non-string or out-of-range status, malformed headers, a body over 1 MB, a 204/304 with a body.
 * A returned *request* (no `status`) would go on to the origin; the ingest path has none.
 */
export function edgeResultToHttp(result: unknown): HttpResult {
  const invalid = (detail: string): HttpResult => ({
    ...errorResult(502, 'lambda_invalid_response', detail),
    rejectedByCloudFront: true,
  });
  if (typeof result !== 'object' || result === null) return invalid('handler returned no object');
  const r = result as EdgeResult;
  if (r.status === undefined && 'uri' in r) {
    return {
      ...errorResult(
        502,
        'origin_unreachable',
        'the handler forwarded the request, and the local stack has no origin',
      ),
      rejectedByCloudFront: true,
    };
  }
  if (typeof r.status !== 'string' || !/^[1-5][0-9]{2}$/.test(r.status))
    return invalid(`status must be a string of 3 digits, got ${JSON.stringify(r.status)}`);
  const status = Number(r.status);
  const headers: [string, string][] = [];
  if (r.headers !== undefined) {
    if (typeof r.headers !== 'object' || r.headers === null)
      return invalid('headers must be an object');
    for (const [name, list] of Object.entries(r.headers as Record<string, unknown>)) {
      if (!Array.isArray(list)) return invalid(`header ${name} must be an array of {key, value}`);
      for (const h of list as { key?: unknown; value?: unknown }[]) {
        if (typeof h?.value !== 'string') return invalid(`header ${name} has a non-string value`);
        if (
          name !== name.toLowerCase() ||
          (typeof h.key === 'string' && h.key.toLowerCase() !== name)
        ) {
          return invalid(`header ${name}: name must be lowercase and match key`);
        }
        headers.push([typeof h.key === 'string' ? h.key : name, h.value]);
      }
    }
  }
  let body = Buffer.alloc(0);
  if (r.body !== undefined && r.body !== '') {
    if (typeof r.body !== 'string') return invalid('body must be a string');
    body = r.bodyEncoding === 'base64' ? Buffer.from(r.body, 'base64') : Buffer.from(r.body);
  }
  if (body.length > GENERATED_BODY_LIMIT) return invalid('generated body over 1 MB');
  if ((status === 204 || status === 304) && body.length > 0)
    return invalid(`a ${status} response must not have a body`);
  return { status, headers, body };
}
