/**
 * The deployment's stacks, added to an App: what `infra/app.ts` runs and what the tests
 * synthesize. Each stack states its environment: the region always, the account when the CDK CLI
 * knows it (CDK_DEFAULT_ACCOUNT, from the credentials at hand). Without credentials, as in
 * `npm run synth` offline, the account stays the deploy-time `AWS::AccountId`, so synthesis
 * needs no AWS account and no placeholder number ends up in a template.
 */
import path from 'node:path';
import type { App, Environment } from 'aws-cdk-lib';
import type { DeployConfig } from './config.js';
import { buildEdgeBundles } from './edge/bundles.js';
import { EdgeStack } from './edge/edge-stack.js';
import { FlinkCore } from './flink/flink-core.js';
import { GrafanaWorkspace } from './grafana/workspace.js';
import { names } from './regional/defaults.js';
import { RegionalStack } from './regional/regional-stack.js';
import { resolveDeployConfig } from './resolve-config.js';

/** Options for {@link addStacks}. */
export interface AddStacksOptions {
  /** The account of every stack; default CDK_DEFAULT_ACCOUNT (unset offline). */
  account?: string;
}

/** What {@link addStacks} created, for tests and for stacks added after it. */
export interface DeploymentStacks {
  config: DeployConfig;
  edge: EdgeStack;
  /** One per configured region, in configured order. */
  regional: RegionalStack[];
}

/** Stack names: `<appName>-<part>` (`beacon-edge-edge`, `beacon-edge-regional-eu-central-1`). */
export function stackName(config: Pick<DeployConfig, 'appName'>, part: string): string {
  return `${config.appName}-${part}`;
}

/**
 * Resolves the configuration from the app's context, builds the edge bundles into the cloud
 * assembly folder and adds every stack of the deployment to `app`.
 * @throws DeployConfigError when the context describes a deployment that cannot work.
 */
export async function addStacks(app: App, opts: AddStacksOptions = {}): Promise<DeploymentStacks> {
  const config = resolveDeployConfig(app.node.getAllContext());
  const account = opts.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  const env = (region: string): Environment => ({ account, region });

  const bundles = await buildEdgeBundles(config, path.join(app.outdir, 'edge-bundles'));
  const edge = new EdgeStack(app, stackName(config, 'edge'), {
    env: env('us-east-1'),
    description: 'beacon-edge: CloudFront distribution, edge functions and WAF (us-east-1)',
    config,
    bundles,
  });

  const regional = config.regions.map((region) => {
    const stack = new RegionalStack(app, stackName(config, `regional-${region}`), {
      env: env(region),
      description: `beacon-edge: stream, archive, consumer and store (${region})`,
      config,
      region,
    });
    if (config.core === 'flink' && stack.timestream) addFlink(stack, config);
    return stack;
  });

  // The edge goes last: what it writes (a new record kind, a new schema version) must find every
  // regional consumer already able to read it, and its streams already there on a first deploy.
  for (const stack of regional) edge.addDependency(stack);

  const home = regional.find((s) => s.isHome);
  if (config.grafana.enabled && home) addGrafana(home, config);

  return { config, edge, regional };
}

/** The AWS demo's Flink job reading the region's stream into its Timestream events table. */
function addFlink(stack: RegionalStack, config: DeployConfig): FlinkCore {
  return new FlinkCore(stack, 'Flink', {
    appName: config.appName,
    stream: stack.eventsStream,
    table: {
      databaseName: names.timestreamDatabase(config.appName),
      tableName: names.timestreamEventsTable,
      memoryRetentionHours: config.timestream.memoryRetentionHours,
      magneticRetentionDays: config.timestream.magneticRetentionDays,
      magneticStoreWrites: true,
    },
    job: config.flink,
  });
}

/**
 * The Grafana workspace in the home region. With InfluxDB it reaches the home region's instance
 * through that VPC (the consumer's client security group is the one the instance admits); stores
 * in other regions need peering or a Transit Gateway route (docs/DEPLOY.md).
 */
function addGrafana(home: RegionalStack, config: DeployConfig): GrafanaWorkspace {
  return new GrafanaWorkspace(home, 'Grafana', {
    appName: config.appName,
    store: config.store,
    alarmTopicArn: home.alarms.topic.topicArn,
    alarmTopicKeyArn: home.alarms.topic.masterKey?.keyArn,
    ...(config.store === 'timestream'
      ? {
          timestream: config.regions.map((region) => ({
            region,
            database: names.timestreamDatabase(config.appName),
          })),
        }
      : {}),
    ...(home.influxdb
      ? {
          vpc: {
            subnetIds: home.influxdb.vpc.isolatedSubnets.map((s) => s.subnetId),
            securityGroupIds: [home.influxdb.clientSecurityGroup.securityGroupId],
          },
        }
      : {}),
  });
}
