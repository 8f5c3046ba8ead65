import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEPLOY_CONFIG } from '../../../infra/config.js';
import { EdgeAlarms, edgeLambdaAlarms } from '../../../infra/edge/alarms.js';
import { onlyResource, TEST_ACCOUNT, testApp } from '../../helpers/cdk-app.js';

type Props = Record<string, unknown>;

/** An EdgeAlarms in a stack of its own (cdk.json's flags), for a made-up distribution. */
function edgeAlarms(alarmEmail = '') {
  const stack = new Stack(testApp(), 'Alarms', {
    env: { account: TEST_ACCOUNT, region: 'us-east-1' },
  });
  new EdgeAlarms(stack, 'Alarms', {
    config: { ...DEFAULT_DEPLOY_CONFIG, alarmEmail },
    distributionId: 'E2EXAMPLE',
  });
  return Template.fromStack(stack);
}

const alarmsOf = (t: Template) =>
  Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as Props);

describe('EdgeAlarms', () => {
  // Synthesized while the file is collected (the first synth loads aws-cdk-lib, slow when busy).
  const t = edgeAlarms();
  const withEmail = edgeAlarms('oncall@video.example');
  const topic = { Ref: onlyResource(t, 'AWS::SNS::Topic').id };

  it("alarm on the distribution's 5xx rate, Lambda@Edge and viewer function failures", () => {
    const onDist = [
      { Name: 'DistributionId', Value: 'E2EXAMPLE' },
      { Name: 'Region', Value: 'Global' },
    ];
    const onFn = [
      { Name: 'FunctionName', Value: 'beacon-edge-viewer-request' },
      { Name: 'Region', Value: 'Global' },
    ];
    const onLambda = [{ Name: 'FunctionName', Value: 'us-east-1.beacon-edge-edge-ingest' }];
    expect(
      alarmsOf(t).map((a) => [
        a.Namespace,
        a.MetricName,
        a.Statistic,
        a.Threshold,
        a.EvaluationPeriods,
        a.Dimensions,
      ]),
    ).toStrictEqual([
      ['AWS/CloudFront', '5xxErrorRate', 'Average', 1, 2, onDist],
      ['AWS/CloudFront', 'LambdaExecutionError', 'Sum', 5, 1, onDist],
      ['AWS/CloudFront', 'LambdaValidationError', 'Sum', 1, 1, onDist],
      ['AWS/CloudFront', 'LambdaLimitExceededError', 'Sum', 1, 1, onDist],
      ['AWS/CloudFront', 'FunctionExecutionErrors', 'Sum', 1, 1, onFn],
      ['AWS/CloudFront', 'FunctionValidationErrors', 'Sum', 1, 1, onFn],
      ['AWS/CloudFront', 'FunctionThrottles', 'Sum', 1, 1, onFn],
      ['AWS/Lambda', 'Errors', 'Sum', 5, 1, onLambda],
      ['AWS/Lambda', 'Throttles', 'Sum', 1, 1, onLambda],
    ]);
  });

  it('notify the topic on alarm and on recovery, over 5 minutes, quiet when there is no traffic', () => {
    for (const a of alarmsOf(t)) {
      expect(a).toMatchObject({
        AlarmActions: [topic],
        OKActions: [topic],
        TreatMissingData: 'notBreaching',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Period: 300,
      });
      expect(a.AlarmDescription).toEqual(expect.any(String));
    }
  });

  it('publish to a topic encrypted with a rotating key CloudWatch may use, TLS only', () => {
    const key = onlyResource(t, 'AWS::KMS::Key');
    expect(onlyResource(t, 'AWS::SNS::Topic').props.KmsMasterKeyId).toStrictEqual({
      'Fn::GetAtt': [key.id, 'Arn'],
    });
    expect(onlyResource(t, 'AWS::SNS::TopicPolicy').props.PolicyDocument).toStrictEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowPublishThroughSSLOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: topic,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
    expect(key.props.EnableKeyRotation).toBe(true);
    expect(key.props.KeyPolicy).toStrictEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'CloudWatchAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
        },
      ],
    });
  });

  it('subscribe the alarm email only when one is configured', () => {
    t.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(onlyResource(withEmail, 'AWS::SNS::Subscription').props).toMatchObject({
      Protocol: 'email',
      Endpoint: 'oncall@video.example',
    });
  });
});

describe('edgeLambdaAlarms', () => {
  it("watch the replicas' errors and throttles in the stack's own region", () => {
    const stack = new Stack(new App(), 'Regional', { env: { region: 'eu-west-1' } });
    const topic = new sns.Topic(stack, 'Topic');
    edgeLambdaAlarms(stack, { appName: 'qoe' }, topic);
    const alarms = alarmsOf(Template.fromStack(stack));
    expect(alarms.map((a) => [a.Namespace, a.MetricName, a.Dimensions])).toStrictEqual([
      ['AWS/Lambda', 'Errors', [{ Name: 'FunctionName', Value: 'us-east-1.qoe-edge-ingest' }]],
      ['AWS/Lambda', 'Throttles', [{ Name: 'FunctionName', Value: 'us-east-1.qoe-edge-ingest' }]],
    ]);
    for (const a of alarms) expect(a.AlarmDescription).toContain('eu-west-1');
  });
});
