/**
 * The `flink` core of a regional stack: a Managed Service for Apache Flink application running the
 * AWS demo's Timestream job (amazon-timestream-tools `integrations/flink_connector`, built by the
 * user with Maven and uploaded to S3), reading the region's event stream and writing the
 * Timestream for LiveAnalytics table the regional stack creates. The edge must write
 * `wireFormat: 'timestream-flink'` for it (edge/writers/timestream-flink.ts).
 *
 * The service role is the construct's own, with exactly what the job calls: the Flink Kinesis
 * consumer's four read actions on the one stream, WriteRecords on the one table (and
 * CreateDatabase/CreateTable on the same two resources, because the job calls them at start and
 * tolerates only "already exists"), DescribeEndpoints (no resource-level permission exists),
 * GetObject on the one jar, and its own log stream. The alpha construct's own grants (read on the
 * whole jar bucket, PutMetricData on `*`) are discarded by handing it the role without policy
 * updates.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as flink from '@aws-cdk/aws-kinesisanalytics-flink-alpha';
import { Construct } from 'constructs';
import { DEFAULT_CONFIG } from '../../edge/config.js';
import { FLINK_PROPERTY_GROUP, flinkJobProperties } from './job-properties.js';
import { flinkTableProblem, type FlinkTable } from './table-requirements.js';

/** Props of FlinkCore. */
export interface FlinkCoreProps {
  /** Prefix of physical names (DeployConfig.appName). */
  appName: string;
  /** The region's event stream the edge writes in the `timestream-flink` format. */
  stream: kinesis.IStream;
  /** The Timestream table the job writes (created by the regional stack; store `timestream`). */
  table: FlinkTable;
  /** The jar in S3 and the runtime and parallelism (DeployConfig.flink). */
  job: { jarBucketName: string; jarKey: string; runtime: string; parallelism: number };
  /** How old an event the edge accepts (EdgeConfig.maxEventAgeMs): the table must take it. */
  maxEventAgeMs?: number;
  /** Records per WriteRecords (the job's `TimestreamIngestBatchSize`, at most 100). */
  ingestBatchSize?: number;
}

/** Actions of the Flink Kinesis consumer (polling, no enhanced fan-out) on its stream. */
const KINESIS_READ_ACTIONS = [
  'kinesis:DescribeStream',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
];

/**
 * The Flink application with its role, log group and checks.
 * @example new FlinkCore(stack, 'Flink', { appName, stream, table, job: config.flink })
 */
