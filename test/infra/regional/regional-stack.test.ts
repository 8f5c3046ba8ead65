import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEPLOY_CONFIG } from '../../../infra/config.js';
import { RegionalStack } from '../../../infra/regional/regional-stack.js';
import {
  caseConfig,
  REGIONAL_CASES,
  type SynthesizedRegion,
  SYNTH_TIMEOUT_MS,
  synthRegional,
} from '../../helpers/regional-stack.js';

describe.each(REGIONAL_CASES)('RegionalStack ($store, $core, $region)', (c) => {
  const home = c.region === DEFAULT_DEPLOY_CONFIG.homeRegion;
  let s: SynthesizedRegion;
  beforeAll(() => {
    s = synthRegional(c);
  }, SYNTH_TIMEOUT_MS);

  it('has the events stream, and the bad-rows stream in the home region only: on-demand, KMS, 24 h', () => {
    const streams = [
      s.stack.eventsStream,
      ...(s.stack.badRowsStream ? [s.stack.badRowsStream] : []),
    ];
    expect(streams.map((st) => s.props(st).Name)).toStrictEqual(
      home ? ['beacon-edge-events', 'beacon-edge-bad-rows'] : ['beacon-edge-events'],
    );
    s.template.resourceCountIs('AWS::Kinesis::Stream', streams.length);
    for (const st of streams) {
      expect(s.resource(st)).toStrictEqual({
        Type: 'AWS::Kinesis::Stream',
        Properties: {
          Name: s.props(st).Name,
          RetentionPeriodHours: 24,
          StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
          StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        },
        UpdateReplacePolicy: 'Delete',
        DeletionPolicy: 'Delete',
      });
    }
  });

  it('archives each stream with its own Firehose', () => {
    s.template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', home ? 2 : 1);
    expect(s.stack.archives.map((a) => a.deliveryStream.deliveryStreamName)).toStrictEqual(
      home
        ? ['beacon-edge-events-archive', 'beacon-edge-bad-rows-archive']
        : ['beacon-edge-events-archive'],
    );
  });

  it(`creates the ${c.store} store only`, () => {
    s.template.resourceCountIs('AWS::Timestream::InfluxDBInstance', c.store === 'influxdb' ? 1 : 0);
    s.template.resourceCountIs('AWS::EC2::VPC', c.store === 'influxdb' ? 1 : 0);
    // cdk.json's restrictDefaultSecurityGroup flag: a custom resource strips the VPC's default group.
    s.template.resourceCountIs('Custom::VpcRestrictDefaultSG', c.store === 'influxdb' ? 1 : 0);
    s.template.resourceCountIs('AWS::Timestream::Database', c.store === 'timestream' ? 1 : 0);
    s.template.resourceCountIs('AWS::Timestream::Table', c.store === 'timestream' ? 3 : 0);
  });

  it(
    c.core === 'lambda'
      ? 'runs the consumer Lambda'
      : 'has no consumer: the Flink job reads the stream',
    () => {
      const consumers = s.template.findResources('AWS::Lambda::Function', {
        Properties: { FunctionName: 'beacon-edge-consumer' },
      });
      expect(Object.keys(consumers)).toHaveLength(c.core === 'lambda' ? 1 : 0);
      s.template.resourceCountIs(
        'AWS::Lambda::EventSourceMapping',
        c.core === 'lambda' ? (home ? 2 : 1) : 0,
      );
      s.template.resourceCountIs('AWS::SQS::Queue', c.core === 'lambda' ? 1 : 0);
      expect(s.stack.consumer === undefined).toBe(c.core === 'flink');
    },
  );

  it('outputs what an operator and the other stacks need', () => {
    const outputs = Object.keys(s.template.toJSON().Outputs ?? {}).sort();
    const expected = ['AlarmTopicArn', 'ArchiveBucketName', 'EventsStreamName'];
    if (c.core === 'lambda') expected.push('OnFailureQueueUrl');
    if (c.store === 'influxdb') {
      expected.push('InfluxDbAdminSecretArn', 'InfluxDbTokenSecretArn', 'InfluxDbUrl');
    }
    expect(outputs).toStrictEqual(expected.sort());
  });
});

describe('RegionalStack props', () => {
  it('derives every physical name from appName', { timeout: SYNTH_TIMEOUT_MS }, () => {
    const other = synthRegional(REGIONAL_CASES[0], { overrides: { appName: 'qoe' } });
    const consumer = other.stack.consumer;
    expect([
      other.props(other.stack.eventsStream).Name,
      other.stack.badRowsStream && other.props(other.stack.badRowsStream).Name,
      consumer && other.props(consumer.function).FunctionName,
      other.stack.influxdb && other.props(other.stack.influxdb.instance).Name,
      ...other.stack.archives.map((a) => other.props(a.deliveryStream).DeliveryStreamName),
    ]).toStrictEqual([
      'qoe-events',
      'qoe-bad-rows',
      'qoe-consumer',
      'qoe-influxdb',
      'qoe-events-archive',
      'qoe-bad-rows-archive',
    ]);
  });

  it('refuses a region that is not configured', () => {
    expect(
      () =>
        new RegionalStack(new App(), 'R', {
          config: caseConfig(REGIONAL_CASES[0]),
          region: 'sa-east-1',
          env: { region: 'sa-east-1' },
        }),
    ).toThrow(
      'region sa-east-1 is not one of the configured regions (us-east-1, eu-central-1, ap-southeast-1)',
    );
  });

  it("refuses an env whose region is not the stack's", () => {
    expect(
      () =>
        new RegionalStack(new App(), 'R', {
          config: caseConfig(REGIONAL_CASES[0]),
          region: 'eu-central-1',
          env: { region: 'us-east-1' },
        }),
    ).toThrow("env.region us-east-1 differs from the stack's region eu-central-1");
  });
});
