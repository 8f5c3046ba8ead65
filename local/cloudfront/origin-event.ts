/**
 * Builds the Lambda@Edge origin-request event exactly as CloudFront does for a behaviour with
 * IncludeBody: headers as `{ name: [{ key, value }] }` with lowercase names, the body base64 and
 * cut at 1 MB with `inputTruncated`, and `Records[0].cf.config` with a CloudFront-like request id.
 */
import { randomBytes } from 'node:crypto';
import type { CloudFrontHeaders, CloudFrontRequestEvent } from 'aws-lambda';
import { FORWARDED_QUERY_PARAMS } from '../../edge/config.js';
import type { RawHeader } from './viewer.js';

/** Lambda@Edge origin-request events carry at most this much body (the rest is cut, `inputTruncated`). */
export const ORIGIN_BODY_LIMIT = 1024 * 1024;

/** A CloudFront Functions header/query map: `{ name: { value, multiValue? } }`. */
export type FunctionValueMap = Record<string, { value: string; multiValue?: { value: string }[] }>;

/** The request a CloudFront Function returns (or receives): the subset the emulator carries on. */
export interface FunctionRequest {
  method: string;
  uri: string;
  querystring: FunctionValueMap;
  headers: FunctionValueMap;
  cookies?: FunctionValueMap;
}

/** Input of {@link makeOriginRequestEvent}. */
export interface OriginRequestInput {
  /** The request as the viewer-request function left it. */
  request: FunctionRequest;
  /** Original spellings of header names, to fill `key` (CloudFront keeps the viewer's spelling). */
  headerKeys: ReadonlyMap<string, string>;
  /** CloudFront-Viewer-* / CloudFront-Is-* headers the origin request policy adds. */
  cloudFrontHeaders: readonly RawHeader[];
  clientIp: string;
  /** The body as received; cut at {@link ORIGIN_BODY_LIMIT}. */
  body: Buffer;
  /** True when more bytes arrived than `body` holds (the reader stopped keeping them). */
  bodyCut?: boolean;
  requestId: string;
  distributionId: string;
  distributionDomainName: string;
}

/**
 * A request id shaped like CloudFront's (`x-amz-cf-id`): 40 random bytes, URL-safe base64, `==`.
 * Random so the edge's bad rows and request ids never collide across restarts.
 */
export function newRequestId(): string {
  return randomBytes(40).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** `Content-Type` → `Content-Type`, `x-beacon-edge` → `X-Beacon-Edge`: used when no spelling is known. */
export function canonicalHeaderKey(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

/**
 * Rebuilds the query string (without `?`) from a CloudFront Functions querystring map. Names and
 * values are kept as sent (CloudFront Functions do not decode them), so they are joined, not encoded.
 * With `only`, parameters of other names are left out, as an origin request policy's allow-list does.
 */
export function querystringToString(qs: FunctionValueMap, only?: readonly string[]): string {
  const parts: string[] = [];
  for (const [name, entry] of Object.entries(qs)) {
    if (only && !only.includes(name)) continue;
    const values = entry.multiValue?.length ? entry.multiValue.map((v) => v.value) : [entry.value];
    for (const v of values) parts.push(v === '' ? name : `${name}=${v}`);
  }
  return parts.join('&');
}

/** Turns CloudFront Functions headers into Lambda@Edge headers, keeping the viewer's spelling in `key`. */
export function functionHeadersToEdge(
  headers: FunctionValueMap,
  keys: ReadonlyMap<string, string>,
): CloudFrontHeaders {
  const out: CloudFrontHeaders = {};
  for (const [rawName, entry] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    const key = keys.get(name) ?? canonicalHeaderKey(name);
    const values = entry.multiValue?.length ? entry.multiValue.map((v) => v.value) : [entry.value];
    out[name] = [...(out[name] ?? []), ...values.map((value) => ({ key, value }))];
  }
  return out;
}

/** Cuts a body at the origin-request limit: base64 data and whether anything was dropped. */
export function encodeOriginBody(
  body: Buffer,
  alreadyCut = false,
): { data: string; inputTruncated: boolean } {
  const cut = body.length > ORIGIN_BODY_LIMIT;
  return {
    data: (cut ? body.subarray(0, ORIGIN_BODY_LIMIT) : body).toString('base64'),
    inputTruncated: cut || alreadyCut,
  };
}

/**
 * The origin-request event CloudFront hands to Lambda@Edge. CloudFront's own geo/device headers
 * replace any the request carried under the same names; X-Forwarded-For gains the client IP.
 */
export function makeOriginRequestEvent(input: OriginRequestInput): CloudFrontRequestEvent {
  const headers = functionHeadersToEdge(input.request.headers, input.headerKeys);
  for (const h of input.cloudFrontHeaders) delete headers[h.name];
  for (const h of input.cloudFrontHeaders)
    headers[h.name] = [...(headers[h.name] ?? []), { key: h.key, value: h.value }];
  // CloudFront appends the viewer's address to X-Forwarded-For on every origin request, so the
  // edge code sees the client IP there as on AWS (and must not keep it).
  const forwarded = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = [
    {
      key: forwarded?.[0]?.key ?? 'X-Forwarded-For',
      value: [...(forwarded ?? []).map((h) => h.value), input.clientIp].join(', '),
    },
  ];
  const body = encodeOriginBody(input.body, input.bodyCut);
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: input.distributionDomainName,
            distributionId: input.distributionId,
            eventType: 'origin-request',
            requestId: input.requestId,
          },
          request: {
            clientIp: input.clientIp,
            headers,
            method: input.request.method,
            // The ingest behaviour's origin request policy forwards these parameters only.
            querystring: querystringToString(input.request.querystring, FORWARDED_QUERY_PARAMS),
            uri: input.request.uri,
            body: {
              action: 'read-only',
              encoding: 'base64',
              inputTruncated: body.inputTruncated,
              data: body.data,
            },
            // CloudFront always includes the origin in origin-request events; locally there is none
            // to fetch from, so this names a placeholder custom origin.
            origin: {
              custom: {
                customHeaders: {},
                domainName: 'origin.invalid',
                keepaliveTimeout: 5,
                path: '',
                port: 443,
                protocol: 'https',
                readTimeout: 30,
                sslProtocols: ['TLSv1.2'],
              },
            },
          },
        },
      },
    ],
  };
}
