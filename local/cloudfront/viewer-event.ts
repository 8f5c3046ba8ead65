/**
 * Builds the event CloudFront hands to a viewer-request CloudFront Function (event structure
 * version 1.0): headers, query parameters and cookies as `{ name: { value, multiValue? } }` with
 * lowercase names, and a CloudFront-like request id. Its sibling for Lambda@Edge is
 * origin-event.ts.
 */
import { randomBytes } from 'node:crypto';

/** A header, query parameter or cookie as CloudFront Functions see it (names lowercase). */
export interface CloudFrontFunctionValue {
  value: string;
  /** Present when the name occurred more than once; `value` is then the first. */
  multiValue?: { value: string }[];
}

export type CloudFrontFunctionValues = Record<string, CloudFrontFunctionValue>;

/** `event.request` of a viewer-request CloudFront Function. */
export interface CloudFrontFunctionRequest {
  method: string;
  /** Path only, no query string. */
  uri: string;
  querystring: CloudFrontFunctionValues;
  headers: CloudFrontFunctionValues;
  cookies: CloudFrontFunctionValues;
}

/** The event CloudFront passes to a CloudFront Function (event structure version 1.0). */
export interface CloudFrontFunctionEvent {
  version: '1.0';
  context: {
    distributionDomainName: string;
    distributionId: string;
    eventType: 'viewer-request' | 'viewer-response';
    requestId: string;
  };
  viewer: { ip: string };
  request: CloudFrontFunctionRequest;
}

/** What {@link makeViewerRequestEvent} needs; everything has a local default. */
export interface ViewerRequestInput {
  /** Default `POST`. */
  method?: string;
  /** Path, optionally with `?query` (moved to `querystring`). Default `/v1/events`. */
  uri?: string;
  /** Raw query string (without `?`), or parsed pairs. */
  querystring?: string | Record<string, string | string[]>;
  /** Request headers; names are lowercased; a `cookie` header becomes `cookies`. Node's
   * `req.headersDistinct` fits as is. */
  headers?: Record<string, string | string[] | number | undefined>;
  viewerIp?: string;
  /** Default: a random id shaped like CloudFront's (56 base64 characters). */
  requestId?: string;
  distributionDomainName?: string;
  distributionId?: string;
}

/**
 * Builds a viewer-request event in CloudFront Functions' shape (version 1.0).
 * @example makeViewerRequestEvent({ uri: '/v1/events', headers: { 'content-type': 'text/plain', 'content-length': '812' } })
 */
export function makeViewerRequestEvent(input: ViewerRequestInput = {}): CloudFrontFunctionEvent {
  const [path, rawQuery] = splitOnce(input.uri ?? '/v1/events', '?');
  const headers: CloudFrontFunctionValues = {};
  let cookies: CloudFrontFunctionValues = {};
  for (const [name, raw] of Object.entries(input.headers ?? {})) {
    if (raw === undefined) continue;
    const values = (Array.isArray(raw) ? raw : [raw]).map(String);
    if (values.length === 0) continue;
    if (name.toLowerCase() === 'cookie') cookies = pairs(values.join('; '), /;\s*/);
    else headers[name.toLowerCase()] = multi(values);
  }
  const query = input.querystring ?? rawQuery ?? '';
  return {
    version: '1.0',
    context: {
      distributionDomainName: input.distributionDomainName ?? 'd111111abcdef8.cloudfront.net',
      distributionId: input.distributionId ?? 'ELOCAL0000000',
      eventType: 'viewer-request',
      requestId: input.requestId ?? randomBytes(42).toString('base64'),
    },
    viewer: { ip: input.viewerIp ?? '127.0.0.1' },
    request: {
      method: input.method ?? 'POST',
      uri: path,
      querystring:
        typeof query === 'string'
          ? pairs(query, /&/)
          : Object.fromEntries(
              Object.entries(query).map(([k, v]) => [k, multi(Array.isArray(v) ? v : [v])]),
            ),
      headers,
      cookies,
    },
  };
}

function multi(values: string[]): CloudFrontFunctionValue {
  return values.length > 1
    ? { value: values[0], multiValue: values.map((value) => ({ value })) }
    : { value: values[0] };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** `a=1&a=2&b` → { a: {value:'1', multiValue:[...]}, b: {value:''} } (values kept as sent). */
function pairs(text: string, sep: RegExp): CloudFrontFunctionValues {
  const grouped = new Map<string, string[]>();
  for (const part of text.split(sep)) {
    if (!part) continue;
    const [name, value = ''] = splitOnce(part, '=');
    grouped.set(name, [...(grouped.get(name) ?? []), value]);
  }
  return Object.fromEntries([...grouped].map(([name, values]) => [name, multi(values)]));
}
