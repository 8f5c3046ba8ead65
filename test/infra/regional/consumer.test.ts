import { beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from '../../../infra/regional/consumer.js';
import {
  arnOf,
  REGIONAL_CASES,
  type SynthesizedRegion,
  SYNTH_TIMEOUT_MS,
  synthRegional,
} from '../../helpers/regional-stack.js';

const LAMBDA_CASES = REGIONAL_CASES.filter((c) => c.core === 'lambda');

describe.each(LAMBDA_CASES)('Consumer ($store, $region)', (c) => {
  const home = c.region === 'us-east-1';
  let s: SynthesizedRegion;
  let consumer: Consumer;
  beforeAll(() => {
    s = synthRegional(c);
    consumer = s.stack.consumer as Consumer;
  }, SYNTH_TIMEOUT_MS);

  it('is a Node 24 ARM64 function with the bundle, its log group and the environment contract', () => {
    const p = s.props(consumer.function);
    const env: Record<string, unknown> = {
      BEACONS_STORE: c.store,
      POWERTOOLS_SERVICE_NAME: 'beacon-edge-consumer',
      POWERTOOLS_METRICS_NAMESPACE: 'BeaconEdge',
    };
    if (home) env.BEACONS_BAD_ROW_STREAMS = 'beacon-edge-bad-rows';
    const influx = s.stack.influxdb;
    if (influx) {
      env.INFLUXDB_URL = {
        'Fn::Join': [
          '',
          ['https://', { 'Fn::GetAtt': [s.id(influx.instance), 'Endpoint'] }, ':8086'],
        ],
      };
      env.INFLUXDB_TOKEN_SECRET_ARN = { Ref: s.id(influx.tokenSecret) };
      env.INFLUXDB_DATABASE = 'beacons';
      env.INFLUXDB_ORG = 'beacon-edge';
    } else {
      env.TIMESTREAM_DATABASE = 'beacon-edge';
      env.TIMESTREAM_EVENTS_TABLE = 'events';
      env.TIMESTREAM_BAD_ROWS_TABLE = 'bad_rows';
      env.TIMESTREAM_REFUSALS_TABLE = 'rollout_refusals';
      env.TIMESTREAM_MEMORY_RETENTION_HOURS = '1';
    }
    expect(p.Environment).toStrictEqual({ Variables: env });
    expect({ ...p, Code: undefined, Environment: undefined, VpcConfig: undefined }).toStrictEqual({
      Architectures: ['arm64'],
      Code: undefined,
      Environment: undefined,
      FunctionName: 'beacon-edge-consumer',
      Handler: 'index.handler',
      LoggingConfig: { LogGroup: { Ref: s.id(consumer.logGroup) } },
      MemorySize: 512,
      Role: arnOf(s, consumer.role),
      Runtime: 'nodejs24.x',
      Timeout: 120,
      VpcConfig: undefined,
    });
    // No reserved concurrency and no X-Ray: see docs/DEPLOY.md.
    expect(p.ReservedConcurrentExecutions).toBeUndefined();
    expect(p.TracingConfig).toBeUndefined();
    expect(s.props(consumer.logGroup)).toStrictEqual({
      LogGroupName: '/aws/lambda/beacon-edge-consumer',
      RetentionInDays: 30,
    });
  });

  it(
    c.store === 'influxdb'
      ? 'runs in the isolated subnets with the client security group'
      : 'runs outside any VPC',
    () => {
      const influx = s.stack.influxdb;
      if (!influx) {
        expect(s.props(consumer.function).VpcConfig).toBeUndefined();
        return;
      }
      expect(s.props(consumer.function).VpcConfig).toStrictEqual({
        SecurityGroupIds: [{ 'Fn::GetAtt': [s.id(influx.clientSecurityGroup), 'GroupId'] }],
        SubnetIds: influx.vpc.isolatedSubnets.map((sn) => ({ Ref: s.id(sn) })),
      });
    },
  );

  it('maps each stream with partial batch responses, bisection, bounded retries and age, on-failure queue', () => {
    const streams = [s.stack.eventsStream, ...(home ? [s.stack.badRowsStream!] : [])];
    expect(consumer.mappings.map((m) => s.props(m))).toStrictEqual(
      streams.map((stream) => ({
        BatchSize: 500,
        BisectBatchOnFunctionError: true,
        DestinationConfig: { OnFailure: { Destination: arnOf(s, consumer.onFailureQueue) } },
        EventSourceArn: arnOf(s, stream),
        FunctionName: { Ref: s.id(consumer.function) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumBatchingWindowInSeconds: 5,
        MaximumRecordAgeInSeconds: 12 * 3600,
        MaximumRetryAttempts: 10000,
        ParallelizationFactor: 1,
        StartingPosition: 'TRIM_HORIZON',
      })),
    );
  });

  it('has one role with exactly the actions it calls on exactly its resources', () => {
    const streams = [s.stack.eventsStream, ...(home ? [s.stack.badRowsStream!] : [])];
    const store =
      c.store === 'influxdb'
        ? [
            {
              Action: 'secretsmanager:GetSecretValue',
              Effect: 'Allow',
              Resource: { Ref: s.id(s.stack.influxdb!.tokenSecret) },
            },
          ]
        : [
            {
              Action: 'timestream:WriteRecords',
              Effect: 'Allow',
              Resource: [
                arnOf(s, s.stack.timestream!.badRowsTable),
                arnOf(s, s.stack.timestream!.eventsTable),
                arnOf(s, s.stack.timestream!.refusalsTable),
              ],
            },
            { Action: 'timestream:DescribeEndpoints', Effect: 'Allow', Resource: '*' },
          ];
    const vpc =
      c.store === 'influxdb'
        ? [
            {
              Action: [
                'ec2:AssignPrivateIpAddresses',
                'ec2:CreateNetworkInterface',
                'ec2:DeleteNetworkInterface',
                'ec2:DescribeNetworkInterfaces',
                'ec2:DescribeSubnets',
                'ec2:UnassignPrivateIpAddresses',
              ],
              Effect: 'Allow',
              Resource: '*',
            },
          ]
        : [];
    // cdk.json's minimizePolicies flag sorts actions and resources.
    const streamArns = streams
      .map((st) => arnOf(s, st))
      .sort((x, y) => x['Fn::GetAtt'][0].localeCompare(y['Fn::GetAtt'][0]));
    expect(s.roleStatements(consumer.role)).toStrictEqual({
      inline: [
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: arnOf(s, consumer.logGroup),
        },
        {
          Action: [
            'kinesis:DescribeStream',
            'kinesis:DescribeStreamSummary',
            'kinesis:GetRecords',
            'kinesis:GetShardIterator',
            'kinesis:ListShards',
          ],
          Effect: 'Allow',
          Resource: streamArns.length === 1 ? streamArns[0] : streamArns,
        },
        { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: arnOf(s, consumer.onFailureQueue) },
        ...store,
        ...vpc,
      ],
      attachedPolicies: [],
    });
    expect(s.props(consumer.role).ManagedPolicyArns).toBeUndefined();
    expect(s.props(consumer.role).AssumeRolePolicyDocument).toStrictEqual({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
        },
      ],
      Version: '2012-10-17',
    });
  });

  it('keeps failed batches in an SQS-encrypted, TLS-only queue for 14 days', () => {
    expect(s.props(consumer.onFailureQueue)).toStrictEqual({
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: s.id(consumer.onFailureQueue) }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: arnOf(s, consumer.onFailureQueue),
          },
        ],
        Version: '2012-10-17',
      },
    });
  });
});
