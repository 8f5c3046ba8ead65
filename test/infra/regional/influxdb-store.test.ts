import { beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from '../../../infra/regional/consumer.js';
import type { InfluxDbStore } from '../../../infra/regional/influxdb-store.js';
import {
  caseConfig,
  REGIONAL_CASES,
  SYNTH_TIMEOUT_MS,
  type SynthesizedRegion,
  synthRegional,
} from '../../helpers/regional-stack.js';

const groupId = (s: SynthesizedRegion, sg: import('constructs').IConstruct) => ({
  'Fn::GetAtt': [s.id(sg), 'GroupId'],
});

describe.each(REGIONAL_CASES.filter((c) => c.store === 'influxdb'))(
  'InfluxDbStore ($core, $region)',
  (c) => {
    let s: SynthesizedRegion;
    let store: InfluxDbStore;
    beforeAll(() => {
      s = synthRegional(c);
      store = s.stack.influxdb as InfluxDbStore;
    }, SYNTH_TIMEOUT_MS);

    it('is a private single-AZ instance in two isolated subnets, its admin password by dynamic reference', () => {
      expect(s.resource(store.instance)).toStrictEqual({
        Type: 'AWS::Timestream::InfluxDBInstance',
        Properties: {
          AllocatedStorage: 20,
          Bucket: 'beacons',
          DbInstanceType: 'db.influx.medium',
          DbStorageType: 'InfluxIOIncludedT1',
          DeploymentType: 'SINGLE_AZ',
          LogDeliveryConfiguration: {
            S3Configuration: {
              BucketName: { Ref: s.id(s.stack.archive.accessLogs) },
              Enabled: true,
            },
          },
          Name: 'beacon-edge-influxdb',
          Organization: 'beacon-edge',
          Password: {
            'Fn::Join': [
              '',
              ['{{resolve:secretsmanager:', { Ref: s.id(store.adminSecret) }, ':SecretString:::}}'],
            ],
          },
          Port: 8086,
          PubliclyAccessible: false,
          Username: 'admin',
          VpcSecurityGroupIds: [groupId(s, store.instanceSecurityGroup)],
          VpcSubnetIds: store.vpc.isolatedSubnets.map((sn) => ({ Ref: s.id(sn) })),
        },
        // The service checks its log bucket when it creates the instance.
        DependsOn: [s.id(s.stack.archive.accessLogs.policy!)],
        UpdateReplacePolicy: 'Retain',
        DeletionPolicy: 'Retain',
      });
    });

    it.runIf(c.region === 'us-east-1' && c.core === 'lambda')(
      'puts a standby in the second AZ when influxdb.multiAz is set',
      { timeout: SYNTH_TIMEOUT_MS },
      () => {
        const multi = synthRegional(c, {
          overrides: { influxdb: { ...caseConfig(c).influxdb, multiAz: true } },
        });
        const instance = (multi.stack.influxdb as InfluxDbStore).instance;
        expect(multi.props(instance).DeploymentType).toBe('WITH_MULTIAZ_STANDBY');
        expect(multi.props(instance).VpcSubnetIds).toHaveLength(2);
      },
    );

    it.runIf(c.region === 'us-east-1' && c.core === 'lambda')(
      'gives the consumer the SDK names to keep as tags when influxdb.sdkNames lists them',
      { timeout: SYNTH_TIMEOUT_MS },
      () => {
        const listed = synthRegional(c, {
          overrides: {
            influxdb: { ...caseConfig(c).influxdb, sdkNames: ['beacon-edge-web', 'cmcd'] },
          },
        });
        const fn = (listed.stack.consumer as Consumer).function;
        const env = (listed.props(fn) as { Environment: { Variables: Record<string, unknown> } })
          .Environment.Variables;
        expect(env.INFLUXDB_SDK_NAMES).toBe('beacon-edge-web,cmcd');
      },
    );

    it('has no route out: two isolated subnets, no internet or NAT gateway', () => {
      expect(store.vpc.isolatedSubnets).toHaveLength(2);
      expect(store.vpc.publicSubnets).toHaveLength(0);
      expect(store.vpc.privateSubnets).toHaveLength(0);
      s.template.resourceCountIs('AWS::EC2::InternetGateway', 0);
      s.template.resourceCountIs('AWS::EC2::NatGateway', 0);
      s.template.resourceCountIs('AWS::EC2::Route', 0);
    });

    it('admits 8086 only from the consumer and 443 to the Secrets Manager endpoint only from the consumer', () => {
      const ingress = Object.values(s.template.findResources('AWS::EC2::SecurityGroupIngress')).map(
        (r) => r.Properties,
      );
      const egress = Object.values(s.template.findResources('AWS::EC2::SecurityGroupEgress')).map(
        (r) => r.Properties,
      );
      const client = groupId(s, store.clientSecurityGroup);
      const instance = groupId(s, store.instanceSecurityGroup);
      const endpoint = groupId(s, store.endpointSecurityGroup);
      expect(ingress).toStrictEqual([
        {
          Description: 'consumer writes',
          FromPort: 8086,
          GroupId: instance,
          IpProtocol: 'tcp',
          SourceSecurityGroupId: client,
          ToPort: 8086,
        },
        {
          Description: 'token read',
          FromPort: 443,
          GroupId: endpoint,
          IpProtocol: 'tcp',
          SourceSecurityGroupId: client,
          ToPort: 443,
        },
      ]);
      expect(egress).toStrictEqual([
        {
          Description: 'InfluxDB writes',
          DestinationSecurityGroupId: instance,
          FromPort: 8086,
          GroupId: client,
          IpProtocol: 'tcp',
          ToPort: 8086,
        },
        {
          Description: 'token read',
          DestinationSecurityGroupId: endpoint,
          FromPort: 443,
          GroupId: client,
          IpProtocol: 'tcp',
          ToPort: 443,
        },
      ]);
      // The instance and the endpoint send nothing out; the groups carry no inline rules.
      const noEgress = [
        {
          CidrIp: '255.255.255.255/32',
          Description: 'Disallow all traffic',
          FromPort: 252,
          IpProtocol: 'icmp',
          ToPort: 86,
        },
      ];
      for (const sg of [store.instanceSecurityGroup, store.endpointSecurityGroup]) {
        expect(s.props(sg).SecurityGroupEgress).toStrictEqual(noEgress);
        expect(s.props(sg).SecurityGroupIngress).toBeUndefined();
      }
      expect(s.props(store.clientSecurityGroup).SecurityGroupIngress).toBeUndefined();
    });

    it('reaches Secrets Manager through a private interface endpoint', () => {
      s.template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
      s.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.${c.region}.secretsmanager`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        SecurityGroupIds: [groupId(s, store.endpointSecurityGroup)],
        SubnetIds: store.vpc.isolatedSubnets.map((sn) => ({ Ref: s.id(sn) })),
        VpcId: { Ref: s.id(store.vpc) },
      });
    });

    it('keeps the admin password and the write token as generated secrets, retained with the data', () => {
      expect(s.resource(store.tokenSecret)).toStrictEqual({
        Type: 'AWS::SecretsManager::Secret',
        Properties: {
          Description:
            'beacon-edge-influxdb: write token of bucket beacons (replace the placeholder)',
          GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 32 },
        },
        UpdateReplacePolicy: 'Retain',
        DeletionPolicy: 'Retain',
      });
      expect(s.props(store.adminSecret)).toStrictEqual({
        Description: 'beacon-edge-influxdb: initial admin password',
        GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 32 },
      });
    });
  },
);
