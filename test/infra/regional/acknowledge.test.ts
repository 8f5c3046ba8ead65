import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { acknowledgeNag } from '../../../infra/regional/acknowledge.js';
import { nagAcknowledgements, nagFindings, REASON_IN_WORDS } from '../../helpers/cdk-nag.js';
import { REGIONAL_CASES, SYNTH_TIMEOUT_MS, synthRegional } from '../../helpers/regional-stack.js';

describe.each(REGIONAL_CASES)('cdk-nag AwsSolutions ($store, $core, $region)', (c) => {
  it('finds nothing unacknowledged; each acknowledgement sits on its construct with a reason', {
    timeout: SYNTH_TIMEOUT_MS,
  }, () => {
    const s = synthRegional(c);
    expect(nagFindings(s.stack)).toStrictEqual([]);
    const acks = nagAcknowledgements(s.stack);
    const home = c.region === 'us-east-1';
    const expected: Record<string, string[]> = {
      'EventsArchive/Role': [
        'AwsSolutions-IAM5[Resource::<ArchiveBucket49F1AC64.Arn>/raw/year=*]',
        'AwsSolutions-IAM5[Resource::<ArchiveBucket49F1AC64.Arn>/errors/raw/*]',
      ],
      'EventsArchive/DeliveryStream': ['AwsSolutions-KDF1'],
    };
    if (home) {
      expected['BadRowsArchive/Role'] = [
        'AwsSolutions-IAM5[Resource::<ArchiveBucket49F1AC64.Arn>/bad-rows/year=*]',
        'AwsSolutions-IAM5[Resource::<ArchiveBucket49F1AC64.Arn>/errors/bad-rows/*]',
      ];
      expected['BadRowsArchive/DeliveryStream'] = ['AwsSolutions-KDF1'];
    }
    if (c.store === 'influxdb') {
      // CDK's own, when the VPC reads the stack's availability zones.
      expected[''] = ['CloudFormation-Validate::W3010'];
      expected['InfluxDb/Vpc'] = ['AwsSolutions-VPC7'];
      expected['InfluxDb/AdminPassword'] = ['AwsSolutions-SMG4'];
      expected['InfluxDb/WriteToken'] = ['AwsSolutions-SMG4'];
    } else {
      expected['Timestream/Database'] = ['AwsSolutions-TS3'];
      expected.Timestream = ['CloudFormation-Validate::W3697'];
    }
    if (c.core === 'lambda') {
      expected['Consumer/OnFailure'] = ['AwsSolutions-SQS3'];
      // Timestream's DescribeEndpoints or the VPC's network-interface calls take no resource.
      expected['Consumer/Role'] = ['AwsSolutions-IAM5[Resource::*]'];
    }
    const byPath: Record<string, string[]> = {};
    const prefix = `${s.stack.node.path}/`;
    for (const a of acks) {
      const path = a.path === s.stack.node.path ? '' : a.path.slice(prefix.length);
      byPath[path] = [...(byPath[path] ?? []), a.id];
    }
    expect(byPath).toStrictEqual(expected);
    for (const a of acks) expect(a.reason).toMatch(REASON_IN_WORDS);
    if (c.core === 'lambda') {
      const role = acks.find((a) => a.path.endsWith('/Consumer/Role'));
      expect(role?.reason.split(' accept ')[0]).toBe(
        c.store === 'influxdb'
          ? 'ec2:CreateNetworkInterface, ec2:DescribeNetworkInterfaces, ec2:DescribeSubnets, ec2:DeleteNetworkInterface, ec2:AssignPrivateIpAddresses, ec2:UnassignPrivateIpAddresses'
          : 'timestream:DescribeEndpoints',
      );
    }
  });
});

describe('acknowledgeNag', () => {
  const queueStack = () => {
    const stack = new Stack(new App(), 'Q');
    const queue = new sqs.Queue(stack, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    return { stack, queue };
  };

  it('leaves a finding it does not name standing', () => {
    const { stack } = queueStack();
    expect(nagFindings(stack).map((f) => f.split(' ')[0])).toStrictEqual(['AwsSolutions-SQS3']);
  });

  it('silences the finding it names, with its reason', () => {
    const { stack, queue } = queueStack();
    acknowledgeNag(queue, 'AwsSolutions-SQS3', 'a queue in a test that nothing ever sends to');
    expect(nagFindings(stack)).toStrictEqual([]);
    expect(nagAcknowledgements(stack)).toStrictEqual([
      {
        path: 'Q/Queue',
        id: 'AwsSolutions-SQS3',
        reason: 'a queue in a test that nothing ever sends to',
      },
    ]);
  });
});
