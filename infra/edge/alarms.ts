/**
 * The edge's alarms and the topic they notify. Where the numbers are: CloudFront's own metrics
 * (the distribution's 5xx rate, its Lambda@Edge error counts, the CloudFront Function's errors
 * and throttles) are global and live in us-east-1 with the dimension Region=Global, so one set of
 * alarms here covers every edge location. Lambda's own metrics for the Lambda@Edge replicas land
 * in the region where each replica ran, under the name `us-east-1.<function>`: an alarm can only
 * watch its own region's, so `edgeLambdaAlarms` is exported for the regional stacks to add the
 * same two alarms in their regions; this stack adds them for us-east-1.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';
import { edgeFunctionName, viewerFunctionName } from '../names.js';

const PERIOD = Duration.minutes(5);

/** One alarm's definition: metric, statistic, threshold (≥), consecutive periods. */
interface AlarmSpec {
  id: string;
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: 'Sum' | 'Average';
  threshold: number;
  periods: number;
}

function addAlarm(scope: Construct, spec: AlarmSpec, topic: sns.ITopic): cloudwatch.Alarm {
  const alarm = new cloudwatch.Metric({
    namespace: spec.namespace,
    metricName: spec.metricName,
    dimensionsMap: spec.dimensions,
    statistic: spec.statistic,
    period: PERIOD,
  }).createAlarm(scope, spec.id, {
    alarmDescription: spec.description,
    threshold: spec.threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: spec.periods,
    // No traffic is not an error: quiet periods must not page anyone.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new actions.SnsAction(topic));
  alarm.addOkAction(new actions.SnsAction(topic));
  return alarm;
}

/**
 * Errors and throttles of the Lambda@Edge replicas that ran in this stack's region (for the
 * regional stacks to call in theirs). Each throttle
 * and each error is a beacon batch answered with CloudFront's 5xx page and not stored at all.
 * @public
 */
export function edgeLambdaAlarms(
  scope: Construct,
  config: Pick<DeployConfig, 'appName'>,
  topic: sns.ITopic,
): cloudwatch.Alarm[] {
  const dimensions = { FunctionName: `us-east-1.${edgeFunctionName(config)}` };
  const region = Stack.of(scope).region;
  return [
    addAlarm(
      scope,
      {
        id: 'EdgeLambdaErrors',
        description: `Lambda@Edge ingest failed invocations in ${region}: those beacons got a 5xx and were not stored`,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions,
        statistic: 'Sum',
        threshold: 5,
        periods: 1,
      },
      topic,
    ),
    addAlarm(
      scope,
      {
        id: 'EdgeLambdaThrottles',
        description: `Lambda@Edge ingest throttled in ${region}: raise the account's concurrency quota there`,
        namespace: 'AWS/Lambda',
        metricName: 'Throttles',
        dimensions,
        statistic: 'Sum',
        threshold: 1,
        periods: 1,
      },
      topic,
    ),
  ];
}

/** Props of {@link EdgeAlarms}. */
export interface EdgeAlarmsProps {
  config: DeployConfig;
  distributionId: string;
}

/** The edge stack's topic (encrypted, TLS only, optional email) and its alarms. */
export class EdgeAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: EdgeAlarmsProps) {
    super(scope, id);
    const { config, distributionId } = props;
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the beacon-edge alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic; the AWS-managed SNS key
    // cannot grant it that, hence a key of our own.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `${config.appName} edge alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    }
    const distribution = { DistributionId: distributionId, Region: 'Global' };
    const fn = { FunctionName: viewerFunctionName(config), Region: 'Global' };
    const cf = 'AWS/CloudFront';
    const specs: AlarmSpec[] = [
      {
        id: 'Distribution5xxRate',
        description:
          '1% or more of the requests to the ingest distribution answered 5xx for 10 minutes',
        namespace: cf,
        metricName: '5xxErrorRate',
        dimensions: distribution,
        statistic: 'Average',
        threshold: 1,
        periods: 2,
      },
      {
        id: 'EdgeLambdaExecutionErrors',
        description:
          'Lambda@Edge ingest failed at some edge locations (all regions): beacons lost with a 5xx',
        namespace: cf,
        metricName: 'LambdaExecutionError',
        dimensions: distribution,
        statistic: 'Sum',
        threshold: 5,
        periods: 1,
      },
      {
        id: 'EdgeLambdaValidationErrors',
        description:
          'Lambda@Edge ingest returned responses CloudFront refused (all regions): a handler bug',
        namespace: cf,
        metricName: 'LambdaValidationError',
        dimensions: distribution,
        statistic: 'Sum',
        threshold: 1,
        periods: 1,
      },
      {
        id: 'EdgeLambdaLimitExceeded',
        description:
          'Lambda@Edge ingest throttled at some edge locations (all regions): beacons lost with a 5xx',
        namespace: cf,
        metricName: 'LambdaLimitExceededError',
        dimensions: distribution,
        statistic: 'Sum',
        threshold: 1,
        periods: 1,
      },
      {
        id: 'ViewerFunctionExecutionErrors',
        description: 'The viewer-request CloudFront Function threw: requests answered 5xx',
        namespace: cf,
        metricName: 'FunctionExecutionErrors',
        dimensions: fn,
        statistic: 'Sum',
        threshold: 1,
        periods: 1,
      },
      {
        id: 'ViewerFunctionValidationErrors',
        description: 'The viewer-request CloudFront Function returned something CloudFront refused',
        namespace: cf,
        metricName: 'FunctionValidationErrors',
        dimensions: fn,
        statistic: 'Sum',
        threshold: 1,
        periods: 1,
      },
      {
        id: 'ViewerFunctionThrottles',
        description:
          'The viewer-request CloudFront Function exceeded its compute budget and was throttled',
        namespace: cf,
        metricName: 'FunctionThrottles',
        dimensions: fn,
        statistic: 'Sum',
        threshold: 1,
        periods: 1,
      },
    ];
    this.alarms = [
      ...specs.map((s) => addAlarm(this, s, this.topic)),
      ...edgeLambdaAlarms(this, config, this.topic),
    ];
  }
}
