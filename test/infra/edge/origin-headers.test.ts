// The origin request policy's header list against what the real enrichment reads: a header name
// CloudFront would forward but the edge spells differently, or one the edge reads that the policy
// silently drops, fails here rather than as empty columns in production.
import { describe, expect, it } from 'vitest';
import { buildRecord, parseEdgeStamp } from '../../../edge/ingest/enrich.js';
import {
  DROPPED_CLOUDFRONT_HEADERS,
  FORWARDED_CLOUDFRONT_HEADERS,
  MAX_POLICY_HEADERS,
} from '../../../infra/edge/origin-headers.js';
import { makeBatch } from '../../helpers/batch-factory.js';

/** Every geo and device header CloudFront can add, for a mobile Android viewer in Frankfurt. */
const ALL_CLOUDFRONT_HEADERS: Record<string, string> = {
  'CloudFront-Viewer-Country': 'DE',
  'CloudFront-Viewer-Country-Region': 'HE',
  'CloudFront-Viewer-City': 'Frankfurt%20am%20Main',
  'CloudFront-Viewer-Time-Zone': 'Europe/Berlin',
  'CloudFront-Viewer-ASN': '3320',
  'CloudFront-Viewer-Latitude': '50.11',
  'CloudFront-Viewer-Longitude': '8.68',
  'CloudFront-Is-Desktop-Viewer': 'false',
  'CloudFront-Is-Mobile-Viewer': 'true',
  'CloudFront-Is-Tablet-Viewer': 'false',
  'CloudFront-Is-SmartTV-Viewer': 'false',
  'CloudFront-Is-Android-Viewer': 'true',
  'CloudFront-Is-IOS-Viewer': 'false',
};

/** The record the edge builds when CloudFront forwards `names` (lowercased, as Lambda@Edge sees them). */
function recordWith(names: readonly string[]) {
  const headers = Object.fromEntries(
    names.map((n) => [n.toLowerCase(), ALL_CLOUDFRONT_HEADERS[n]]),
  );
  const batch = makeBatch({ count: 1 });
  return buildRecord(
    batch,
    batch.events.map((event, index) => ({ index, event })),
    {
      headers,
      requestId: 'req-1',
      servingRegion: 'eu-central-1',
      streamRegion: 'eu-central-1',
      stamp: parseEdgeStamp(undefined, 'eu-central-1', Date.now()),
    },
  );
}

describe('origin request policy headers', () => {
  it('lists no more headers than a policy may hold, each known to CloudFront, none twice', () => {
    expect(FORWARDED_CLOUDFRONT_HEADERS.length).toBeLessThanOrEqual(MAX_POLICY_HEADERS);
    expect(new Set(FORWARDED_CLOUDFRONT_HEADERS).size).toBe(FORWARDED_CLOUDFRONT_HEADERS.length);
    for (const h of FORWARDED_CLOUDFRONT_HEADERS) expect(ALL_CLOUDFRONT_HEADERS).toHaveProperty(h);
  });

  it('forwarded and dropped headers together are every header CloudFront offers the edge', () => {
    const covered = [...FORWARDED_CLOUDFRONT_HEADERS, ...Object.keys(DROPPED_CLOUDFRONT_HEADERS)];
    expect(covered.sort()).toStrictEqual(Object.keys(ALL_CLOUDFRONT_HEADERS).sort());
  });

  it('gives the record country, subdivision, time zone, ASN, device and OS', () => {
    const record = recordWith(FORWARDED_CLOUDFRONT_HEADERS);
    expect(record.geo).toStrictEqual({
      country: 'DE',
      region: 'HE',
      time_zone: 'Europe/Berlin',
      asn: '3320',
    });
    expect(record.edge.device).toBe('mobile');
    expect(record.edge.os).toBe('android');
  });

  it('drops only what the enrichment would otherwise keep: city and position', () => {
    const all = recordWith(Object.keys(ALL_CLOUDFRONT_HEADERS));
    expect(all.geo).toMatchObject({ city: 'Frankfurt am Main', lat: 50.1, lon: 8.7 });
  });
});
