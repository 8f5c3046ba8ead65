/**
 * The default time-series store: a Timestream for InfluxDB instance in a VPC of two isolated
 * subnets (no NAT, no internet), reachable on 8086 only from the consumer's security group, and
 * a Secrets Manager interface endpoint so the consumer can read its write token without a route
 * out. The consumer calls nothing else: Kinesis is polled by the event source mapping (the Lambda
 * service), and logs and EMF metrics leave through the Lambda service too.
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as timestream from 'aws-cdk-lib/aws-timestream';
import { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';
import { acknowledgeNag } from './acknowledge.js';
import { DATA_REMOVAL_POLICY, influxDefaults } from './defaults.js';

/** Props of {@link InfluxDbStore}. */
export interface InfluxDbStoreProps {
  /**
   * The VPC's address range. Each region gets its own (`regionalVpcCidr`) so the VPCs can be
   * peered or joined by a Transit Gateway, e.g. for Grafana in the home region to reach every
   * region's instance; overlapping ranges never can.
   */
  cidr: string;
  /** The instance's name (`<appName>-influxdb`): also the prefix of its endpoint. */
  name: string;
  settings: DeployConfig['influxdb'];
  /** Bucket the engine's hourly logs go to (under `InfluxLogs/`). */
  logBucket: s3.Bucket;
}

/**
 * A distinct /16 per configured region (10.<n>.0.0/16 by the region's place in the list, from
 * 10.10): ranges that never overlap, so the regions' VPCs can be connected later.
 * @example regionalVpcCidr(['us-east-1', 'eu-central-1'], 'eu-central-1') // '10.11.0.0/16'
 */
export function regionalVpcCidr(regions: readonly string[], region: string): string {
  const index = regions.indexOf(region);
  if (index < 0) throw new Error(`${region} is not one of the configured regions`);
  return `10.${10 + index}.0.0/16`;
}

/** The InfluxDB instance, its network, and the secret the consumer reads its write token from. */
export class InfluxDbStore extends Construct {
  readonly vpc: ec2.Vpc;
  /** The consumer Lambda's security group: the only one allowed to reach the instance and the endpoint. */
  readonly clientSecurityGroup: ec2.SecurityGroup;
  readonly instanceSecurityGroup: ec2.SecurityGroup;
  readonly endpointSecurityGroup: ec2.SecurityGroup;
  readonly instance: timestream.CfnInfluxDBInstance;
  /** The initial admin password (CloudFormation passes it to the instance by dynamic reference). */
  readonly adminSecret: secretsmanager.Secret;
  /**
   * Holds the write token the consumer uses. Created with a random placeholder: the operator
   * creates a write-only token for the bucket in InfluxDB and stores it here (DEPLOY.md).
   */
  readonly tokenSecret: secretsmanager.Secret;
  /** `https://<endpoint>:8086`. */
  readonly url: string;
  readonly settings: DeployConfig['influxdb'];

  constructor(scope: Construct, id: string, props: InfluxDbStoreProps) {
    super(scope, id);
    this.settings = props.settings;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      maxAzs: influxDefaults.maxAzs,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    const subnets = this.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED });

    const group = (gid: string, description: string) =>
      new ec2.SecurityGroup(this, gid, { vpc: this.vpc, description, allowAllOutbound: false });
    this.clientSecurityGroup = group(
      'ClientSg',
      'Consumer Lambda: InfluxDB and Secrets Manager only',
    );
    this.instanceSecurityGroup = group('InstanceSg', 'InfluxDB: 8086 from the consumer only');
    this.endpointSecurityGroup = group(
      'EndpointSg',
      'Secrets Manager endpoint: 443 from the consumer only',
    );
    const influxPort = ec2.Port.tcp(influxDefaults.port);
    this.instanceSecurityGroup.addIngressRule(
      this.clientSecurityGroup,
      influxPort,
      'consumer writes',
    );
    this.clientSecurityGroup.addEgressRule(
      this.instanceSecurityGroup,
      influxPort,
      'InfluxDB writes',
    );
    this.endpointSecurityGroup.addIngressRule(
      this.clientSecurityGroup,
      ec2.Port.tcp(443),
      'token read',
    );
    this.clientSecurityGroup.addEgressRule(
      this.endpointSecurityGroup,
      ec2.Port.tcp(443),
      'token read',
    );

    this.vpc.addInterfaceEndpoint('SecretsManager', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets,
      securityGroups: [this.endpointSecurityGroup],
      open: false,
      privateDnsEnabled: true,
    });

    this.adminSecret = new secretsmanager.Secret(this, 'AdminPassword', {
      description: `${props.name}: initial admin password`,
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy: DATA_REMOVAL_POLICY,
    });
    this.tokenSecret = new secretsmanager.Secret(this, 'WriteToken', {
      description: `${props.name}: write token of bucket ${props.settings.bucket} (replace the placeholder)`,
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy: DATA_REMOVAL_POLICY,
    });

    const logPolicy = props.logBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('timestream-influxdb.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [props.logBucket.arnForObjects('InfluxLogs/*')],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );

    this.instance = new timestream.CfnInfluxDBInstance(this, 'Instance', {
      name: props.name,
      dbInstanceType: props.settings.instanceType,
      dbStorageType: influxDefaults.dbStorageType,
      allocatedStorage: props.settings.allocatedStorageGiB,
      deploymentType: props.settings.multiAz ? 'WITH_MULTIAZ_STANDBY' : 'SINGLE_AZ',
      bucket: props.settings.bucket,
      organization: props.settings.organization,
      username: influxDefaults.adminUsername,
      password: this.adminSecret.secretValue.unsafeUnwrap(),
      port: influxDefaults.port,
      publiclyAccessible: false,
      vpcSubnetIds: subnets.subnetIds,
      vpcSecurityGroupIds: [this.instanceSecurityGroup.securityGroupId],
      logDeliveryConfiguration: {
        s3Configuration: { bucketName: props.logBucket.bucketName, enabled: true },
      },
    });
    this.instance.applyRemovalPolicy(DATA_REMOVAL_POLICY);
    // The service checks it may write the log bucket when the instance is created.
    if (logPolicy.policyDependable) this.instance.node.addDependency(logPolicy.policyDependable);
    this.url = `https://${this.instance.attrEndpoint}:${influxDefaults.port}`;

    acknowledgeNag(
      this.vpc,
      'AwsSolutions-VPC7',
      'No internet route and two security groups that admit only the consumer; flow logs would bill for traffic that has nowhere else to go (DEPLOY.md: how to add them for an audit).',
    );
    acknowledgeNag(
      this.adminSecret,
      'AwsSolutions-SMG4',
      'Read once by the service when it creates the instance; rotating it here would not change the password InfluxDB holds.',
    );
    acknowledgeNag(
      this.tokenSecret,
      'AwsSolutions-SMG4',
      'The token is minted in InfluxDB by the operator; rotation is a new token stored here by hand (DEPLOY.md), not a Secrets Manager rotation function.',
    );
  }
}
