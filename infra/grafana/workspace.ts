/**
 * The Amazon Managed Grafana workspace of the deployment, in the home region: users sign in with
 * IAM Identity Center (AWS_SSO), the workspace reads the stores with a role of its own, and the
 * dashboards are loaded afterwards by `beacons grafana push` (CloudFormation cannot load them).
 *
 * Permissions are CUSTOMER_MANAGED: a SERVICE_MANAGED workspace gets its roles only when created
 * in the console, so a stack would have to leave them to chance. The role here trusts
 * grafana.amazonaws.com for this account's workspaces only and may read only the Timestream
 * tables of the deployment (LiveAnalytics store) and publish only to the alarms topic.
 *
 * Timestream for InfluxDB is not an AWS data source to Grafana: it is an HTTP endpoint with a
 * token, inside a VPC. The workspace reaches it only through `vpc` (subnets in two or more AZs
 * and a security group the InfluxDB instance's group admits on 8086); stores in other regions
 * also need a route from that VPC (peering or Transit Gateway). Without `vpc` the workspace has
 * no way into a VPC-only InfluxDB.
 */
import { Arn, ArnFormat, CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import * as grafana from 'aws-cdk-lib/aws-grafana';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { StoreKind } from '../config.js';

/** Where the workspace's network interfaces go, to reach VPC-only data sources. */
export interface WorkspaceVpc {
  /** 2 to 6 private subnets, in at least two Availability Zones. */
  subnetIds: string[];
  /** 1 to 5 security groups; the InfluxDB instance's group must admit them on its port. */
  securityGroupIds: string[];
}

/** A Timestream for LiveAnalytics database the dashboards read, in one region. */
export interface TimestreamSource {
  region: string;
  database: string;
  /** Default: the sink's tables, `events` and `bad_rows`. */
  tables?: string[];
}

/** Props of {@link GrafanaWorkspace}. */
export interface GrafanaWorkspaceProps {
  /** Prefix of the workspace's and the role's names. */
  appName: string;
  store: StoreKind;
  /** Timestream databases to read (store `timestream`); at least one then. */
  timestream?: TimestreamSource[];
  /** Network path to VPC-only stores (store `influxdb`). */
  vpc?: WorkspaceVpc;
  /** SNS topic Grafana alerts may publish to. */
  alarmTopicArn?: string;
  /**
   * The KMS key the topic is encrypted with: a publisher needs to use it too
   * (`kms:GenerateDataKey`, `kms:Decrypt`), or every notification fails with access denied.
   */
  alarmTopicKeyArn?: string;
  /** Grafana version of the workspace (the Timestream plugin needs 10.4 or later). */
  grafanaVersion?: string;
}

/** Version the workspace is created with unless the props say otherwise. */
const DEFAULT_GRAFANA_VERSION = '10.4';

/** The sink's Timestream tables. */
const SINK_TABLES = ['events', 'bad_rows'];

/** Checks the props against the service's rules before synthesis, with messages that say why. */
function validate(props: GrafanaWorkspaceProps): void {
  if (props.store === 'timestream' && !props.timestream?.length)
    throw new Error('GrafanaWorkspace: store "timestream" needs at least one Timestream database');
  const vpc = props.vpc;
  if (vpc) {
    if (vpc.subnetIds.length < 2 || vpc.subnetIds.length > 6)
      throw new Error(
        `GrafanaWorkspace: vpc.subnetIds needs 2 to 6 subnets in at least two AZs, got ${vpc.subnetIds.length}`,
      );
    if (vpc.securityGroupIds.length < 1 || vpc.securityGroupIds.length > 5)
      throw new Error(
        `GrafanaWorkspace: vpc.securityGroupIds needs 1 to 5 security groups, got ${vpc.securityGroupIds.length}`,
      );
  }
}

/** An Amazon Managed Grafana workspace with a least-privilege role for the deployment's store. */
export class GrafanaWorkspace extends Construct {
  readonly workspace: grafana.CfnWorkspace;
  readonly role: iam.Role;
  /** `https://<workspace endpoint>`: the `--url` of `beacons grafana push`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: GrafanaWorkspaceProps) {
    super(scope, id);
    validate(props);
    const stack = Stack.of(this);
    this.role = this.buildRole(stack, props);
    this.workspace = new grafana.CfnWorkspace(this, 'Workspace', {
      name: props.appName,
      description: `${props.appName}: playback quality dashboards (beacons grafana push loads them)`,
      accountAccessType: 'CURRENT_ACCOUNT',
      authenticationProviders: ['AWS_SSO'],
      permissionType: 'CUSTOMER_MANAGED',
      roleArn: this.role.roleArn,
      grafanaVersion: props.grafanaVersion ?? DEFAULT_GRAFANA_VERSION,
      dataSources: props.store === 'timestream' ? ['TIMESTREAM'] : [],
      notificationDestinations: props.alarmTopicArn ? ['SNS'] : undefined,
      vpcConfiguration: props.vpc,
      // Plugins (the Timestream data source among them) are installed by an admin, not by a stack.
      pluginAdminEnabled: true,
    });
    this.url = `https://${this.workspace.attrEndpoint}`;
    new CfnOutput(this, 'GrafanaUrl', {
      value: this.url,
      description: 'Grafana workspace URL: pass it to beacons grafana push --url',
    });
    new CfnOutput(this, 'GrafanaWorkspaceId', { value: this.workspace.attrId });
  }

  /** The workspace's role: trusted by Grafana for this account's workspaces, reading only ours. */
  private buildRole(stack: Stack, props: GrafanaWorkspaceProps): iam.Role {
    const role = new iam.Role(this, 'Role', {
      description: `${props.appName} Grafana workspace: reads the deployment's store`,
      assumedBy: new iam.ServicePrincipal('grafana.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'grafana',
              resource: '/workspaces',
              resourceName: '*',
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          },
        },
      }),
    });
    if (props.store === 'timestream') {
      const tables = (props.timestream ?? []).flatMap((s) =>
        (s.tables ?? SINK_TABLES).map((t) =>
          Arn.format(
            {
              service: 'timestream',
              region: s.region,
              resource: 'database',
              resourceName: `${s.database}/table/${t}`,
            },
            stack,
          ),
        ),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'QueryTheSinkTables',
          actions: ['timestream:Select', 'timestream:DescribeTable', 'timestream:ListMeasures'],
          resources: tables,
        }),
      );
      // DescribeEndpoints has no resource-level permissions; every Timestream client calls it first.
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'DiscoverTimestreamEndpoints',
          actions: ['timestream:DescribeEndpoints'],
          resources: ['*'],
        }),
      );
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'timestream:DescribeEndpoints supports no resource-level permissions; it only returns the regional query endpoint, and every query action is limited to the sink tables.',
      });
    }
    if (props.alarmTopicArn)
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'PublishAlerts',
          actions: ['sns:Publish'],
          resources: [props.alarmTopicArn],
        }),
      );
    if (props.alarmTopicArn && props.alarmTopicKeyArn)
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'EncryptAlerts',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.alarmTopicKeyArn],
        }),
      );
    return role;
  }
}
