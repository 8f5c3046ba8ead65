/**
 * The edge stack (us-east-1): the CloudFront distribution that takes beacons, the viewer-request
 * CloudFront Function with its KeyValueStore, the origin-request Lambda@Edge function, the
 * optional WAF web ACL, access logs, and the edge's alarms. CloudFront-scoped resources (the
 * Lambda@Edge function, the WAF web ACL, ACM certificates) must live in us-east-1; so does the
 * whole stack.
 *
 * The origin is an empty, private S3 bucket behind origin access control. No request reaches
 * it: the viewer function answers every path that is not an ingest path (404) and every non-POST
 * on one, and the Lambda@Edge function answers every POST. It is there because a behaviour needs
 * an origin, and an S3 bucket is the safe one: CloudFront resolves the origin's DNS name before it
 * runs an origin-request function (a made-up host name would fail every beacon with 502), and a
 * bucket that holds nothing and grants only reads cannot leak or take anything.
 */
import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { kvsSeed } from '../../edge/kvs.js';
import type { DeployConfig } from '../config.js';
import { viewerFunctionName } from '../names.js';
import { EdgeAlarms } from './alarms.js';
import type { EdgeBundles } from './bundles.js';
import { IngestFunction } from './ingest-function.js';
import { ingestOriginRequestPolicy } from './origin-headers.js';
import { rateLimitWebAcl } from './waf.js';

/** Props of {@link EdgeStack}: `env.region` must be us-east-1. */
export interface EdgeStackProps extends StackProps {
  config: DeployConfig;
  bundles: EdgeBundles;
}

/** The edge stack. */
export class EdgeStack extends Stack {
  readonly distribution: cloudfront.Distribution;
  readonly keyValueStore: cloudfront.KeyValueStore;
  readonly viewerFunction: cloudfront.Function;
  readonly ingest: IngestFunction;
  readonly alarms: EdgeAlarms;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    if (props.env?.region !== 'us-east-1') {
      throw new Error(
        `the edge stack must be in us-east-1 (CloudFront's region), not ${props.env?.region}`,
      );
    }
    const { config, bundles } = props;

    const logs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(config.archiveRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the access logs of the origin bucket; logging its own access would need yet another bucket.',
    });

    const originBucket = new s3.Bucket(this, 'EmptyOrigin', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'origin-bucket/',
      // It never holds anything, so deleting it with the stack loses nothing.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const origin = origins.S3BucketOrigin.withOriginAccessControl(originBucket);

    this.keyValueStore = new cloudfront.KeyValueStore(this, 'Settings', {
      comment: `${config.appName}: settings the viewer function reads without a redeploy`,
      source: cloudfront.ImportSource.fromInline(
        JSON.stringify({ data: kvsSeed(bundles.edgeConfig) }),
      ),
    });
    this.viewerFunction = new cloudfront.Function(this, 'ViewerRequest', {
      functionName: viewerFunctionName(config),
      comment: 'beacon-edge viewer request: routes, answers preflights, stamps the edge location',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(bundles.viewerRequestCode),
      keyValueStore: this.keyValueStore,
    });
    const viewerRequest: cloudfront.FunctionAssociation = {
      function: this.viewerFunction,
      eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
    };

    this.ingest = new IngestFunction(this, 'Ingest', { config, bundles });
    const originRequestPolicy = ingestOriginRequestPolicy(
      this,
      'IngestHeaders',
      `${config.appName}-ingest`,
    );
    const ingestBehavior: cloudfront.BehaviorOptions = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy,
      // Answers are a few bytes of JSON or nothing: compressing them gains nothing.
      compress: false,
      functionAssociations: [viewerRequest],
      edgeLambdas: [
        {
          functionVersion: this.ingest.version,
          eventType: cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST,
          includeBody: true,
        },
      ],
    };

    const webAcl = config.waf.enabled ? rateLimitWebAcl(this, 'WebAcl', config) : undefined;
    const certificate = config.cdn.certificateArn
      ? acm.Certificate.fromCertificateArn(this, 'Certificate', config.cdn.certificateArn)
      : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${config.appName} beacon ingest`,
      // Every other path: the viewer function answers 404 at the edge, never the origin.
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        compress: false,
        functionAssociations: [viewerRequest],
      },
      // CMCD reports take the same behaviour: same gate, store, handler and policies.
      additionalBehaviors: Object.fromEntries(
        [...config.ingestPaths, config.cmcdPath].map((p) => [p, ingestBehavior]),
      ),
      priceClass: config.cdn.priceClass as cloudfront.PriceClass,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      // No standard logs: each line holds the viewer's IP address (c-ip, x-forwarded-for), and the
      // product keeps no raw client IP. CloudFront's metrics and the bad rows cover operations.
      enableLogging: false,
      webAclId: webAcl?.attrArn,
      ...(certificate && {
        certificate,
        domainNames: [config.cdn.domainName],
        minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      }),
    });
    this.acknowledgeDistributionRules(config);

    this.alarms = new EdgeAlarms(this, 'Alarms', {
      config,
      distributionId: this.distribution.distributionId,
    });

    const host = config.cdn.domainName || this.distribution.distributionDomainName;
    new CfnOutput(this, 'DistributionDomainName', {
      description:
        "The distribution's own domain name (point a CNAME here when using cdn.domainName)",
      value: this.distribution.distributionDomainName,
    });
    new CfnOutput(this, 'IngestUrl', {
      description: 'Where players POST beacons (the first ingest path)',
      value: `https://${host}${config.ingestPaths[0]}`,
    });
    new CfnOutput(this, 'CmcdUrl', {
      description:
        'The CMCD event target players report to (add ?player=<name>&player_version=<version>)',
      value: `https://${host}${config.cmcdPath}`,
    });
    new CfnOutput(this, 'KeyValueStoreArn', {
      description:
        'The KeyValueStore the viewer function reads (change settings without a redeploy)',
      value: this.keyValueStore.keyValueStoreArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic of the edge alarms (us-east-1)',
      value: this.alarms.topic.topicArn,
    });
  }

  /** The AwsSolutions rules the distribution breaks on purpose, each with its reason. */
  private acknowledgeDistributionRules(config: DeployConfig): void {
    const v = Validations.of(this.distribution);
    v.acknowledge({
      id: 'AwsSolutions-CFR3',
      reason:
        "Standard logs would store every viewer's IP address, which the product never keeps; CloudFront's metrics, the alarms and the bad rows (with the request id) cover operations.",
    });
    v.acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        "Beacons come from viewers anywhere; which countries may watch is the video service's decision, enforced where the video is served.",
    });
    if (!config.waf.enabled) {
      v.acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'This deployment switched the WAF web ACL off (waf.enabled=false); the rate-based rule is on by default.',
      });
    }
    if (!config.cdn.certificateArn) {
      v.acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without an own domain the distribution uses the default cloudfront.net certificate, whose minimum TLS version CloudFront fixes; set cdn.domainName and cdn.certificateArn to require TLS 1.2.',
      });
    }
  }
}
