/**
 * The alarms an on-call needs for one region, to an encrypted SNS topic in that region (a
 * CloudWatch alarm can only notify a topic in its own region). Thresholds and their reasons are
 * in `defaults.ts`.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { edgeLambdaAlarms } from '../edge/alarms.js';
import type { Consumer } from './consumer.js';
import { alarmDefaults, METRICS_NAMESPACE } from './defaults.js';
import type { TimestreamStore } from './timestream-store.js';

/** Props of {@link RegionalAlarms}. */
export interface RegionalAlarmsProps {
  /** Prefix of every alarm's name. */
  appName: string;
  /** Subscribed to the topic by email when not empty. */
  alarmEmail: string;
  /** Firehoses whose delivery freshness is watched. */
  archives: firehose.CfnDeliveryStream[];
  /** The consumer and its Powertools `service` dimension (absent when core is flink). */
  consumer?: { consumer: Consumer; service: string };
  /** Present when the store is Timestream for LiveAnalytics. */
  timestream?: TimestreamStore;
  /**
   * Alarm on the Lambda@Edge replicas that ran in this region (their metrics land here, under
   * `us-east-1.<function>`); false in the edge stack's own region, which has them already.
   */
  edgeReplicas: boolean;
}

/** The topic and the alarms. */
export class RegionalAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly props: RegionalAlarmsProps;

  constructor(scope: Construct, id: string, props: RegionalAlarmsProps) {
    super(scope, id);
    this.props = props;
    // CloudWatch cannot publish to a topic under the AWS managed SNS key: a customer key whose
    // policy lets CloudWatch use it is the only way to encrypt an alarm topic.
    const key = new kms.Key(this, 'TopicKey', {
      description: `${props.appName} alarm topic`,
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    for (const archive of props.archives) this.archiveAlarm(archive);
    if (props.consumer) this.consumerAlarms(props.consumer.consumer, props.consumer.service);
    if (props.timestream) this.timestreamAlarms(props.timestream);
    // Each error or throttle there is a batch of beacons answered 5xx and never stored.
    if (props.edgeReplicas) this.alarms.push(...edgeLambdaAlarms(this, props, this.topic));
  }

  private archiveAlarm(archive: firehose.CfnDeliveryStream): void {
    const name = archive.deliveryStreamName ?? archive.node.id;
    this.add(`Freshness-${name}`, {
      metric: metric('AWS/Firehose', 'DeliveryToS3.DataFreshness', 'Maximum', {
        DeliveryStreamName: name,
      }),
      threshold: alarmDefaults.firehoseFreshnessSeconds,
      description: `Firehose ${name} has not delivered to the archive for 15 minutes: replay source is stale`,
    });
  }

  private consumerAlarms(consumer: Consumer, service: string): void {
    const fn = consumer.function;
    this.add('IteratorAge', {
      metric: fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: alarmDefaults.iteratorAgeMs,
      evaluationPeriods: 5,
      description: 'The consumer is more than 5 minutes behind its stream: dashboards are stale',
    });
    this.add('Errors', {
      metric: fn.metricErrors({ statistic: 'Sum' }),
      threshold: alarmDefaults.consumerErrors,
      description: 'The consumer crashed or timed out (it never throws on bad input)',
    });
    this.add('Throttles', {
      metric: fn.metricThrottles({ statistic: 'Sum' }),
      threshold: alarmDefaults.consumerThrottles,
      description: 'The consumer is throttled: account concurrency exhausted',
    });
    this.add('WriteFailures', {
      metric: metric(METRICS_NAMESPACE, 'WriteFailures', 'Sum', { service }),
      threshold: alarmDefaults.writeFailures,
      evaluationPeriods: alarmDefaults.writeFailurePeriods,
      description: 'Store writes failing for 15 minutes: the time-series store is down or refusing',
    });
    this.add('BadRowRate', {
      metric: new cloudwatch.MathExpression({
        expression: '100 * bad / (events + bad)',
        usingMetrics: {
          bad: metric(METRICS_NAMESPACE, 'BadRows', 'Sum', { service }),
          events: metric(METRICS_NAMESPACE, 'EventsWritten', 'Sum', { service }),
        },
        period: alarmDefaults.period,
        label: 'bad rows, % of rows',
      }),
      threshold: alarmDefaults.badRowRatePercent,
      description: 'More than 5 % of rows are bad: a player release or schema rollout is broken',
    });
    this.add('OnFailureQueue', {
      metric: consumer.onFailureQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: alarmDefaults.period,
      }),
      threshold: alarmDefaults.onFailureMessages,
      description: 'A batch was not stored and awaits replay (DEPLOY.md: replay from the archive)',
    });
  }

  private timestreamAlarms(store: TimestreamStore): void {
    for (const table of [store.eventsTable, store.badRowsTable, store.refusalsTable]) {
      const dims = {
        Operation: 'WriteRecords',
        DatabaseName: store.databaseName,
        TableName: table.tableName ?? table.node.id,
      };
      this.add(`SystemErrors-${dims.TableName}`, {
        metric: metric('AWS/Timestream', 'SystemErrors', 'Sum', dims),
        threshold: alarmDefaults.timestreamSystemErrors,
        description: `Timestream failed writes to ${dims.TableName} (the service's errors)`,
      });
      this.add(`UserErrors-${dims.TableName}`, {
        metric: metric('AWS/Timestream', 'UserErrors', 'Sum', dims),
        threshold: alarmDefaults.timestreamUserErrors,
        description: `Timestream refused writes to ${dims.TableName} (rejected records become bad rows)`,
      });
    }
  }

  private add(
    id: string,
    opts: {
      metric: cloudwatch.IMetric;
      threshold: number;
      description: string;
      evaluationPeriods?: number;
    },
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.props.appName}-${id}`,
      alarmDescription: opts.description,
      metric: opts.metric,
      threshold: opts.threshold,
      evaluationPeriods: opts.evaluationPeriods ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No traffic is not an incident: missing data (no batches, no deliveries) is not breaching.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

function metric(
  namespace: string,
  metricName: string,
  statistic: string,
  dimensionsMap: Record<string, string>,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace,
    metricName,
    statistic,
    dimensionsMap,
    period: alarmDefaults.period,
  });
}
