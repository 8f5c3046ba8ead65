/**
 * Enrichment, done once per batch: where the viewer is (CloudFront geo headers), what device,
 * where the request entered the CDN, and the server receive time that corrects client clocks.
 * The client IP is never read: CloudFront-Viewer-Address is deliberately ignored.
 */
import {
  RECORD_VERSION,
  type EdgeContext,
  type EnrichedEvent,
  type EnrichedRecord,
  type GeoContext,
} from '../../schemas/record.js';
import { randomUUID } from 'node:crypto';
import type { BeaconBatch } from '../../schemas/index.js';
import { cutCodePoints } from '../../schemas/storable.js';
import { MAX_HEADER_VALUE_CHARS, MAX_STAMP_SKEW_MS } from './limits.js';
import type { AcceptedEvent } from './validate.js';

/**
 * The viewer-request function's CORS verdict on the request's Origin, from the allow-list it read
 * in the KeyValueStore: `*` any origin, `1` this origin, `0` not allowed.
 */
export type OriginVerdict = '*' | '1' | '0';

/** Edge location, receive time and CORS verdict as stamped by the viewer-request function. */
export interface EdgeStamp {
  pop: string;
  region: string;
  /** Receive time, ms since epoch. */
  t: number;
  /** Absent when the request had no Origin or the stamp carries no verdict. */
  origin?: OriginVerdict;
}

const POP = /^[A-Za-z0-9-]{1,32}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const INTEGER = /^\d{1,16}$/;

/**
 * Parses `pop=FRA56-C1;region=eu-central-1;t=1700000000000;o=1`. Each field falls back on its own
 * when absent or garbled: pop `unknown`, region = the serving region, t = `now`, no verdict. A `t`
 * further than MAX_STAMP_SKEW_MS from `now` is not believed (only a forged header could be that
 * far off).
 */
export function parseEdgeStamp(
  value: string | undefined,
  servingRegion: string,
  now: number,
): EdgeStamp {
  const out: EdgeStamp = { pop: 'unknown', region: servingRegion, t: now };
  if (!value) return out;
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    if (key === 'pop' && POP.test(val)) out.pop = val;
    // Bounded like a header value: the storage rules refuse a longer edge_region.
    else if (key === 'region' && val.length <= MAX_HEADER_VALUE_CHARS && REGION.test(val))
      out.region = val;
    else if (key === 't' && INTEGER.test(val) && Math.abs(Number(val) - now) <= MAX_STAMP_SKEW_MS)
      out.t = Number(val);
    else if (key === 'o' && (val === '*' || val === '1' || val === '0')) out.origin = val;
  }
  return out;
}

/** Geo fields from CloudFront-Viewer-* headers; absent headers give absent fields. */
export function readGeo(headers: Record<string, string>): GeoContext {
  const geo: GeoContext = {};
  const country = header(headers, 'cloudfront-viewer-country');
  if (country) geo.country = country;
  const region = header(headers, 'cloudfront-viewer-country-region');
  if (region) geo.region = region;
  const city = header(headers, 'cloudfront-viewer-city');
  if (city) geo.city = urlDecode(city);
  const timeZone = header(headers, 'cloudfront-viewer-time-zone');
  if (timeZone) geo.time_zone = timeZone;
  const asn = header(headers, 'cloudfront-viewer-asn');
  if (asn) geo.asn = asn;
  const lat = coordinate(header(headers, 'cloudfront-viewer-latitude'), 90);
  const lon = coordinate(header(headers, 'cloudfront-viewer-longitude'), 180);
  // Both or neither: half a position is not useful and looks like a bug downstream.
  if (lat !== undefined && lon !== undefined) {
    geo.lat = lat;
    geo.lon = lon;
  }
  return geo;
}

/** The CloudFront-Is-*-Viewer header names (lowercase), built once rather than per request. */
const IS_VIEWER = Object.fromEntries(
  ['smarttv', 'tablet', 'mobile', 'desktop', 'android', 'ios'].map((name) => [
    name,
    `cloudfront-is-${name}-viewer`,
  ]),
) as Record<'smarttv' | 'tablet' | 'mobile' | 'desktop' | 'android' | 'ios', string>;

