/**
 * The Flink core construct in a bare test stack: the whole service-role policy, the trust policy,
 * the application's properties as the AWS demo's job reads them, logging, the synth-time checks,
 * and cdk-nag's AwsSolutions pack.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { FlinkCore, type FlinkCoreProps } from '../../../infra/flink/flink-core.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-central-1';
const TABLE = {
  databaseName: 'beacon-edge',
  tableName: 'events',
  memoryRetentionHours: 1,
  magneticRetentionDays: 2,
  magneticStoreWrites: true,
};
const JOB = {
  jarBucketName: 'my-jars',
  jarKey: 'flink/timestreamsink-1.0.jar',
  runtime: 'FLINK-1_20',
  parallelism: 2,
};

function synth(overrides: Partial<Omit<FlinkCoreProps, 'stream'>> = {}, customerKey = false) {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { account: ACCOUNT, region: REGION } });
  const stream = new kinesis.Stream(stack, 'Events', {
    streamName: 'beacon-edge-events',
    streamMode: kinesis.StreamMode.ON_DEMAND,
    encryption: customerKey ? kinesis.StreamEncryption.KMS : kinesis.StreamEncryption.MANAGED,
  });
  const core = new FlinkCore(stack, 'Flink', {
    appName: 'beacon-edge',
    stream,
    table: TABLE,
    job: JOB,
    ...overrides,
  });
  return { stack, core, template: Template.fromStack(stack) };
}

const logicalId = (template: Template, type: string) => {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0];
};

// The first synth loads aws-cdk-lib, which takes long on a loaded machine.
describe('FlinkCore', { timeout: 180_000 }, () => {
  it('runs the jar from S3 on the chosen runtime with the job’s properties, checkpoints and snapshots', () => {
    const { template } = synth();
    const roleId = logicalId(template, 'AWS::IAM::Role');
    const streamId = logicalId(template, 'AWS::Kinesis::Stream');
    template.resourceCountIs('AWS::KinesisAnalyticsV2::Application', 1);
    template.hasResourceProperties('AWS::KinesisAnalyticsV2::Application', {
      ApplicationName: 'beacon-edge-flink',
      RuntimeEnvironment: 'FLINK-1_20',
      ServiceExecutionRole: { 'Fn::GetAtt': [roleId, 'Arn'] },
      ApplicationConfiguration: {
        ApplicationCodeConfiguration: {
          CodeContent: {
            S3ContentLocation: {
              BucketARN: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-jars']] },
              FileKey: 'flink/timestreamsink-1.0.jar',
            },
          },
          CodeContentType: 'ZIPFILE',
        },
        EnvironmentProperties: {
          PropertyGroups: [
            {
              PropertyGroupId: 'FlinkApplicationProperties',
              PropertyMap: {
                InputStreamName: { Ref: streamId },
                Region: REGION,
                TimestreamDbName: 'beacon-edge',
                TimestreamTableName: 'events',
                TimestreamIngestBatchSize: '50',
              },
            },
          ],
        },
        FlinkApplicationConfiguration: {
          CheckpointConfiguration: {
            ConfigurationType: 'CUSTOM',
            CheckpointingEnabled: true,
            CheckpointInterval: 60000,
            MinPauseBetweenCheckpoints: 5000,
          },
          MonitoringConfiguration: {
            ConfigurationType: 'CUSTOM',
            LogLevel: 'INFO',
            MetricsLevel: 'APPLICATION',
          },
          ParallelismConfiguration: {
            ConfigurationType: 'CUSTOM',
            AutoScalingEnabled: true,
            Parallelism: 2,
            ParallelismPerKPU: 1,
          },
        },
        ApplicationSnapshotConfiguration: { SnapshotsEnabled: true },
      },
    });
    // The application waits for its role and the role's policy.
    const app = Object.values(template.findResources('AWS::KinesisAnalyticsV2::Application'))[0];
    expect(app.DependsOn).toEqual(
      expect.arrayContaining([roleId, logicalId(template, 'AWS::IAM::Policy')]),
    );
  });

  it('trusts only this application in this account', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'kinesisanalytics.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': ACCOUNT },
              ArnEquals: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      `:kinesisanalytics:${REGION}:${ACCOUNT}:application/beacon-edge-flink`,
                    ],
                  ],
                },
              },
            },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('grants exactly what the job calls, on exactly its resources, and nothing else', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::IAM::Policy', 1);
    const streamId = logicalId(template, 'AWS::Kinesis::Stream');
    const logGroupId = logicalId(template, 'AWS::Logs::LogGroup');
    const logStreamId = logicalId(template, 'AWS::Logs::LogStream');
    const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))[0];
    expect(policy.Properties.PolicyDocument.Statement).toStrictEqual([
      {
        Sid: 'ReadEventStream',
        Effect: 'Allow',
        Action: [
          'kinesis:DescribeStream',
          'kinesis:GetRecords',
          'kinesis:GetShardIterator',
          'kinesis:ListShards',
        ],
        Resource: { 'Fn::GetAtt': [streamId, 'Arn'] },
      },
      {
        Sid: 'WriteTable',
        Effect: 'Allow',
        Action: 'timestream:WriteRecords',
        Resource: arn(`:timestream:${REGION}:${ACCOUNT}:database/beacon-edge/table/events`),
      },
      {
        Sid: 'EnsureDatabase',
        Effect: 'Allow',
        Action: 'timestream:CreateDatabase',
        Resource: arn(`:timestream:${REGION}:${ACCOUNT}:database/beacon-edge`),
      },
      {
        Sid: 'EnsureTable',
        Effect: 'Allow',
        Action: 'timestream:CreateTable',
        Resource: arn(`:timestream:${REGION}:${ACCOUNT}:database/beacon-edge/table/events`),
      },
      {
        Sid: 'DiscoverTimestreamEndpoint',
        Effect: 'Allow',
        Action: 'timestream:DescribeEndpoints',
        Resource: '*',
      },
      {
        Sid: 'ReadJar',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: arn(':s3:::my-jars/flink/timestreamsink-1.0.jar'),
      },
      {
        Sid: 'FindLogGroup',
        Effect: 'Allow',
        Action: 'logs:DescribeLogGroups',
        Resource: arn(`:logs:${REGION}:${ACCOUNT}:log-group:*`),
      },
      {
        Sid: 'FindLogStream',
        Effect: 'Allow',
        Action: 'logs:DescribeLogStreams',
        Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
      },
      {
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: 'logs:PutLogEvents',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              `:logs:${REGION}:${ACCOUNT}:log-group:`,
              { Ref: logGroupId },
              ':log-stream:',
              { Ref: logStreamId },
            ],
          ],
        },
      },
    ]);
  });

  it('may decrypt a stream encrypted with a customer key, that key only', () => {
    const { template } = synth({}, true);
    const keyId = logicalId(template, 'AWS::KMS::Key');
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))[0];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  it('sends the job’s logs to its own log group, kept a month', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.resourceCountIs('AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption', 1);
  });

  it('refuses a deployment without the jar’s location', () => {
    expect(() => synth({ job: { ...JOB, jarKey: '' } })).toThrow(
      /flink.jarBucketName and flink.jarKey/,
    );
  });

  it('refuses a table that would drop events the edge acknowledges', () => {
    expect(() => synth({ table: { ...TABLE, magneticStoreWrites: false } })).toThrow(
      /would reject events the edge accepts/,
    );
    expect(() => synth({ table: { ...TABLE, magneticRetentionDays: 1 } })).toThrow(
      /at least 2 days/,
    );
    expect(() =>
      synth({ table: { ...TABLE, magneticStoreWrites: false, memoryRetentionHours: 25 } }),
    ).not.toThrow();
  });

  it('refuses a WriteRecords batch Timestream would not take', () => {
    expect(() => synth({ ingestBatchSize: 101 })).toThrow(/1 to 100/);
  });

  it('passes the AwsSolutions checks, each acknowledged finding with its reason', () => {
    const { stack } = synth();
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toStrictEqual([]);
  });
});
