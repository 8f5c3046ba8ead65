import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { acknowledgeNag } from '../../../infra/regional/acknowledge.js';
import { REGIONAL_CASES, SYNTH_TIMEOUT_MS, synthRegional } from '../../helpers/regional-stack.js';

/** Every acknowledgement recorded in a stack: construct path → { rule id: reason }. */
function acknowledgements(stack: Stack): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const c of stack.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      out[c.node.path.slice(stack.node.path.length + 1)] = {
        ...out[c.node.path.slice(stack.node.path.length + 1)],
        ...(m.data as Record<string, string>),
      };
    }
  }
  return out;
}

describe.each(REGIONAL_CASES)('cdk-nag AwsSolutions ($store, $core, $region)', (c) => {
  it('passes, with every finding acknowledged on its construct with a reason', {
    timeout: SYNTH_TIMEOUT_MS,
  }, () => {
    // synthRegional with nag throws on any unacknowledged AwsSolutions finding.
    const s = synthRegional(c, { nag: true });
    const acks = acknowledgements(s.stack);
    const home = c.region === 'us-east-1';
    const expected: Record<string, string[]> = {
      'EventsArchive/Role': [
        'AwsSolutions::AwsSolutions-IAM5[Resource::<ArchiveBucket49F1AC64.Arn>/raw/year=*]',
        'AwsSolutions::AwsSolutions-IAM5[Resource::<ArchiveBucket49F1AC64.Arn>/errors/raw/*]',
      ],
      'EventsArchive/DeliveryStream': ['AwsSolutions::AwsSolutions-KDF1'],
    };
    if (home) {
      expected['BadRowsArchive/Role'] = [
        'AwsSolutions::AwsSolutions-IAM5[Resource::<ArchiveBucket49F1AC64.Arn>/bad-rows/year=*]',
        'AwsSolutions::AwsSolutions-IAM5[Resource::<ArchiveBucket49F1AC64.Arn>/errors/bad-rows/*]',
      ];
      expected['BadRowsArchive/DeliveryStream'] = ['AwsSolutions::AwsSolutions-KDF1'];
    }
    if (c.store === 'influxdb') {
      // CDK's own, when the VPC reads the stack's availability zones.
      expected[''] = ['CloudFormation-Validate::W3010'];
      expected['InfluxDb/Vpc'] = ['AwsSolutions::AwsSolutions-VPC7'];
      expected['InfluxDb/AdminPassword'] = ['AwsSolutions::AwsSolutions-SMG4'];
      expected['InfluxDb/WriteToken'] = ['AwsSolutions::AwsSolutions-SMG4'];
    } else {
      expected['Timestream/Database'] = ['AwsSolutions::AwsSolutions-TS3'];
      expected.Timestream = ['CloudFormation-Validate::W3697'];
    }
    if (c.core === 'lambda') {
      expected['Consumer/OnFailure'] = ['AwsSolutions::AwsSolutions-SQS3'];
      // Timestream's DescribeEndpoints or the VPC's network-interface calls take no resource.
      expected['Consumer/Role'] = ['AwsSolutions::AwsSolutions-IAM5[Resource::*]'];
    }
    expect(
      Object.fromEntries(Object.entries(acks).map(([path, rules]) => [path, Object.keys(rules)])),
    ).toStrictEqual(expected);
    for (const rules of Object.values(acks)) {
      for (const reason of Object.values(rules)) expect(reason.length).toBeGreaterThan(40);
    }
    if (c.core === 'lambda') {
      const reason = acks['Consumer/Role']?.['AwsSolutions::AwsSolutions-IAM5[Resource::*]'];
      expect(reason?.split(' accept ')[0]).toBe(
        c.store === 'influxdb'
          ? 'ec2:CreateNetworkInterface, ec2:DescribeNetworkInterfaces, ec2:DescribeSubnets, ec2:DeleteNetworkInterface, ec2:AssignPrivateIpAddresses, ec2:UnassignPrivateIpAddresses'
          : 'timestream:DescribeEndpoints',
      );
    }
  });
});

describe('acknowledgeNag', () => {
  const queueStack = () => {
    const app = new App();
    const stack = new Stack(app, 'Q');
    const queue = new sqs.Queue(stack, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    return { app, queue };
  };

  it('leaves a finding it does not name failing synthesis', () => {
    const { app } = queueStack();
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });

  it('silences the finding it names', () => {
    const { app, queue } = queueStack();
    acknowledgeNag(queue, 'AwsSolutions-SQS3', 'a queue in a test that nothing ever sends to');
    expect(() => app.synth()).not.toThrow();
  });
});
