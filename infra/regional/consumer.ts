/**
 * The consumer Lambda (`core: 'lambda'`): the core pipeline's Kinesis handler, one event source
 * mapping per stream it reads, an on-failure queue, and one role holding exactly what it calls.
 *
 * What a failed batch means for the promise: the handler reports failed records
 * (`ReportBatchItemFailures`), Lambda bisects and retries them until they succeed or reach the
 * retry or age bound; then it sends the on-failure queue a message naming the shard and the
 * sequence-number range of the batch — not the data. The data is still in the stream (for the rest
 * of its 24 h) and in the raw archive; DEPLOY.md says how an operator replays it from either.
 * Writes are idempotent, so a replay that overlaps stored events overwrites them with themselves.
 */
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeNag } from './acknowledge.js';
import { consumerCode } from './bundle-consumer.js';
import { consumerDefaults, eventSourceDefaults } from './defaults.js';

/** Where the function runs when the store lives in a VPC. */
export interface ConsumerNetwork {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  securityGroup: ec2.ISecurityGroup;
}

/** Props of {@link Consumer}. */
export interface ConsumerProps {
  functionName: string;
  /** Streams the function reads; each gets its own event source mapping. */
  streams: kinesis.IStream[];
  /** The environment contract (store, bad-row streams, Powertools). */
  environment: Record<string, string>;
  /** What the store needs (token secret read, or Timestream writes). */
  storeStatements: iam.PolicyStatement[];
  network?: ConsumerNetwork;
}

/** The function, its mappings and its on-failure queue. */
export class Consumer extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly onFailureQueue: sqs.Queue;
  readonly mappings: lambda.EventSourceMapping[];

  constructor(scope: Construct, id: string, props: ConsumerProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: consumerDefaults.logRetentionDays,
    });
    this.onFailureQueue = new sqs.Queue(this, 'OnFailure', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: eventSourceDefaults.onFailureRetention,
    });
    acknowledgeNag(
      this.onFailureQueue,
      'AwsSolutions-SQS3',
      'This queue is the dead-letter destination of the event source mappings; nothing consumes it but an operator replaying.',
    );
    const statements = this.statements(props);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: { consumer: new iam.PolicyDocument({ statements }) },
    });
    const unscoped = statements.filter((s) => s.resources.includes('*')).flatMap((s) => s.actions);
    if (unscoped.length > 0) {
      acknowledgeNag(
        this.role,
        'AwsSolutions-IAM5[Resource::*]',
        `${unscoped.join(', ')} accept no resource-level scoping in IAM; every other statement names its resources.`,
      );
    }
    this.function = new lambda.Function(this, 'Function', {
      functionName: props.functionName,
      runtime: consumerDefaults.runtime,
      architecture: consumerDefaults.architecture,
      handler: 'index.handler',
      code: consumerCode(),
      memorySize: consumerDefaults.memorySize,
      timeout: consumerDefaults.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      ...(props.network && {
        vpc: props.network.vpc,
        vpcSubnets: props.network.subnets,
        securityGroups: [props.network.securityGroup],
      }),
    });
    const onFailure: lambda.IEventSourceDlq = {
      // The role's own statement grants the send; the construct's SqsDlq would add a second policy.
      bind: () => ({ destination: this.onFailureQueue.queueArn }),
    };
    this.mappings = props.streams.map(
      (stream) =>
        new lambda.EventSourceMapping(this, `${stream.node.id}Source`, {
          target: this.function,
          eventSourceArn: stream.streamArn,
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: eventSourceDefaults.batchSize,
          maxBatchingWindow: eventSourceDefaults.maxBatchingWindow,
          reportBatchItemFailures: true,
          bisectBatchOnError: true,
          retryAttempts: eventSourceDefaults.retryAttempts,
          maxRecordAge: eventSourceDefaults.maxRecordAge,
          parallelizationFactor: eventSourceDefaults.parallelizationFactor,
          onFailure,
        }),
    );
  }

  /** Every statement of the role: logs, stream reads, the on-failure send, the store, the VPC. */
  private statements(props: ConsumerProps): iam.PolicyStatement[] {
    const statements = [
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
      // What the event source mapping calls (it polls with the function's role); no
      // SubscribeToShard: the mappings use shared-throughput iterators, not enhanced fan-out.
      new iam.PolicyStatement({
        actions: [
          'kinesis:DescribeStream',
          'kinesis:DescribeStreamSummary',
          'kinesis:GetRecords',
          'kinesis:GetShardIterator',
          'kinesis:ListShards',
        ],
        resources: props.streams.map((s) => s.streamArn),
      }),
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: [this.onFailureQueue.queueArn],
      }),
      ...props.storeStatements,
    ];
    if (props.network) {
      // Lambda creates the function's network interfaces with its role; EC2 offers no resource
      // scoping for these describe and create calls (AWSLambdaVPCAccessExecutionRole's actions).
      statements.push(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }
    return statements;
  }
}
