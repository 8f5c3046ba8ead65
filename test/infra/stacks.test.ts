// The app skeleton as `npm run synth` runs it offline: no account known, so every stack is
// bound to its region and leaves the account to CloudFormation, and the checks still pass.
import { Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStacks, type DeploymentStacks, stackName } from '../../infra/stacks.js';
import { testApp } from '../helpers/cdk-app.js';
import { nagFindings } from '../helpers/cdk-nag.js';

const saved = process.env.CDK_DEFAULT_ACCOUNT;
let stacks: DeploymentStacks;
let template: Template;

beforeAll(async () => {
  delete process.env.CDK_DEFAULT_ACCOUNT;
  stacks = await addStacks(testApp());
  template = Template.fromStack(stacks.edge);
}, 240_000);

afterAll(() => {
  if (saved !== undefined) process.env.CDK_DEFAULT_ACCOUNT = saved;
});

describe('addStacks without credentials', () => {
  it('binds every stack to an explicit region and leaves the account to deploy time', () => {
    const all = stacks.edge.node.root.node.children.filter((c): c is Stack => Stack.isStack(c));
    expect(all.map((s) => s.stackName)).toStrictEqual([
      'beacon-edge-edge',
      'beacon-edge-regional-us-east-1',
      'beacon-edge-regional-eu-central-1',
      'beacon-edge-regional-ap-southeast-1',
    ]);
    for (const s of all) {
      expect(Token.isUnresolved(s.region)).toBe(false);
      expect(Token.isUnresolved(s.account)).toBe(true);
    }
    expect(stacks.edge.region).toBe('us-east-1');
    expect(stackName(stacks.config, 'edge')).toBe('beacon-edge-edge');
  });

  it('deploys the edge after every regional stack, so its records always find a consumer that reads them', () => {
    const after = stacks.edge.dependencies.map((s) => s.stackName).sort();
    expect(after).toStrictEqual(stacks.regional.map((s) => s.stackName).sort());
    for (const r of stacks.regional) expect(r.dependencies).toStrictEqual([]);
  });

  it('writes the account as AWS::AccountId into the Lambda@Edge policy', () => {
    const policy = template.findResources('AWS::IAM::Policy');
    expect(JSON.stringify(policy)).toContain('{"Ref":"AWS::AccountId"}');
  });

  it('still has no unacknowledged cdk-nag finding (acknowledgements name unresolved ARNs right)', () => {
    expect(nagFindings(stacks.edge)).toStrictEqual([]);
    for (const stack of stacks.regional) expect(nagFindings(stack)).toStrictEqual([]);
  });

  it('gives the InfluxDB VPC of each region its own address range, so the regions can be connected', () => {
    const cidrs = stacks.regional.map((s) => {
      const vpcs = Template.fromStack(s).findResources('AWS::EC2::VPC');
      return Object.values(vpcs).map(
        (v) => (v as { Properties: { CidrBlock: string } }).Properties.CidrBlock,
      );
    });
    expect(cidrs).toStrictEqual([['10.10.0.0/16'], ['10.11.0.0/16'], ['10.12.0.0/16']]);
  });

  it('puts the Grafana workspace in the home region only, reaching InfluxDB through its VPC', () => {
    const workspaces = stacks.regional.map(
      (s) => Object.keys(Template.fromStack(s).findResources('AWS::Grafana::Workspace')).length,
    );
    expect(workspaces).toStrictEqual([1, 0, 0]);
    Template.fromStack(stacks.regional[0]).hasResourceProperties('AWS::Grafana::Workspace', {
      VpcConfiguration: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
    });
  });

  it('refuses a bad context before building anything', async () => {
    await expect(addStacks(testApp({ 'beacon-edge:homeRegion': 'eu-west-3' }))).rejects.toThrow(
      'beacon-edge.homeRegion: "eu-west-3" is not one of the regions (us-east-1, eu-central-1, ap-southeast-1)',
    );
  });
});

describe('addStacks with the Flink core on Timestream', () => {
  let flink: DeploymentStacks;
  beforeAll(async () => {
    flink = await addStacks(
      testApp({
        'beacon-edge': {
          core: 'flink',
          store: 'timestream',
          regions: ['us-east-1', 'eu-west-1'],
          timestream: { memoryRetentionHours: 1, magneticRetentionDays: 2 },
          flink: { jarBucketName: 'jars', jarKey: 'timestream-sink.jar' },
        },
      }),
    );
  }, 240_000);

  it('runs the Flink job instead of the consumer in every region, on a table that takes late data', () => {
    for (const stack of flink.regional) {
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::KinesisAnalyticsV2::Application', 1);
      expect(stack.consumer).toBeUndefined();
      t.hasResourceProperties('AWS::Timestream::Table', {
        TableName: 'events',
        MagneticStoreWriteProperties: { EnableMagneticStoreWrites: true },
      });
      expect(nagFindings(stack)).toStrictEqual([]);
    }
  });

  it('gives Grafana the Timestream databases of every region', () => {
    Template.fromStack(flink.regional[0]).hasResourceProperties('AWS::Grafana::Workspace', {
      DataSources: Match.arrayWith(['TIMESTREAM']),
    });
  });

  it('refuses a table the Flink job would drop acknowledged events from', async () => {
    await expect(
      addStacks(
        testApp({
          'beacon-edge': {
            core: 'flink',
            store: 'timestream',
            flink: { jarBucketName: 'jars', jarKey: 'timestream-sink.jar' },
          },
        }),
      ),
    ).rejects.toThrow(/would reject events the edge accepts/);
  });
});
