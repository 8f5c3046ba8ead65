import { beforeAll, describe, expect, it } from 'vitest';
import {
  REGIONAL_CASES,
  SYNTH_TIMEOUT_MS,
  type SynthesizedRegion,
  synthRegional,
} from '../../helpers/regional-stack.js';

interface AlarmProps {
  AlarmName: string;
  Threshold: number;
  EvaluationPeriods: number;
  ComparisonOperator: string;
  TreatMissingData: string;
  AlarmActions: unknown[];
  OKActions: unknown[];
  Namespace?: string;
  MetricName?: string;
  Statistic?: string;
  Period?: number;
  Dimensions?: { Name: string; Value: unknown }[];
  Metrics?: unknown[];
}

/** The stack's own alarms by name; the edge replicas' alarms (named by CloudFormation) apart. */
const alarmsOf = (s: SynthesizedRegion) => {
  const all = Object.values(s.template.findResources('AWS::CloudWatch::Alarm')).map(
    (r) => r.Properties as AlarmProps,
  );
  return {
    named: new Map(all.filter((p) => p.AlarmName).map((p) => [p.AlarmName, p] as const)),
    edge: all.filter((p) => !p.AlarmName),
  };
};

describe.each(REGIONAL_CASES)('RegionalAlarms ($store, $core, $region)', (c) => {
  const home = c.region === 'us-east-1';
  let s: SynthesizedRegion;
  let alarms: Map<string, AlarmProps>;
  let edge: AlarmProps[];
  beforeAll(() => {
    s = synthRegional(c);
    ({ named: alarms, edge } = alarmsOf(s));
  }, SYNTH_TIMEOUT_MS);

  it('has the alarms this configuration needs, each notifying the topic on alarm and on recovery', () => {
    const names = ['beacon-edge-Freshness-beacon-edge-events-archive'];
    if (home) names.push('beacon-edge-Freshness-beacon-edge-bad-rows-archive');
    if (c.core === 'lambda') {
      names.push(
        'beacon-edge-IteratorAge',
        'beacon-edge-Errors',
        'beacon-edge-Throttles',
        'beacon-edge-WriteFailures',
        'beacon-edge-BadRowRate',
        'beacon-edge-OnFailureQueue',
      );
    }
    if (c.store === 'timestream') {
      for (const t of ['events', 'bad_rows', 'rollout_refusals']) {
        names.push(`beacon-edge-SystemErrors-${t}`, `beacon-edge-UserErrors-${t}`);
      }
    }
    expect([...alarms.keys()].sort()).toStrictEqual(names.sort());
    const topic = { Ref: s.id(s.stack.alarms.topic) };
    for (const a of [...alarms.values(), ...edge]) {
      expect([a.AlarmActions, a.OKActions, a.ComparisonOperator, a.TreatMissingData]).toStrictEqual(
        [[topic], [topic], 'GreaterThanOrEqualToThreshold', 'notBreaching'],
      );
    }
  });

  it(
    home
      ? 'leaves the Lambda@Edge replicas of us-east-1 to the edge stack'
      : "watches the Lambda@Edge replicas that ran in this region (the edge stack's alarms)",
    () => {
      const fn = [{ Name: 'FunctionName', Value: 'us-east-1.beacon-edge-edge-ingest' }];
      expect(edge.map(pick)).toStrictEqual(
        home
          ? []
          : [
              {
                Namespace: 'AWS/Lambda',
                MetricName: 'Errors',
                Statistic: 'Sum',
                Period: 300,
                Dimensions: fn,
                Threshold: 5,
                EvaluationPeriods: 1,
              },
              {
                Namespace: 'AWS/Lambda',
                MetricName: 'Throttles',
                Statistic: 'Sum',
                Period: 300,
                Dimensions: fn,
                Threshold: 1,
                EvaluationPeriods: 1,
              },
            ],
      );
      expect(s.stack.alarms.alarms).toHaveLength(alarms.size + edge.length);
    },
  );

  it('watches archive freshness at three times the Firehose buffer', () => {
    const a = alarms.get('beacon-edge-Freshness-beacon-edge-events-archive');
    expect(a && pick(a)).toStrictEqual({
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.DataFreshness',
      Statistic: 'Maximum',
      Period: 300,
      Dimensions: [{ Name: 'DeliveryStreamName', Value: 'beacon-edge-events-archive' }],
      Threshold: 900,
      EvaluationPeriods: 1,
    });
  });

  it.runIf(c.core === 'lambda')(
    'watches the consumer: iterator age, errors, throttles, write failures, queue',
    () => {
      const fn = { Name: 'FunctionName', Value: { Ref: s.id(s.stack.consumer!.function) } };
      const service = [{ Name: 'service', Value: 'beacon-edge-consumer' }];
      const get = (n: string) => pick(alarms.get(`beacon-edge-${n}`) as AlarmProps);
      expect({
        IteratorAge: get('IteratorAge'),
        Errors: get('Errors'),
        Throttles: get('Throttles'),
        WriteFailures: get('WriteFailures'),
        OnFailureQueue: get('OnFailureQueue'),
      }).toStrictEqual({
        IteratorAge: lambdaMetric('IteratorAge', 'Maximum', 60, fn, 300_000, 5),
        Errors: lambdaMetric('Errors', 'Sum', 300, fn, 1, 1),
        Throttles: lambdaMetric('Throttles', 'Sum', 300, fn, 1, 1),
        WriteFailures: {
          Namespace: 'BeaconEdge',
          MetricName: 'WriteFailures',
          Statistic: 'Sum',
          Period: 300,
          Dimensions: service,
          Threshold: 1,
          EvaluationPeriods: 3,
        },
        OnFailureQueue: {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Statistic: 'Maximum',
          Period: 300,
          Dimensions: [
            {
              Name: 'QueueName',
              Value: { 'Fn::GetAtt': [s.id(s.stack.consumer!.onFailureQueue), 'QueueName'] },
            },
          ],
          Threshold: 1,
          EvaluationPeriods: 1,
        },
      });
    },
  );

  it.runIf(c.core === 'lambda')('alarms on a bad-row rate above 5 % of rows over 5 minutes', () => {
    const a = alarms.get('beacon-edge-BadRowRate') as AlarmProps;
    const emf = (name: string) => ({
      Metric: {
        MetricName: name,
        Namespace: 'BeaconEdge',
        Dimensions: [{ Name: 'service', Value: 'beacon-edge-consumer' }],
      },
      Period: 300,
      Stat: 'Sum',
    });
    expect([a.Threshold, a.EvaluationPeriods, a.Metrics]).toStrictEqual([
      5,
      1,
      [
        {
          Expression: '100 * bad / (events + bad)',
          Id: 'expr_1',
          Label: 'bad rows, % of rows',
          ReturnData: true,
        },
        { Id: 'bad', MetricStat: emf('BadRows'), ReturnData: false },
        { Id: 'events', MetricStat: emf('EventsWritten'), ReturnData: false },
      ],
    ]);
  });

  it.runIf(c.store === 'timestream')(
    "watches Timestream's system and user errors per table",
    () => {
      for (const table of ['events', 'bad_rows', 'rollout_refusals']) {
        const dims = [
          { Name: 'DatabaseName', Value: 'beacon-edge' },
          { Name: 'Operation', Value: 'WriteRecords' },
          { Name: 'TableName', Value: table },
        ];
        for (const [name, threshold] of [
          ['SystemErrors', 1],
          ['UserErrors', 10],
        ] as const) {
          expect(pick(alarms.get(`beacon-edge-${name}-${table}`) as AlarmProps)).toStrictEqual({
            Namespace: 'AWS/Timestream',
            MetricName: name,
            Statistic: 'Sum',
            Period: 300,
            Dimensions: dims,
            Threshold: threshold,
            EvaluationPeriods: 1,
          });
        }
      }
    },
  );

  it('publishes to a TLS-only topic under a rotating customer key that CloudWatch may use', () => {
    const { topic } = s.stack.alarms;
    const keyId = (s.props(topic).KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    const key = s.template.toJSON().Resources[keyId];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toContainEqual({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Resource: '*',
    });
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: s.id(topic) }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Effect: 'Deny',
            Principal: '*',
            Resource: { Ref: s.id(topic) },
            Sid: 'AllowPublishThroughSSLOnly',
          },
        ],
        Version: '2012-10-17',
      },
    });
    s.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('RegionalAlarms with an alarm email', () => {
  it('subscribes the email to the topic', { timeout: SYNTH_TIMEOUT_MS }, () => {
    const s = synthRegional(REGIONAL_CASES[0], { overrides: { alarmEmail: 'oncall@example.com' } });
    s.template.resourceCountIs('AWS::SNS::Subscription', 1);
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: s.id(s.stack.alarms.topic) },
    });
  });
});

function pick(a: AlarmProps) {
  return {
    Namespace: a.Namespace,
    MetricName: a.MetricName,
    Statistic: a.Statistic,
    Period: a.Period,
    Dimensions: a.Dimensions,
    Threshold: a.Threshold,
    EvaluationPeriods: a.EvaluationPeriods,
  };
}

function lambdaMetric(
  name: string,
  statistic: string,
  period: number,
  fn: unknown,
  threshold: number,
  periods: number,
) {
  return {
    Namespace: 'AWS/Lambda',
    MetricName: name,
    Statistic: statistic,
    Period: period,
    Dimensions: [fn],
    Threshold: threshold,
    EvaluationPeriods: periods,
  };
}
