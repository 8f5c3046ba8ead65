/**
 * One region of the deployment: the events stream the edge writes to (and, in the home region,
 * the bad-rows stream), their raw archive, the time-series store, the consumer that fills it and
 * the alarms. The app adds one per `config.regions`.
 */
import { CfnOutput, type Environment, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';
import { RegionalAlarms } from './alarms.js';
import { ArchiveBucket, StreamArchive } from './archive.js';
import { Consumer } from './consumer.js';
import {
  archiveDefaults,
  EDGE_REGION,
  METRICS_NAMESPACE,
  names,
  streamDefaults,
} from './defaults.js';
import { InfluxDbStore, regionalVpcCidr } from './influxdb-store.js';
import { TimestreamStore } from './timestream-store.js';

/** Props of {@link RegionalStack}. */
export interface RegionalStackProps extends StackProps {
  /** The resolved deployment configuration. */
  config: DeployConfig;
  /** This stack's region: one of `config.regions`. */
  region: string;
  /** Account and region; the region must equal `region`. */
  env: Environment;
}

/** The regional stack. */
export class RegionalStack extends Stack {
  readonly config: DeployConfig;
  readonly isHome: boolean;
  /** `<appName>-events`: the edge writes here; the consumer (or the Flink job) reads it. */
  readonly eventsStream: kinesis.Stream;
  /** `<appName>-bad-rows`, home region only. */
  readonly badRowsStream?: kinesis.Stream;
  readonly archive: ArchiveBucket;
  readonly archives: StreamArchive[];
  readonly influxdb?: InfluxDbStore;
  readonly timestream?: TimestreamStore;
  /** Absent when `core` is flink: the Flink construct reads `eventsStream` instead. */
  readonly consumer?: Consumer;
  readonly alarms: RegionalAlarms;

  constructor(scope: Construct, id: string, props: RegionalStackProps) {
    validate(props);
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    this.isHome = props.region === config.homeRegion;

    this.eventsStream = buildStream(this, 'Events', names.eventsStream(config.appName));
    if (this.isHome) {
      this.badRowsStream = buildStream(this, 'BadRows', names.badRowsStream(config.appName));
    }

    this.archive = new ArchiveBucket(this, 'Archive', {
      retentionDays: config.archiveRetentionDays,
    });
    this.archives = [
      new StreamArchive(this, 'EventsArchive', {
        stream: this.eventsStream,
        bucket: this.archive.bucket,
        deliveryStreamName: `${names.eventsStream(config.appName)}-archive`,
        prefix: archiveDefaults.rawPrefix,
        errorPrefix: archiveDefaults.rawErrorPrefix,
      }),
    ];
    if (this.badRowsStream) {
      this.archives.push(
        new StreamArchive(this, 'BadRowsArchive', {
          stream: this.badRowsStream,
          bucket: this.archive.bucket,
          deliveryStreamName: `${names.badRowsStream(config.appName)}-archive`,
          prefix: archiveDefaults.badRowsPrefix,
          errorPrefix: archiveDefaults.badRowsErrorPrefix,
        }),
      );
    }

    if (config.store === 'influxdb') {
      this.influxdb = new InfluxDbStore(this, 'InfluxDb', {
        name: names.influxInstance(config.appName),
        cidr: regionalVpcCidr(config.regions, props.region),
        settings: config.influxdb,
        logBucket: this.archive.accessLogs,
      });
    } else {
      this.timestream = new TimestreamStore(this, 'Timestream', {
        databaseName: names.timestreamDatabase(config.appName),
        retention: config.timestream,
        magneticStoreWrites: config.core === 'flink',
      });
    }

    const service = names.consumerService(config.appName);
    if (config.core === 'lambda') {
      this.consumer = new Consumer(this, 'Consumer', {
        functionName: names.consumerFunction(config.appName),
        streams: [this.eventsStream, ...(this.badRowsStream ? [this.badRowsStream] : [])],
        environment: this.consumerEnvironment(service),
        storeStatements: this.storeStatements(),
        ...(this.influxdb && {
          network: {
            vpc: this.influxdb.vpc,
            subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
            securityGroup: this.influxdb.clientSecurityGroup,
          },
        }),
      });
    }

    this.alarms = new RegionalAlarms(this, 'Alarms', {
      appName: config.appName,
      alarmEmail: config.alarmEmail,
      archives: this.archives.map((a) => a.deliveryStream),
      ...(this.consumer && { consumer: { consumer: this.consumer, service } }),
      ...(this.timestream && { timestream: this.timestream }),
      edgeReplicas: props.region !== EDGE_REGION,
    });
    this.outputs();
  }

  /** The consumer's environment contract (see the preamble of the consumer entry). */
  private consumerEnvironment(service: string): Record<string, string> {
    const env: Record<string, string> = {
      BEACONS_STORE: this.config.store,
      POWERTOOLS_SERVICE_NAME: service,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };
    if (this.isHome) env.BEACONS_BAD_ROW_STREAMS = names.badRowsStream(this.config.appName);
    if (this.influxdb) {
      env.INFLUXDB_URL = this.influxdb.url;
      env.INFLUXDB_TOKEN_SECRET_ARN = this.influxdb.tokenSecret.secretArn;
      env.INFLUXDB_DATABASE = this.config.influxdb.bucket;
      env.INFLUXDB_ORG = this.config.influxdb.organization;
      if (this.config.influxdb.sdkNames.length > 0)
        env.INFLUXDB_SDK_NAMES = this.config.influxdb.sdkNames.join(',');
    }
    if (this.timestream) {
      env.TIMESTREAM_DATABASE = this.timestream.databaseName;
      env.TIMESTREAM_EVENTS_TABLE = names.timestreamEventsTable;
      env.TIMESTREAM_BAD_ROWS_TABLE = names.timestreamBadRowsTable;
      env.TIMESTREAM_REFUSALS_TABLE = names.timestreamRefusalsTable;
      // The sink turns events older than the memory store's retention into bad rows before writing.
      env.TIMESTREAM_MEMORY_RETENTION_HOURS = String(this.config.timestream.memoryRetentionHours);
    }
    return env;
  }

  /** Exactly what the consumer's sink calls on the store. */
  private storeStatements(): iam.PolicyStatement[] {
    if (this.influxdb) {
      return [
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [this.influxdb.tokenSecret.secretArn],
        }),
      ];
    }
    const store = this.timestream as TimestreamStore;
    return [
      new iam.PolicyStatement({
        actions: ['timestream:WriteRecords'],
        resources: [
          store.eventsTable.attrArn,
          store.badRowsTable.attrArn,
          store.refusalsTable.attrArn,
        ],
      }),
      // The SDK discovers the write endpoint first; the action has no resource to scope it to.
      new iam.PolicyStatement({ actions: ['timestream:DescribeEndpoints'], resources: ['*'] }),
    ];
  }

  private outputs(): void {
    new CfnOutput(this, 'EventsStreamName', { value: this.eventsStream.streamName });
    new CfnOutput(this, 'ArchiveBucketName', { value: this.archive.bucket.bucketName });
    if (this.consumer) {
      new CfnOutput(this, 'OnFailureQueueUrl', { value: this.consumer.onFailureQueue.queueUrl });
    }
    if (this.influxdb) {
      new CfnOutput(this, 'InfluxDbUrl', { value: this.influxdb.url });
      new CfnOutput(this, 'InfluxDbTokenSecretArn', { value: this.influxdb.tokenSecret.secretArn });
      new CfnOutput(this, 'InfluxDbAdminSecretArn', {
        value: this.influxdb.instance.attrInfluxAuthParametersSecretArn,
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }
}

/** An on-demand, KMS-encrypted stream (AWS managed key: readers and writers need no key grants). */
function buildStream(scope: Construct, id: string, streamName: string): kinesis.Stream {
  return new kinesis.Stream(scope, id, {
    streamName,
    streamMode: kinesis.StreamMode.ON_DEMAND,
    encryption: kinesis.StreamEncryption.MANAGED,
    retentionPeriod: streamDefaults.retention,
    // A stream holds a day at most and the archive holds every record: an orphaned on-demand stream would only bill.
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

function validate(props: RegionalStackProps): void {
  const { config, region } = props;
  if (!config.regions.includes(region)) {
    throw new Error(
      `region ${region} is not one of the configured regions (${config.regions.join(', ')})`,
    );
  }
  if (props.env.region !== undefined && props.env.region !== region) {
    throw new Error(`env.region ${props.env.region} differs from the stack's region ${region}`);
  }
}
