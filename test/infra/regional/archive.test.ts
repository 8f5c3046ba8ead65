import { beforeAll, describe, expect, it } from 'vitest';
import type { StreamArchive } from '../../../infra/regional/archive.js';
import {
  arnOf,
  REGIONAL_CASES,
  type SynthesizedRegion,
  SYNTH_TIMEOUT_MS,
  synthRegional,
} from '../../helpers/regional-stack.js';

const PARTITIONS = 'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/';

describe('the raw archive (home region, InfluxDB store)', () => {
  let s: SynthesizedRegion;
  beforeAll(() => {
    s = synthRegional(REGIONAL_CASES[0]);
  }, SYNTH_TIMEOUT_MS);
  const objects = (bucket: unknown, key: string) => ({
    'Fn::Join': ['', [bucket, `/${key}`]],
  });

  it('keeps the archive private, encrypted, unversioned, expiring after archiveRetentionDays, access-logged', () => {
    const { bucket, accessLogs } = s.stack.archive;
    expect(s.resource(bucket)).toStrictEqual({
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        LifecycleConfiguration: {
          Rules: [
            {
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
              ExpirationInDays: 90,
              Status: 'Enabled',
            },
          ],
        },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: s.id(accessLogs) },
          LogFilePrefix: 'archive/',
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      },
      UpdateReplacePolicy: 'Retain',
      DeletionPolicy: 'Retain',
    });
    expect(s.props(accessLogs).LifecycleConfiguration).toStrictEqual({
      Rules: [{ ExpirationInDays: 90, Status: 'Enabled' }],
    });
    expect(s.props(accessLogs).LoggingConfiguration).toBeUndefined();
    expect(s.props(accessLogs).VersioningConfiguration).toBeUndefined();
  });

  it('lets nothing in without TLS; lets only S3 logging and the InfluxDB engine write the log bucket', () => {
    const { bucket, accessLogs } = s.stack.archive;
    const policyOf = (b: unknown) =>
      Object.values(s.template.findResources('AWS::S3::BucketPolicy')).find(
        (r) => JSON.stringify(r.Properties.Bucket) === JSON.stringify(b),
      )?.Properties.PolicyDocument;
    const tlsOnly = (arn: unknown) => ({
      Action: 's3:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Resource: [arn, objects(arn, '*')],
    });
    expect(policyOf({ Ref: s.id(bucket) })).toStrictEqual({
      Statement: [tlsOnly(arnOf(s, bucket))],
      Version: '2012-10-17',
    });
    const account = { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } };
    expect(policyOf({ Ref: s.id(accessLogs) })).toStrictEqual({
      Statement: [
        tlsOnly(arnOf(s, accessLogs)),
        {
          Action: 's3:PutObject',
          Condition: { ArnLike: { 'aws:SourceArn': arnOf(s, bucket) }, ...account },
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Resource: objects(arnOf(s, accessLogs), 'archive/*'),
        },
        {
          Action: 's3:PutObject',
          Condition: account,
          Effect: 'Allow',
          Principal: { Service: 'timestream-influxdb.amazonaws.com' },
          Resource: objects(arnOf(s, accessLogs), 'InfluxLogs/*'),
        },
      ],
      Version: '2012-10-17',
    });
  });

  describe.each([
    { name: 'events', index: 0, prefix: 'raw/', error: 'errors/raw/' },
    { name: 'bad rows', index: 1, prefix: 'bad-rows/', error: 'errors/bad-rows/' },
  ])('the $name Firehose', ({ index, prefix, error }) => {
    let archive: StreamArchive;
    let stream: import('aws-cdk-lib/aws-kinesis').Stream;
    beforeAll(() => {
      archive = s.stack.archives[index] as StreamArchive;
      stream = (index === 0 ? s.stack.eventsStream : s.stack.badRowsStream) as typeof stream;
    }, SYNTH_TIMEOUT_MS);

    it('reads its stream and writes GZIP objects of newline-delimited records under hourly partitions', () => {
      const name = index === 0 ? 'beacon-edge-events-archive' : 'beacon-edge-bad-rows-archive';
      const logStream = archive.logGroup.node.findChild('DestinationDelivery');
      expect(s.resource(archive.deliveryStream)).toStrictEqual({
        Type: 'AWS::KinesisFirehose::DeliveryStream',
        Properties: {
          DeliveryStreamName: name,
          DeliveryStreamType: 'KinesisStreamAsSource',
          KinesisStreamSourceConfiguration: {
            KinesisStreamARN: arnOf(s, stream),
            RoleARN: arnOf(s, archive.role),
          },
          ExtendedS3DestinationConfiguration: {
            BucketARN: arnOf(s, s.stack.archive.bucket),
            RoleARN: arnOf(s, archive.role),
            Prefix: `${prefix}${PARTITIONS}hour=!{timestamp:HH}/`,
            ErrorOutputPrefix: `${error}!{firehose:error-output-type}/${PARTITIONS}`,
            CompressionFormat: 'GZIP',
            BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 64 },
            ProcessingConfiguration: {
              Enabled: true,
              Processors: [{ Type: 'AppendDelimiterToRecord' }],
            },
            CloudWatchLoggingOptions: {
              Enabled: true,
              LogGroupName: { Ref: s.id(archive.logGroup) },
              LogStreamName: { Ref: s.id(logStream) },
            },
          },
        },
        DependsOn: [s.id(archive.role)],
      });
      expect(s.props(archive.logGroup)).toStrictEqual({
        LogGroupName: `/aws/kinesisfirehose/${name}`,
        RetentionInDays: 30,
      });
    });

    it('has a role that reads only its stream and writes only under its prefixes', () => {
      const bucketArn = arnOf(s, s.stack.archive.bucket);
      const logGroupName =
        index === 0 ? 'beacon-edge-events-archive' : 'beacon-edge-bad-rows-archive';
      expect(s.roleStatements(archive.role)).toStrictEqual({
        inline: [
          {
            Action: [
              'kinesis:DescribeStream',
              'kinesis:GetRecords',
              'kinesis:GetShardIterator',
              'kinesis:ListShards',
            ],
            Effect: 'Allow',
            Resource: arnOf(s, stream),
          },
          {
            Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
            Effect: 'Allow',
            Resource: bucketArn,
          },
          {
            Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
            Effect: 'Allow',
            // cdk.json's minimizePolicies flag sorts actions and resources.
            Resource: [`${prefix}year=*`, `${error}*`].sort().map((key) => objects(bucketArn, key)),
          },
          {
            Action: 'logs:PutLogEvents',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:aws:logs:us-east-1:',
                  { Ref: 'AWS::AccountId' },
                  `:log-group:/aws/kinesisfirehose/${logGroupName}:log-stream:DestinationDelivery`,
                ],
              ],
            },
          },
        ],
        attachedPolicies: [],
      });
      expect(s.props(archive.role).AssumeRolePolicyDocument).toStrictEqual({
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            Effect: 'Allow',
            Principal: { Service: 'firehose.amazonaws.com' },
          },
        ],
        Version: '2012-10-17',
      });
    });
  });
});

describe('the raw archive outside the home region', () => {
  it('archives the events stream only', { timeout: SYNTH_TIMEOUT_MS }, () => {
    const s = synthRegional(REGIONAL_CASES[4]);
    expect(s.stack.archives.map((a) => s.props(a.deliveryStream).DeliveryStreamName)).toStrictEqual(
      ['beacon-edge-events-archive'],
    );
  });
});
