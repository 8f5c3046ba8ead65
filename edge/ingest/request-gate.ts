/**
 * The request gate: route, method, content type, size and emptiness checks, and the strict UTF-8
 * decode of the body, before anything parses it. The CloudFront Function answers wrong paths and
 * methods first but passes every POST here, so that each refused body is kept as a bad row; path
 * and method are checked again in case it is missing (a misconfigured behaviour).
 */
import { codePointEnd, toWellFormed } from '../../schemas/storable.js';
import type { EdgeConfig } from '../config.js';
import type { BodyRejection, IngestRequest } from './types.js';

/** What a path accepts as a body: its media types, and what to call its content in a message. */
export interface BodyAccepts {
  media: ReadonlySet<string>;
  content: string;
}

/** Beacons: JSON, or text/plain from sendBeacon / CORS-simple fetch. */
const BEACON_BODY: BodyAccepts = {
  media: new Set(['application/json', 'text/plain']),
  content: 'a JSON batch',
};

/** `fatal` makes invalid UTF-8 an error instead of silently becoming U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** What the route check decided: a rejection, a CORS preflight to answer, or go on. */
export type RouteDecision =
  | { kind: 'reject'; rejection: BodyRejection }
  | { kind: 'preflight' }
  | { kind: 'post' };

/** Path, then method: an unknown path is 404 whatever the method. OPTIONS is a CORS preflight. */
export function checkRoute(req: IngestRequest, config: EdgeConfig): RouteDecision {
  if (!config.ingestPaths.includes(req.path)) {
    return reject(404, 'not_found', `no ingest endpoint at ${truncate(req.path, 200)}`);
  }
  const method = req.method.toUpperCase();
  if (method === 'OPTIONS') return { kind: 'preflight' };
  if (method !== 'POST')
    return reject(405, 'method_not_allowed', `${truncate(method, 20)} is not allowed; use POST`);
  return { kind: 'post' };
}

/**
 * Content type, truncation, size and emptiness, in that order. Returns undefined when the body
 * may be decoded.
 */
export function checkBody(
  req: IngestRequest,
  config: EdgeConfig,
  accepts: BodyAccepts = BEACON_BODY,
): BodyRejection | undefined {
  const contentType = req.headers['content-type'];
  const media = checkMediaType(contentType, accepts.media);
  if (media) return media;
  if (req.bodyTruncated) {
    return rejection(
      413,
      'body_truncated',
      `the body was cut by the CDN; send at most ${config.maxBodyBytes} bytes`,
    );
  }
  const declared = Number(req.headers['content-length']);
  const size = Math.max(req.body?.byteLength ?? 0, Number.isFinite(declared) ? declared : 0);
  if (size > config.maxBodyBytes) {
    return rejection(
      413,
      'body_too_large',
      `body of ${size} bytes exceeds the limit of ${config.maxBodyBytes} bytes`,
    );
  }
  if (!req.body || req.body.byteLength === 0 || isBlank(req.body)) {
    return rejection(400, 'empty_body', `the body is empty; send ${accepts.content}`);
  }
  return undefined;
}

/** Decodes UTF-8 strictly; undefined when the bytes are not valid UTF-8. A leading BOM is dropped. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

function checkMediaType(
  contentType: string | undefined,
  accepted: ReadonlySet<string>,
): BodyRejection | undefined {
  const [type = '', ...params] = (contentType ?? '').split(';');
  const media = type.trim().toLowerCase();
  if (!accepted.has(media)) {
    const got = media ? `'${truncate(media, 100)}'` : 'no content type';
    const list = [...accepted];
    const use = `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
    return rejection(415, 'unsupported_media_type', `${got} is not accepted; use ${use}`);
  }
  for (const p of params) {
    const [name = '', value = ''] = p.split('=');
    const charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
    if (name.trim().toLowerCase() === 'charset' && charset !== 'utf-8' && charset !== 'utf8') {
      return rejection(
        415,
        'unsupported_media_type',
        `charset '${truncate(charset, 40)}' is not accepted; use utf-8`,
      );
    }
  }
  return undefined;
}

/** JSON whitespace only (space, tab, CR, LF) counts as empty. */
function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  }
  return true;
}

function rejection(status: number, reason: BodyRejection['reason'], detail: string): BodyRejection {
  return { status, reason, detail };
}

function reject(status: number, reason: BodyRejection['reason'], detail: string): RouteDecision {
  return { kind: 'reject', rejection: rejection(status, reason, detail) };
}

/**
 * Cuts client-controlled text to `max` code points before it goes into a detail message, never
 * inside a surrogate pair, with unpaired surrogates replaced by U+FFFD: the detail is stored in a
 * bad row, which must be storable text.
 */
export function truncate(s: string, max: number): string {
  const end = codePointEnd(s, max);
  return end < s.length ? `${toWellFormed(s.slice(0, end))}…` : toWellFormed(s);
}
