/**
 * The raw archive: every record of a stream, as the edge wrote it, in S3 for replay and Athena.
 * One bucket per region (with its access-log bucket); one Firehose per archived stream, each
 * writing GZIP objects of newline-delimited records under its own time-partitioned prefix.
 */
import { ArnFormat, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNag } from './acknowledge.js';
import { archiveDefaults, consumerDefaults, DATA_REMOVAL_POLICY } from './defaults.js';

/** Props of {@link ArchiveBucket}. */
export interface ArchiveBucketProps {
  /** Days before an archived object expires (`DeployConfig.archiveRetentionDays`). */
  retentionDays: number;
}

/**
 * The archive bucket and the bucket its access logs go to. Versioning is off: Firehose writes each
 * object once under a unique key, so versions would only keep expired data longer.
 */
export class ArchiveBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    // S3 delivers access logs under a bucket policy, not the legacy ACL (ACLs stay disabled),
    // whatever the app's feature flags say.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...privateBucket(),
      lifecycleRules: [{ expiration: Duration.days(archiveDefaults.accessLogRetentionDays) }],
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...privateBucket(),
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'archive/',
      lifecycleRules: [
        {
          expiration: Duration.days(props.retentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }
}

function privateBucket(): s3.BucketProps {
  return {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: false,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: DATA_REMOVAL_POLICY,
  };
}

/** Props of {@link StreamArchive}. */
export interface StreamArchiveProps {
  stream: kinesis.IStream;
  bucket: s3.IBucket;
  /** Firehose's name (`<stream name>-archive`). */
  deliveryStreamName: string;
  /** Object prefix of the records (time-partitioned). */
  prefix: string;
  /** Object prefix of records Firehose failed to deliver. */
  errorPrefix: string;
}

/**
 * A Firehose from a Kinesis stream to S3 with a role that may read that stream and write only under
 * its two prefixes. Records are our JSON (one object per request, no trailing newline), so Firehose
 * appends a newline to each: Athena's JSON SerDe reads one object per line.
 */
export class StreamArchive extends Construct {
  readonly deliveryStream: firehose.CfnDeliveryStream;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: StreamArchiveProps) {
    super(scope, id);
    const { stream, bucket } = props;
    const logGroupName = `/aws/kinesisfirehose/${props.deliveryStreamName}`;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      retention: consumerDefaults.logRetentionDays,
    });
    const logStream = this.logGroup.addStream('DestinationDelivery', {
      logStreamName: 'DestinationDelivery',
    });
    const objectArns = [props.prefix, props.errorPrefix].map((p) =>
      bucket.arnForObjects(`${staticPart(p)}*`),
    );
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      inlinePolicies: {
        archive: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: [
                'kinesis:DescribeStream',
                'kinesis:GetShardIterator',
                'kinesis:GetRecords',
                'kinesis:ListShards',
              ],
              resources: [stream.streamArn],
            }),
            new iam.PolicyStatement({
              actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
              resources: [bucket.bucketArn],
            }),
            new iam.PolicyStatement({
              actions: ['s3:AbortMultipartUpload', 's3:PutObject'],
              resources: objectArns,
            }),
            new iam.PolicyStatement({
              actions: ['logs:PutLogEvents'],
              resources: [
                Stack.of(this).formatArn({
                  service: 'logs',
                  resource: 'log-group',
                  resourceName: `${logGroupName}:log-stream:DestinationDelivery`,
                  arnFormat: ArnFormat.COLON_RESOURCE_NAME,
                }),
              ],
            }),
          ],
        }),
      },
    });
    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamName: props.deliveryStreamName,
      deliveryStreamType: 'KinesisStreamAsSource',
      kinesisStreamSourceConfiguration: {
        kinesisStreamArn: stream.streamArn,
        roleArn: this.role.roleArn,
      },
      extendedS3DestinationConfiguration: {
        bucketArn: bucket.bucketArn,
        roleArn: this.role.roleArn,
        prefix: props.prefix,
        errorOutputPrefix: props.errorPrefix,
        compressionFormat: 'GZIP',
        bufferingHints: {
          intervalInSeconds: archiveDefaults.bufferingInterval.toSeconds(),
          sizeInMBs: archiveDefaults.bufferingSize.toMebibytes(),
        },
        processingConfiguration: {
          enabled: true,
          processors: [{ type: 'AppendDelimiterToRecord' }],
        },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: this.logGroup.logGroupName,
          logStreamName: logStream.logStreamName,
        },
      },
    });
    // Firehose checks its role when the stream is created: the policy must exist first.
    this.deliveryStream.node.addDependency(this.role);

    const bucketId = Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnElement);
    for (const p of [props.prefix, props.errorPrefix]) {
      acknowledgeNag(
        this.role,
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${staticPart(p)}*]`,
        'Firehose names each object (time partition plus a random suffix): the prefix is the narrowest resource.',
      );
    }
    acknowledgeNag(
      this.deliveryStream,
      'AwsSolutions-KDF1',
      'Firehose offers no server-side encryption with a Kinesis stream as source; the source stream is KMS-encrypted and the bucket encrypts at rest.',
    );
  }
}

/** The prefix up to its first Firehose expression: the part an IAM resource can name. */
function staticPart(prefix: string): string {
  const at = prefix.indexOf('!{');
  return at < 0 ? prefix : prefix.slice(0, at);
}