export class FlinkCore extends Construct {
  readonly application: flink.Application;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: FlinkCoreProps) {
    super(scope, id);
    const { job, table } = props;
    if (!job.jarBucketName || !job.jarKey) {
      throw new Error(
        'core "flink" needs flink.jarBucketName and flink.jarKey: the S3 location of the job jar built from amazon-timestream-tools (docs/DEPLOY.md)',
      );
    }
    const problem = flinkTableProblem(table, props.maxEventAgeMs ?? DEFAULT_CONFIG.maxEventAgeMs);
    if (problem) throw new Error(problem);
    const batch = props.ingestBatchSize ?? 50;
    if (!Number.isInteger(batch) || batch < 1 || batch > 100) {
      throw new Error(`ingestBatchSize ${batch}: WriteRecords takes 1 to 100 records`);
    }

    const stack = Stack.of(this);
    const applicationName = `${props.appName}-flink`;
    const applicationArn = stack.formatArn({
      service: 'kinesisanalytics',
      resource: 'application',
      resourceName: applicationName,
    });
    this.role = new iam.Role(this, 'Role', {
      description: `Service role of the ${applicationName} Flink application`,
      // Only this application, in this account, may use the role (confused-deputy guard).
      assumedBy: new iam.ServicePrincipal('kinesisanalytics.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': applicationArn },
        },
      }),
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const bucket = s3.Bucket.fromBucketName(this, 'JarBucket', job.jarBucketName);

    this.application = new flink.Application(this, 'App', {
      applicationName,
      runtime: flink.Runtime.of(job.runtime),
      code: flink.ApplicationCode.fromBucket(bucket, job.jarKey),
      role: this.role.withoutPolicyUpdates(),
      logGroup: this.logGroup,
      propertyGroups: {
        [FLINK_PROPERTY_GROUP]: flinkJobProperties({
          streamName: props.stream.streamName,
          region: stack.region,
          databaseName: table.databaseName,
          tableName: table.tableName,
          ingestBatchSize: batch,
        }),
      },
      parallelism: job.parallelism,
      parallelismPerKpu: 1,
      autoScalingEnabled: true,
      // The job's sink keeps unsent records in checkpointed state: a restart resumes from it.
      checkpointingEnabled: true,
      checkpointInterval: Duration.minutes(1),
      minPauseBetweenCheckpoints: Duration.seconds(5),
      snapshotsEnabled: true,
      logLevel: flink.LogLevel.INFO,
      metricsLevel: flink.MetricsLevel.APPLICATION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The application must not start before its permissions exist (only the application
    // resource: its log stream is named in the policy).
    this.application.node.defaultChild?.node.addDependency(this.role);
    this.grant(props.stream, table, bucket, job.jarKey);
  }

  private grant(
    stream: kinesis.IStream,
    table: FlinkTable,
    bucket: s3.IBucket,
    jarKey: string,
  ): void {
    const stack = Stack.of(this);
    const databaseArn = stack.formatArn({
      service: 'timestream',
      resource: 'database',
      resourceName: table.databaseName,
    });
    const tableArn = `${databaseArn}/table/${table.tableName}`;
    const logStream = this.application.node.findChild('LogStream') as logs.LogStream;
    const statements = [
      new iam.PolicyStatement({
        sid: 'ReadEventStream',
        actions: KINESIS_READ_ACTIONS,
        resources: [stream.streamArn],
      }),
      new iam.PolicyStatement({
        sid: 'WriteTable',
        actions: ['timestream:WriteRecords'],
        resources: [tableArn],
      }),
      // The job creates its database and table at start and carries on when they exist.
      new iam.PolicyStatement({
        sid: 'EnsureDatabase',
        actions: ['timestream:CreateDatabase'],
        resources: [databaseArn],
      }),
      new iam.PolicyStatement({
        sid: 'EnsureTable',
        actions: ['timestream:CreateTable'],
        resources: [tableArn],
      }),
      new iam.PolicyStatement({
        sid: 'DiscoverTimestreamEndpoint',
        actions: ['timestream:DescribeEndpoints'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ReadJar',
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(jarKey)],
      }),
      new iam.PolicyStatement({
        sid: 'FindLogGroup',
        actions: ['logs:DescribeLogGroups'],
        resources: [
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'FindLogStream',
        actions: ['logs:DescribeLogStreams'],
        resources: [this.logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'WriteLogs',
        actions: ['logs:PutLogEvents'],
        resources: [
          `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${this.logGroup.logGroupName}:log-stream:${logStream.logStreamName}`,
        ],
      }),
    ];
    for (const s of statements) this.role.addToPolicy(s);
    // cdk-nag names a wildcard resource as it appears in the template, tokens as <AWS::…>.
    const shown = (v: string, token: string) => (Token.isUnresolved(v) ? token : v);
    const region = shown(stack.region, '<AWS::Region>');
    const account = shown(stack.account, '<AWS::AccountId>');
    const partition = shown(stack.partition, '<AWS::Partition>');
    Validations.of(this.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'timestream:DescribeEndpoints has no resource-level permission; the Timestream SDK calls it to find the write endpoint',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${region}:${account}:log-group:*]`,
        reason:
          'Managed Service for Apache Flink lists log groups (logs:DescribeLogGroups, which takes no single group) to check its logging option',
      },
    );
    // A stream encrypted with a customer key needs Decrypt on it; the AWS-managed key does not.
    stream.encryptionKey?.grantDecrypt(this.role);
  }
}
