/**
 * Physical names that more than one stack must agree on. The edge stack (us-east-1) writes to
 * streams the regional stacks create in other regions; CloudFormation cannot reference across
 * regions, so both sides derive the names from the configuration here instead.
 */
import type { DeployConfig } from './config.js';

/** The events stream, the same name in every configured region. */
export function eventsStreamName(config: Pick<DeployConfig, 'appName'>): string {
  return `${config.appName}-events`;
}

/** The bad-rows stream, in the home region only. */
export function badRowsStreamName(config: Pick<DeployConfig, 'appName'>): string {
  return `${config.appName}-bad-rows`;
}

/** The origin-request Lambda@Edge function. Its name is in its log groups and metrics. */
export function edgeFunctionName(config: Pick<DeployConfig, 'appName'>): string {
  return `${config.appName}-edge-ingest`;
}

/** The viewer-request CloudFront Function (names are unique per account). */
export function viewerFunctionName(config: Pick<DeployConfig, 'appName'>): string {
  return `${config.appName}-viewer-request`;
}

/**
 * The log group a Lambda@Edge replica writes to in each region where it runs: the function's
 * region (always us-east-1) is part of the name.
 */
export function edgeLogGroupName(config: Pick<DeployConfig, 'appName'>): string {
  return `/aws/lambda/us-east-1.${edgeFunctionName(config)}`;
}
