/**
 * The origin-request Lambda@Edge function: the built bundle with its configuration compiled in,
 * no environment variables (Lambda@Edge refuses them), a published version for CloudFront to
 * replicate, and a role that may only put records on the deployment's streams and write its own
 * logs in whichever region a replica runs.
 *
 * A plain `lambda.Function`, not `cloudfront.experimental.EdgeFunction`: that helper exists to
 * put the function in us-east-1 from a stack elsewhere, and the edge stack is in us-east-1.
 */
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LAMBDA_EDGE_MEMORY_MB } from '../../edge/config.js';
import type { DeployConfig } from '../config.js';
import {
  badRowsStreamName,
  edgeFunctionName,
  edgeLogGroupName,
  eventsStreamName,
} from '../names.js';
import { type EdgeBundles, ORIGIN_REQUEST_HANDLER } from './bundles.js';

/** Lambda@Edge's longest timeout for origin-request triggers. */
const ORIGIN_TRIGGER_MAX_TIMEOUT_S = 30;

/**
 * The timeout: two write budgets (a request may spend one on its events and, when they or some of
 * them are refused, one more on its bad rows; the handler answers 503 when a budget is spent) plus
 * two seconds for everything around the writes, so the budgets, not Lambda, end a slow request and
 * the viewer gets the documented answer instead of CloudFront's error page.
 */
export function edgeFunctionTimeoutSeconds(writeBudgetMs: number): number {
  const seconds = Math.ceil((2 * writeBudgetMs) / 1000) + 2;
  if (seconds > ORIGIN_TRIGGER_MAX_TIMEOUT_S) {
    throw new Error(
      `writeBudgetMs ${writeBudgetMs} needs a ${seconds} s timeout; origin-request triggers allow ${ORIGIN_TRIGGER_MAX_TIMEOUT_S} s`,
    );
  }
  return seconds;
}

/** Props of {@link IngestFunction}. */
export interface IngestFunctionProps {
  config: DeployConfig;
  bundles: EdgeBundles;
}

/** The Lambda@Edge function, its role and the version CloudFront associates. */
export class IngestFunction extends Construct {
  readonly role: iam.Role;
  readonly function: lambda.Function;
  /** The published version (Lambda@Edge takes numbered versions only). */
  readonly version: lambda.IVersion;

  constructor(scope: Construct, id: string, props: IngestFunctionProps) {
    super(scope, id);
    const { config, bundles } = props;
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      description: 'Lambda@Edge ingest: put records on the beacon streams, write its own logs',
      // Lambda runs the function; edgelambda replicates it and runs the replicas.
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('lambda.amazonaws.com'),
        new iam.ServicePrincipal('edgelambda.amazonaws.com'),
      ),
    });
    // The only call the edge writers make (edge/writers/kinesis-put.ts): events to any
    // configured region's stream (nearest first, the rest as fallbacks), bad rows to the home
    // region's stream. The streams use AWS-owned encryption keys, so no KMS grant is needed.
    const streamArn = (region: string, name: string) =>
      `arn:${stack.partition}:kinesis:${region}:${stack.account}:stream/${name}`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PutBeaconRecords',
        actions: ['kinesis:PutRecords'],
        resources: [
          ...config.regions.map((r) => streamArn(r, eventsStreamName(config))),
          streamArn(config.homeRegion, badRowsStreamName(config)),
        ],
      }),
    );
    // Replicas log in the region where they run, always to this one log group name.
    const logGroup = `arn:${stack.partition}:logs:*:${stack.account}:log-group:${edgeLogGroupName(config)}`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogsInAnyRegion',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup, `${logGroup}:*`],
      }),
    );
    this.function = new lambda.Function(this, 'Function', {
      functionName: edgeFunctionName(config),
      description: 'beacon-edge origin-request handler (Lambda@Edge): validates, enriches, writes',
      // Lambda deprecated nodejs20.x in April 2026; 22 is the newest runtime Lambda@Edge is
      // known to run. The bundle targets Node 20 syntax (what this project runs), which 22 runs.
      runtime: lambda.Runtime.NODEJS_22_X,
      // Lambda@Edge runs x86_64 functions only.
      architecture: lambda.Architecture.X86_64,
      handler: ORIGIN_REQUEST_HANDLER,
      code: lambda.Code.fromAsset(bundles.originRequestDir),
      memorySize: LAMBDA_EDGE_MEMORY_MB,
      timeout: Duration.seconds(edgeFunctionTimeoutSeconds(bundles.edgeConfig.writeBudgetMs)),
      role: this.role,
      // Replicas of an old version may still be serving or deleting: never delete a version.
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
    });
    // cdk.json's useCdkManagedLogGroup flag gives every function a log group named
    // /aws/lambda/<name>; a Lambda@Edge function never writes there (its replicas log to
    // /aws/lambda/us-east-1.<name> in each region), so that group would only cost a resource.
    this.function.node.tryRemoveChild('LogGroup');
    this.version = this.function.currentVersion;
    this.acknowledgeNagRules(logGroup);
  }

  /** The AwsSolutions rules this function breaks on purpose, each with its reason. */
  private acknowledgeNagRules(logGroupArn: string): void {
    // cdk-nag names a finding by the resource as it renders it: tokens as <AWS::…>.
    const stack = Stack.of(this);
    const shown = (value: string, token: string) =>
      Token.isUnresolved(value) ? `<AWS::${token}>` : value;
    const arn = logGroupArn
      .replace(stack.partition, shown(stack.partition, 'Partition'))
      .replace(stack.account, shown(stack.account, 'AccountId'));
    for (const resource of [arn, `${arn}:*`]) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason:
          "Lambda@Edge replicas run and log in whichever region is nearest the viewer, so the log group ARN needs a region wildcard; the name is the function's own.",
      });
    }
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the newest runtime Lambda@Edge is known to support; moving to 24 waits for Lambda@Edge to list it.',
    });
  }
}
