/**
 * Who the viewer is, as the local emulator sees it: loopback requests may name their edge location
 * (`x-beacon-pop`) and carry `CloudFront-Viewer-*` / `CloudFront-Is-*` headers, so a simulator can
 * play viewers anywhere; every other request gets fixed defaults and its own such headers dropped,
 * as CloudFront overwrites them.
 */
import { DEFAULT_EDGE_LOCATION, edgeLocationForPop, type EdgeLocation } from './pops.js';

/** The documented header naming the edge location of a loopback request (`FRA56-C1`). */
const POP_HEADER = 'x-beacon-pop';

/** Headers CloudFront adds for the origin (geo, device); the only ones a loopback client may set. */
const CLOUDFRONT_HEADER = /^cloudfront-(viewer|is)-/;

/**
 * Geo and device headers of a viewer in Ashburn, Virginia, used when the request does not bring its
 * own. Keys are the canonical names CloudFront uses in Lambda@Edge events. No
 * `CloudFront-Viewer-Address`: it carries the client IP, which this product never forwards.
 */
export const DEFAULT_VIEWER_HEADERS: Readonly<Record<string, string>> = {
  'CloudFront-Viewer-Country': 'US',
  'CloudFront-Viewer-Country-Name': 'United States',
  'CloudFront-Viewer-Country-Region': 'VA',
  'CloudFront-Viewer-Country-Region-Name': 'Virginia',
  'CloudFront-Viewer-City': 'Ashburn',
  'CloudFront-Viewer-Postal-Code': '20147',
  'CloudFront-Viewer-Time-Zone': 'America/New_York',
  'CloudFront-Viewer-Latitude': '39.04370',
  'CloudFront-Viewer-Longitude': '-77.48750',
  'CloudFront-Viewer-Metro-Code': '511',
  'CloudFront-Viewer-ASN': '14618',
  'CloudFront-Is-Desktop-Viewer': 'true',
  'CloudFront-Is-Mobile-Viewer': 'false',
  'CloudFront-Is-Tablet-Viewer': 'false',
  'CloudFront-Is-SmartTV-Viewer': 'false',
  'CloudFront-Is-Android-Viewer': 'false',
  'CloudFront-Is-IOS-Viewer': 'false',
};

/** Canonical spelling of CloudFront header names (`cloudfront-viewer-asn` → `CloudFront-Viewer-ASN`). */
const CANONICAL = new Map(Object.keys(DEFAULT_VIEWER_HEADERS).map((k) => [k.toLowerCase(), k]));

/** Hop-by-hop headers: they describe the client's connection and never reach edge functions. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

/** One request header as received: lowercase name, original spelling, value. */
export interface RawHeader {
  name: string;
  key: string;
  value: string;
}

/** What the emulator derives from the client connection and headers. */
export interface ViewerContext {
  edgeLocation: EdgeLocation;
  /** The POP code to report (`FRA56-C1` from the header, or the default's name with a facility). */
  pop: string;
  /** Headers the client sent that CloudFront passes on (emulator-only and CloudFront-owned ones removed). */
  clientHeaders: RawHeader[];
  /** CloudFront-Viewer-* / CloudFront-Is-* headers CloudFront adds on the origin request. */
  cloudFrontHeaders: RawHeader[];
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** Pairs Node's `rawHeaders` ([k1, v1, k2, v2, ...]) into {@link RawHeader}s. */
function pairRawHeaders(rawHeaders: readonly string[]): RawHeader[] {
  const out: RawHeader[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    out.push({ name: rawHeaders[i].toLowerCase(), key: rawHeaders[i], value: rawHeaders[i + 1] });
  }
  return out;
}

/**
 * Splits a request's headers into what the viewer sent and what CloudFront adds, and picks the
 * edge location. Pure: the caller passes the remote address and raw headers.
 */
export function viewerContext(
  remoteAddress: string | undefined,
  rawHeaders: readonly string[],
): ViewerContext {
  const loopback = isLoopback(remoteAddress);
  const all = pairRawHeaders(rawHeaders);
  const clientHeaders = all.filter(
    (h) => !HOP_BY_HOP.has(h.name) && h.name !== POP_HEADER && !CLOUDFRONT_HEADER.test(h.name),
  );
  const popValue = loopback ? all.find((h) => h.name === POP_HEADER)?.value.trim() : undefined;
  const fromPop = edgeLocationForPop(popValue);
  const edgeLocation = fromPop ?? DEFAULT_EDGE_LOCATION;
  const pop = fromPop && popValue ? popValue.toUpperCase() : `${DEFAULT_EDGE_LOCATION.name}89-C1`;

  // A loopback request that brings any geo/device header speaks for the whole viewer; mixing its
  // headers with the Virginia defaults would invent places that do not exist.
  const supplied = loopback ? all.filter((h) => CLOUDFRONT_HEADER.test(h.name)) : [];
  const cloudFrontHeaders =
    supplied.length > 0
      ? supplied.map((h) => ({ name: h.name, key: CANONICAL.get(h.name) ?? h.key, value: h.value }))
      : Object.entries(DEFAULT_VIEWER_HEADERS).map(([key, value]) => ({
          name: key.toLowerCase(),
          key,
          value,
        }));
  return { edgeLocation, pop, clientHeaders, cloudFrontHeaders };
}

/**
 * Header spellings for Lambda@Edge `key`s. CloudFront keeps the spelling the viewer used; a header
 * the function added (e.g. `x-beacon-edge`) gets a canonical one later.
 */
export function headerKeys(headers: readonly RawHeader[]): Map<string, string> {
  const keys = new Map<string, string>();
  for (const h of headers) if (!keys.has(h.name)) keys.set(h.name, h.key);
  return keys;
}

/** Groups raw headers by lowercase name, keeping repeats in order (`req.headersDistinct` shape). */
export function groupHeaders(headers: readonly RawHeader[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const h of headers) {
    out[h.name] ??= [];
    out[h.name].push(h.value);
  }
  return out;
}
