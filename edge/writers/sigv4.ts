/**
 * AWS Signature Version 4 for the edge's JSON API calls, on `node:crypto` alone: the SDK's signer
 * and its dependency tree cost the Lambda@Edge bundle more load time than the whole ingest core.
 * Only what the edge sends is covered: header signing (no presigned URLs, no query strings, no
 * streaming payloads). The result equals `@smithy/signature-v4`'s for the same request
 * (test/edge/writers/sigv4.test.ts checks it against the SDK).
 */
import { createHash, createHmac } from 'node:crypto';

/** Credentials to sign with (the Lambda role's, or the local emulator's dummy pair). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for temporary (role) credentials; sent as `x-amz-security-token`. */
  sessionToken?: string;
}

/** A request to sign. Header names may be in any case; values are sent as given. */
export interface SignableRequest {
  method: string;
  /** `host[:port]` exactly as sent in the Host header. */
  host: string;
  /** Absolute path without a query string, e.g. `/`. */
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Where and as whom to sign. */
export interface SigningScope {
  service: string;
  region: string;
  credentials: AwsCredentials;
  /** Signing time; AWS refuses a signature more than 5 minutes off its clock. */
  date: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** Headers the SDK never signs: proxies and clients may add, drop or rewrite them. */
const UNSIGNABLE = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

/**
 * The headers to send: the request's own (lower-cased) plus `host`, `x-amz-date`,
 * `x-amz-content-sha256`, `x-amz-security-token` (temporary credentials) and `authorization`.
 * Like the SDK, the payload hash header is added unless present, and any old signature replaced.
 *
 * @example
 * const headers = signRequest(
 *   { method: 'POST', host: 'kinesis.eu-central-1.amazonaws.com', path: '/', headers: {...}, body },
 *   { service: 'kinesis', region: 'eu-central-1', credentials, date: new Date() },
 * );
 */
export function signRequest(req: SignableRequest, scope: SigningScope): Record<string, string> {
  const { longDate, shortDate } = formatDate(scope.date);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'x-amz-date' || lower === 'date') continue;
    headers[lower] = value;
  }
  headers.host = req.host;
  headers['x-amz-date'] = longDate;
  if (scope.credentials.sessionToken)
    headers['x-amz-security-token'] = scope.credentials.sessionToken;
  const payloadHash = headers['x-amz-content-sha256'] ?? sha256Hex(req.body);
  headers['x-amz-content-sha256'] = payloadHash;

  const signed = Object.keys(headers)
    .filter((n) => !UNSIGNABLE.has(n) && !n.startsWith('proxy-') && !n.startsWith('sec-'))
    .sort();
  const canonicalRequest = [
    req.method,
    canonicalPath(req.path),
    '',
    ...signed.map((n) => `${n}:${canonicalValue(headers[n])}`),
    '',
    signed.join(';'),
    payloadHash,
  ].join('\n');
  const credentialScope = `${shortDate}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [ALGORITHM, longDate, credentialScope, sha256Hex(canonicalRequest)].join(
    '\n',
  );
  const key = signingKey(scope.credentials.secretAccessKey, shortDate, scope.region, scope.service);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `${ALGORITHM} Credential=${scope.credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return headers;
}

/** `20150830T123600Z` and `20150830`, as SigV4 writes dates (UTC). */
function formatDate(date: Date): { longDate: string; shortDate: string } {
  const longDate = date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return { longDate, shortDate: longDate.slice(0, 8) };
}

function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Header values as SigV4 canonicalizes them: line breaks to spaces, runs of blanks collapsed, trimmed. */
function canonicalValue(value: string): string {
  return value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}

/**
 * The path normalized (`.`, `..`, empty segments) and URI-encoded, slashes kept, as SigV4 wants
 * for every service but S3.
 */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') segments.pop();
    else segments.push(s);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${trailing}`;
  return uriEscape(normalized).replace(/%2F/g, '/');
}

/** RFC 3986 percent-encoding: every byte but the unreserved characters. */
function uriEscape(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The day's signing key. Derived from the secret, date, region and service only, so it is kept:
 * four HMACs per request saved on a warm container.
 */
const keyCache = new Map<string, Buffer>();

function signingKey(secret: string, shortDate: string, region: string, service: string): Buffer {
  const id = `${shortDate}|${region}|${service}|${secret}`;
  let key = keyCache.get(id);
  if (!key) {
    key = hmac(`AWS4${secret}`, shortDate);
    for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
    // A day's keys are few (regions × services); start over rather than grow without end.
    if (keyCache.size >= 50) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