/** Device class and OS from the CloudFront-Is-*-Viewer headers (most specific class wins). */
function readDevice(headers: Record<string, string>): Pick<EdgeContext, 'device' | 'os'> {
  const is = (name: keyof typeof IS_VIEWER) => {
    const v = headers[IS_VIEWER[name]];
    return v !== undefined && (v === 'true' || v.trim().toLowerCase() === 'true');
  };
  const device: EdgeContext['device'] = is('smarttv')
    ? 'smarttv'
    : is('tablet')
      ? 'tablet'
      : is('mobile')
        ? 'mobile'
        : is('desktop')
          ? 'desktop'
          : 'unknown';
  const os = is('android') ? 'android' : is('ios') ? 'ios' : undefined;
  return os ? { device, os } : { device };
}

/** Per-request facts the record needs besides the batch. */
export interface EnrichContext {
  headers: Record<string, string>;
  requestId: string;
  servingRegion: string;
  streamRegion: string;
  stamp: EdgeStamp;
}

/** Optional envelope fields the record copies as they are. */
const SESSION_FIELDS = ['drm_system', 'audio_language', 'subtitle_language'] as const;

/**
 * Builds the one Kinesis record for a request. Events are the validated objects as they are (fresh
 * from JSON.parse, owned by this request, only known keys): the clock correction is the record's
 * `skew_ms` (received_at − sent_at), and each event's server-clock time is `ts + skew_ms`, which
 * readers compute. Writing it into every event too would cost ingest CPU and record bytes for a
 * value any reader derives with one addition (docs/BENCHMARKS.md, edge-throughput notes).
 */
export function buildRecord(
  batch: BeaconBatch,
  accepted: AcceptedEvent[],
  ctx: EnrichContext,
): EnrichedRecord {
  const receivedAt = ctx.stamp.t;
  const skew = receivedAt - batch.sent_at;
  const events: EnrichedEvent[] = accepted.map((a) => a.event);
  const record: EnrichedRecord = {
    record_version: RECORD_VERSION,
    schema_version: batch.schema_version,
    received_at: receivedAt,
    skew_ms: skew,
    session_id: batch.session_id,
    content_id: batch.content_id,
    sdk_name: batch.sdk_name,
    sdk_version: batch.sdk_version,
    geo: readGeo(ctx.headers),
    edge: edgeContext(ctx),
    events,
  };
  if (batch.viewer_id !== undefined) record.viewer_id = batch.viewer_id;
  if (batch.player_name !== undefined) record.player_name = batch.player_name;
  if (batch.player_version !== undefined) record.player_version = batch.player_version;
  // Schema 1-1-0 and later; read as the record types them, whatever version the batch type names.
  const session = batch as Partial<Pick<EnrichedRecord, (typeof SESSION_FIELDS)[number]>>;
  for (const field of SESSION_FIELDS) {
    const v = session[field];
    if (v !== undefined) record[field] = v;
  }
  return record;
}

/**
 * Where the request entered the CDN and was processed, and the device: the record's `edge`. The
 * CMCD path builds its records from this and {@link readGeo} too.
 */
export function edgeContext(ctx: EnrichContext): EdgeContext {
  return {
    pop: ctx.stamp.pop,
    edge_region: ctx.stamp.region,
    serving_region: ctx.servingRegion,
    stream_region: ctx.streamRegion,
    request_id: ctx.requestId,
    ...readDevice(ctx.headers),
  };
}

/**
 * A CloudFront header value as the record keeps it: trimmed, cut to MAX_HEADER_VALUE_CHARS code
 * points (never inside a surrogate pair), unpaired surrogates replaced by U+FFFD. These values are
 * CloudFront's, not the client's, so they are repaired rather than refused: U+FFFD in a stored
 * value marks the repair.
 */
function header(headers: Record<string, string>, name: string): string | undefined {
  const v = headers[name]?.trim();
  return v ? cutCodePoints(v, MAX_HEADER_VALUE_CHARS) : undefined;
}

/**
 * The request id kept in the record and bad rows: CloudFront's, repaired as a header value is, or
 * `edge-<random UUID>` when it is empty. It is a trace field only (events are idempotent on their
 * own id, bad rows on what they carry), so a fallback need not be reproducible, only unique.
 */
export function usableRequestId(requestId: string | undefined): string {
  const id = requestId?.trim();
  return id ? cutCodePoints(id, MAX_HEADER_VALUE_CHARS) : `edge-${randomUUID()}`;
}

/** CloudFront URL-encodes non-ASCII city names; a value that is not valid encoding is kept as is. */
function urlDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Rounded to 1 decimal (~11 km) so a viewer cannot be located; out of range → undefined. */
function coordinate(value: string | undefined, limit: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || Math.abs(n) > limit) return undefined;
  return Math.round(n * 10) / 10 || 0;
}
