/**
 * The optional AWS WAF web ACL in front of the distribution: one rate-based rule per client IP.
 * A flood of invalid POSTs would otherwise cost one Lambda@Edge invocation each (the viewer
 * function refuses no POST: every refused body must be kept as a bad row), so the bound on cost
 * is here. A request WAF blocks never reaches the edge code and is not stored as a bad row: it
 * is traffic control, not data, and WAF's own metrics and sampled requests count it.
 *
 * No AWS managed rule groups: the common rule set refuses bodies above 8 KB, which would turn
 * valid beacon batches into WAF blocks instead of documented answers.
 */
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';

/** The body of a rate-limited answer, in the same shape as the edge's own errors. */
const RATE_LIMITED_BODY = JSON.stringify({
  error: 'rate_limited',
  detail: 'too many requests from this address; retry later',
});

/** Seconds a rate-limited client is told to wait (WAF's rate window is five minutes). */
const RATE_LIMITED_RETRY_AFTER_S = 60;

/**
 * Creates the web ACL (scope CLOUDFRONT, so the stack must be in us-east-1). Blocked requests get
 * 429 with a JSON body and Retry-After; with an open CORS allow-list the answer also carries
 * `Access-Control-Allow-Origin: *` so a player can read it.
 */
export function rateLimitWebAcl(
  scope: Construct,
  id: string,
  config: DeployConfig,
): wafv2.CfnWebACL {
  const metric = (name: string) => ({
    cloudWatchMetricsEnabled: true,
    metricName: `${config.appName}-${name}`,
    sampledRequestsEnabled: true,
  });
  const headers = [{ name: 'retry-after', value: String(RATE_LIMITED_RETRY_AFTER_S) }];
  if (config.allowedOrigins.includes('*')) {
    headers.push({ name: 'access-control-allow-origin', value: '*' });
  }
  return new wafv2.CfnWebACL(scope, id, {
    name: `${config.appName}-edge`,
    description: 'beacon-edge: per-IP rate limit in front of the ingest distribution',
    scope: 'CLOUDFRONT',
    defaultAction: { allow: {} },
    visibilityConfig: metric('edge-acl'),
    customResponseBodies: {
      'rate-limited': { contentType: 'APPLICATION_JSON', content: RATE_LIMITED_BODY },
    },
    rules: [
      {
        name: 'rate-per-ip',
        priority: 0,
        statement: {
          rateBasedStatement: {
            limit: config.waf.requestsPer5MinPerIp,
            aggregateKeyType: 'IP',
            evaluationWindowSec: 300,
          },
        },
        action: {
          block: {
            customResponse: {
              responseCode: 429,
              customResponseBodyKey: 'rate-limited',
              responseHeaders: headers,
            },
          },
        },
        visibilityConfig: metric('rate-per-ip'),
      },
    ],
  });
}
