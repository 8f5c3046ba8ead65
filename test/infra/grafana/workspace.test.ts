/**
 * The Grafana workspace construct in a bare test stack: the workspace's settings, the role's trust
 * and every statement of its policy for each store, the VPC path to InfluxDB, the props the
 * service would refuse, and cdk-nag's AwsSolutions checks.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { GrafanaWorkspace, type GrafanaWorkspaceProps } from '../../../infra/grafana/workspace.js';
import { nagAcknowledgements, nagFindings, REASON_IN_WORDS } from '../../helpers/cdk-nag.js';

const ACCOUNT = '111111111111';
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:beacon-edge-alarms`;
const TOPIC_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const VPC = {
  subnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
  securityGroupIds: ['sg-0a1b2c3d4e5f60003'],
};

function stackWith(props: Partial<GrafanaWorkspaceProps> = {}): Stack {
  const stack = new Stack(new App(), 'GrafanaTest', {
    env: { account: ACCOUNT, region: 'us-east-1' },
  });
  new GrafanaWorkspace(stack, 'Grafana', { appName: 'beacon-edge', store: 'influxdb', ...props });
  return stack;
}

const TIMESTREAM = {
  store: 'timestream' as const,
  timestream: [
    { region: 'us-east-1', database: 'beacon-edge' },
    { region: 'eu-central-1', database: 'beacon-edge' },
  ],
};

// Loading aws-cdk-lib and synthesizing take tens of seconds on a busy machine.
describe('GrafanaWorkspace', { timeout: 120_000 }, () => {
  it('creates an IAM Identity Center workspace with a customer-managed role', () => {
    const t = Template.fromStack(stackWith({ vpc: VPC, alarmTopicArn: TOPIC }));
    t.resourceCountIs('AWS::Grafana::Workspace', 1);
    t.hasResourceProperties('AWS::Grafana::Workspace', {
      Name: 'beacon-edge',
      AccountAccessType: 'CURRENT_ACCOUNT',
      AuthenticationProviders: ['AWS_SSO'],
      PermissionType: 'CUSTOMER_MANAGED',
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GrafanaRole'), 'Arn'] },
      GrafanaVersion: '10.4',
      DataSources: [],
      NotificationDestinations: ['SNS'],
      VpcConfiguration: { SubnetIds: VPC.subnetIds, SecurityGroupIds: VPC.securityGroupIds },
      PluginAdminEnabled: true,
    });
    t.hasOutput('*', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.anyValue(), 'Endpoint'] }]] },
    });
  });

  it('lets only Grafana, for this account’s workspaces, assume the role', () => {
    Template.fromStack(stackWith()).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'grafana.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': ACCOUNT },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      `:grafana:us-east-1:${ACCOUNT}:/workspaces/*`,
                    ],
                  ],
                },
              },
            },
          },
        ],
      },
    });
  });

  it('InfluxDB store without alarms: the role may do nothing at all', () => {
    const t = Template.fromStack(stackWith({ vpc: VPC }));
    t.resourceCountIs('AWS::IAM::Policy', 0);
    expect(
      Object.values(t.findResources('AWS::IAM::Role'))[0].Properties.ManagedPolicyArns,
    ).toBeUndefined();
  });

  it('Timestream store: Select on the sink’s tables in each region, endpoint discovery, SNS publish', () => {
    const t = Template.fromStack(
      stackWith({ ...TIMESTREAM, alarmTopicArn: TOPIC, alarmTopicKeyArn: TOPIC_KEY }),
    );
    t.hasResourceProperties('AWS::Grafana::Workspace', { DataSources: ['TIMESTREAM'] });
    const table = (region: string, name: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          `:timestream:${region}:${ACCOUNT}:database/beacon-edge/table/${name}`,
        ],
      ],
    });
    const policies = Object.values(t.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toStrictEqual([
      {
        Sid: 'QueryTheSinkTables',
        Effect: 'Allow',
        Action: ['timestream:Select', 'timestream:DescribeTable', 'timestream:ListMeasures'],
        Resource: [
          table('us-east-1', 'events'),
          table('us-east-1', 'bad_rows'),
          table('eu-central-1', 'events'),
          table('eu-central-1', 'bad_rows'),
        ],
      },
      {
        Sid: 'DiscoverTimestreamEndpoints',
        Effect: 'Allow',
        Action: 'timestream:DescribeEndpoints',
        Resource: '*',
      },
      { Sid: 'PublishAlerts', Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC },
      // The topic is encrypted with a customer key: publishing needs that key too.
      {
        Sid: 'EncryptAlerts',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: TOPIC_KEY,
      },
    ]);
  });

  it.each([
    [
      { store: 'timestream' as const },
      'GrafanaWorkspace: store "timestream" needs at least one Timestream database',
    ],
    [
      { vpc: { subnetIds: ['subnet-a'], securityGroupIds: ['sg'] } },
      'GrafanaWorkspace: vpc.subnetIds needs 2 to 6 subnets in at least two AZs, got 1',
    ],
    [
      { vpc: { subnetIds: ['a', 'b'], securityGroupIds: [] } },
      'GrafanaWorkspace: vpc.securityGroupIds needs 1 to 5 security groups, got 0',
    ],
  ])('refuses props the service would refuse: %j', (props, message) => {
    expect(() => stackWith(props)).toThrow(message);
  });

  it.each([
    ['influxdb', { vpc: VPC, alarmTopicArn: TOPIC }],
    ['timestream', { ...TIMESTREAM, alarmTopicArn: TOPIC }],
  ] as const)(
    'passes cdk-nag AwsSolutions (%s), every acknowledgement with its reason',
    (_store, props) => {
      const stack = stackWith(props);
      expect(nagFindings(stack)).toStrictEqual([]);
      for (const a of nagAcknowledgements(stack)) expect(a.reason).toMatch(REASON_IN_WORDS);
    },
  );
});
