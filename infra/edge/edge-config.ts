/**
 * The EdgeConfig compiled into the Lambda@Edge bundle for a deployment. Lambda@Edge has no
 * environment variables, so everything the handler needs on AWS (regions, stream names, the
 * bad-rows stream) is decided here at synth time; the limits stay the edge's own defaults.
 */
import { DEFAULT_CONFIG, type EdgeConfig } from '../../edge/config.js';
import { NO_RULES } from '../../edge/rollout.js';
import type { DeployConfig } from '../config.js';
import { badRowsStreamName, eventsStreamName } from '../names.js';

/**
 * Maps a resolved DeployConfig to the edge's configuration: the events stream in every
 * configured region (in configured order; the handler ranks them by distance from the edge
 * location on each request), bad rows to the home region's Kinesis stream, which the same
 * consumer reads. No endpoints and no credentials: on AWS the SDK finds both itself.
 *
 * @example
 * edgeConfigFor(DEFAULT_DEPLOY_CONFIG).streams.map((s) => s.region)
 * // → ['us-east-1', 'eu-central-1', 'ap-southeast-1']
 */
export function edgeConfigFor(config: DeployConfig): EdgeConfig {
  const { schemas, sdks } = config.rollout;
  // Only with rules: without, the bundles stay as they were and the store starts empty of rules.
  const rollout = schemas !== NO_RULES || sdks !== NO_RULES ? { rollout: { schemas, sdks } } : {};
  return {
    ...rollout,
    ingestPaths: [...config.ingestPaths],
    cmcdPath: config.cmcdPath,
    allowedOrigins: [...config.allowedOrigins],
    maxBodyBytes: DEFAULT_CONFIG.maxBodyBytes,
    maxEvents: DEFAULT_CONFIG.maxEvents,
    maxEventAgeMs: DEFAULT_CONFIG.maxEventAgeMs,
    streams: config.regions.map((region) => ({ region, streamName: eventsStreamName(config) })),
    badRows: { kind: 'kinesis', region: config.homeRegion, streamName: badRowsStreamName(config) },
    writeBudgetMs: DEFAULT_CONFIG.writeBudgetMs,
    wireFormat: config.wireFormat,
  };
}
