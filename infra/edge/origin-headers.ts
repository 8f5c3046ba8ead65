/**
 * What CloudFront passes to the origin-request handler. The policy forwards every viewer header
 * (Content-Type, Content-Length and Origin for the request checks, and the x-beacon-edge stamp
 * the viewer-request function adds) and, of the headers CloudFront itself generates, the ten
 * the record keeps most use of: a policy may list at most ten by default (a quota AWS can raise).
 *
 * The enrichment (edge/ingest/enrich.ts) reads thirteen. Kept: country, country subdivision,
 * time zone and ASN (the dashboards break QoE down by country and network), and the six
 * device/OS flags (the device breakdown needs four; the OS two are the only source of `os`).
 * Dropped: city, latitude and longitude, the precise location. The dashboards never use them,
 * they are the most personal of the geo values, and latitude and longitude only count in pairs,
 * so they would take two slots for one fact.
 */
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';
import { FORWARDED_QUERY_PARAMS } from '../../edge/config.js';

/** CloudFront's default quota of headers listed in one origin request policy. */
export const MAX_POLICY_HEADERS = 10;

/** The CloudFront-generated headers forwarded to the handler. */
export const FORWARDED_CLOUDFRONT_HEADERS = [
  'CloudFront-Viewer-Country',
  'CloudFront-Viewer-Country-Region',
  'CloudFront-Viewer-Time-Zone',
  'CloudFront-Viewer-ASN',
  'CloudFront-Is-Desktop-Viewer',
  'CloudFront-Is-Mobile-Viewer',
  'CloudFront-Is-Tablet-Viewer',
  'CloudFront-Is-SmartTV-Viewer',
  'CloudFront-Is-Android-Viewer',
  'CloudFront-Is-IOS-Viewer',
] as const;

/** Headers the enrichment could read that the policy leaves out, with the reason. */
export const DROPPED_CLOUDFRONT_HEADERS: Readonly<Record<string, string>> = {
  'CloudFront-Viewer-City': 'precise location, unused by the dashboards',
  'CloudFront-Viewer-Latitude': 'precise location, and only useful with the longitude',
  'CloudFront-Viewer-Longitude': 'precise location, and only useful with the latitude',
};

/**
 * The origin request policy of the ingest behaviours: all viewer headers plus the chosen
 * CloudFront headers, the CMCD player query parameters, and no cookies (the handler never reads
 * them, and a first-party ingest domain would otherwise hand it the site's cookies).
 */
export function ingestOriginRequestPolicy(
  scope: Construct,
  id: string,
  name: string,
): cloudfront.OriginRequestPolicy {
  return new cloudfront.OriginRequestPolicy(scope, id, {
    originRequestPolicyName: name,
    comment: 'beacon ingest: viewer headers, the geo/device headers the record keeps, CMCD player',
    headerBehavior: cloudfront.OriginRequestHeaderBehavior.all(...FORWARDED_CLOUDFRONT_HEADERS),
    cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    // An origin-request event carries only the query strings the behaviour forwards.
    queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.allowList(
      ...FORWARDED_QUERY_PARAMS,
    ),
  });
}
