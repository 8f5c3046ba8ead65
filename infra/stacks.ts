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

  // Regional stacks (one per region), the Flink application and the Grafana workspace go here:
  //   for (const region of config.regions)
  //     new RegionalStack(app, stackName(config, `regional-${region}`), { env: env(region), config });
  //   if (config.core === 'flink') ...;  if (config.grafana.enabled) ... env(config.homeRegion)

  return { config, edge };
}
