// The edge stack as synthesized, twice: the default deployment, and one with every option turned
// the other way (no WAF, own domain, alarm email, other regions, two ingest paths). One synth per
// deployment for the whole file: bundling the edge code is the slow part.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EdgeConfig } from '../../../edge/config.js';
import { edgeConfigFor } from '../../../infra/edge/edge-config.js';
import { FORWARDED_CLOUDFRONT_HEADERS } from '../../../infra/edge/origin-headers.js';
import { addStacks, type DeploymentStacks } from '../../../infra/stacks.js';
import { TEST_ACCOUNT, testApp } from '../../helpers/cdk-app.js';
import { nagAcknowledgements, nagFindings, REASON_IN_WORDS } from '../../helpers/cdk-nag.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

interface Synth {
  stacks: DeploymentStacks;
  template: Template;
  outdir: string;
}

async function synth(context: Record<string, unknown> = {}): Promise<Synth> {
  const app = testApp(context);
  const stacks = await addStacks(app, { account: TEST_ACCOUNT });
  return { stacks, template: Template.fromStack(stacks.edge), outdir: app.outdir };
}

/** The one resource of `type` (fails when there are none or several). */
function only(template: Template, type: string): { id: string; props: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type)) as [string, Resource][];
  expect(found, type).toHaveLength(1);
  return { id: found[0][0], props: found[0][1].Properties };
}

function logicalId(template: Template, type: string): string {
  return only(template, type).id;
}

const VARIANT = {
  'beacon-edge': {
    appName: 'qoe',
    regions: ['eu-west-1', 'us-east-1'],
    homeRegion: 'eu-west-1',
    ingestPaths: ['/v1/events', '/i'],
    allowedOrigins: ['https://video.example'],
    waf: { enabled: false },
    alarmEmail: 'oncall@video.example',
    cdn: {
      priceClass: 'PriceClass_100',
      domainName: 'beacons.video.example',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c',
    },
  },
};

/** Importing the bundle (the AWS SDK inside) and re-synthesizing for cdk-nag take seconds each. */
const SLOW = 120_000;

let base: Synth;
let variant: Synth;

beforeAll(async () => {
  base = await synth();
  variant = await synth(VARIANT);
}, 240_000);

describe('edge stack: resources', () => {
  it('holds exactly the resources of the edge, in us-east-1', () => {
    expect(base.stacks.edge.region).toBe('us-east-1');
    expect(base.stacks.edge.account).toBe(TEST_ACCOUNT);
    const counts: Record<string, number> = {};
    for (const r of Object.values(base.template.toJSON().Resources as Record<string, Resource>)) {
      counts[r.Type] = (counts[r.Type] ?? 0) + 1;
    }
    expect(counts).toStrictEqual({
      'AWS::S3::Bucket': 2,
      'AWS::S3::BucketPolicy': 2,
      'AWS::CloudFront::KeyValueStore': 1,
      'AWS::CloudFront::Function': 1,
      'AWS::CloudFront::OriginRequestPolicy': 1,
      'AWS::CloudFront::OriginAccessControl': 1,
      'AWS::CloudFront::Distribution': 1,
      'AWS::IAM::Role': 1,
      'AWS::IAM::Policy': 1,
      'AWS::Lambda::Function': 1,
      'AWS::Lambda::Version': 1,
      'AWS::WAFv2::WebACL': 1,
      'AWS::KMS::Key': 1,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::CloudWatch::Alarm': 9,
    });
  });
});

describe('edge stack: the Lambda@Edge function', () => {
  it('runs the built bundle with no environment variables, within origin-request limits', () => {
    const { props } = only(base.template, 'AWS::Lambda::Function');
    expect(props).not.toHaveProperty('Environment');
    expect(props).toMatchObject({
      FunctionName: 'beacon-edge-edge-ingest',
      Runtime: 'nodejs22.x',
      Architectures: ['x86_64'],
      Handler: 'index.handler',
      MemorySize: 512,
      // The edge's write budget (3 s) plus 2 s; origin-request triggers allow 30 s.
      Timeout: 5,
    });
    for (const key of [
      'Layers',
      'VpcConfig',
      'DeadLetterConfig',
      'TracingConfig',
      'ReservedConcurrentExecutions',
      'LoggingConfig',
    ])
      expect(props).not.toHaveProperty(key);
  });

  it('has a role that Lambda and Lambda@Edge may assume, and nothing else', () => {
    const { props } = only(base.template, 'AWS::IAM::Role');
    expect(props.AssumeRolePolicyDocument).toStrictEqual({
      Version: '2012-10-17',
      // One statement: cdk.json's minimizePolicies flag merges the two principals.
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: ['edgelambda.amazonaws.com', 'lambda.amazonaws.com'] },
        },
      ],
    });
    expect(props).not.toHaveProperty('ManagedPolicyArns');
    expect(props).not.toHaveProperty('Policies');
  });

  it('may put records on the regional event streams and the bad-rows stream, and write its logs', () => {
    const { props } = only(base.template, 'AWS::IAM::Policy');
    const logs =
      'arn:aws:logs:*:123456789012:log-group:/aws/lambda/us-east-1.beacon-edge-edge-ingest';
    expect(props.PolicyDocument).toStrictEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PutBeaconRecords',
          Effect: 'Allow',
          Action: 'kinesis:PutRecords',
          // Sorted by minimizePolicies.
          Resource: [
            'arn:aws:kinesis:ap-southeast-1:123456789012:stream/beacon-edge-events',
            'arn:aws:kinesis:eu-central-1:123456789012:stream/beacon-edge-events',
            'arn:aws:kinesis:us-east-1:123456789012:stream/beacon-edge-bad-rows',
            'arn:aws:kinesis:us-east-1:123456789012:stream/beacon-edge-events',
          ],
        },
        {
          Sid: 'WriteOwnLogsInAnyRegion',
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [logs, `${logs}:*`],
        },
      ],
    });
    expect(props.Roles).toStrictEqual([{ Ref: logicalId(base.template, 'AWS::IAM::Role') }]);
  });

  it('follows the configured regions, home region and app name', () => {
    const { props } = only(variant.template, 'AWS::IAM::Policy');
    const statements = (props.PolicyDocument as { Statement: { Resource: unknown }[] }).Statement;
    expect(statements[0].Resource).toStrictEqual([
      'arn:aws:kinesis:eu-west-1:123456789012:stream/qoe-bad-rows',
      'arn:aws:kinesis:eu-west-1:123456789012:stream/qoe-events',
      'arn:aws:kinesis:us-east-1:123456789012:stream/qoe-events',
    ]);
    const logs = 'arn:aws:logs:*:123456789012:log-group:/aws/lambda/us-east-1.qoe-edge-ingest';
    expect(statements[1].Resource).toStrictEqual([logs, `${logs}:*`]);
  });

  it(
    "has the deployment's EdgeConfig compiled into the deployed bundle",
    async () => {
      for (const s of [base, variant]) {
        const { props } = only(s.template, 'AWS::Lambda::Function');
        const key = (props.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
        const assetDir = path.join(s.outdir, `asset.${key}`);
        expect(fs.readdirSync(assetDir)).toStrictEqual(['index.mjs']);
        const mod = (await import(pathToFileURL(path.join(assetDir, 'index.mjs')).href)) as {
          bundledConfig: EdgeConfig;
          handler: unknown;
        };
        expect(typeof mod.handler).toBe('function');
        expect(mod.bundledConfig).toStrictEqual(edgeConfigFor(s.stacks.config));
      }
      const variantConfig = edgeConfigFor(variant.stacks.config);
      expect(variantConfig.streams.map((x) => `${x.region}/${x.streamName}`)).toStrictEqual([
        'eu-west-1/qoe-events',
        'us-east-1/qoe-events',
      ]);
    },
    SLOW,
  );
});

describe('edge stack: CloudFront', () => {
  const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

  it('sends the ingest path through the viewer function and the Lambda@Edge version, uncached', () => {
    const t = base.template;
    const { props } = only(t, 'AWS::CloudFront::Distribution');
    const dist = props.DistributionConfig as Record<string, unknown>;
    const viewer = [
      {
        EventType: 'viewer-request',
        FunctionARN: { 'Fn::GetAtt': [logicalId(t, 'AWS::CloudFront::Function'), 'FunctionARN'] },
      },
    ];
    const originId = (dist.Origins as { Id: string }[])[0].Id;
    expect(dist.CacheBehaviors).toStrictEqual([
      {
        PathPattern: '/v1/events',
        TargetOriginId: originId,
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: { Ref: logicalId(t, 'AWS::CloudFront::OriginRequestPolicy') },
        ViewerProtocolPolicy: 'https-only',
        Compress: false,
        FunctionAssociations: viewer,
        LambdaFunctionAssociations: [
          {
            EventType: 'origin-request',
            IncludeBody: true,
            LambdaFunctionARN: { Ref: logicalId(t, 'AWS::Lambda::Version') },
          },
        ],
      },
    ]);
    expect(dist.DefaultCacheBehavior).toStrictEqual({
      TargetOriginId: originId,
      CachePolicyId: CACHING_DISABLED,
      ViewerProtocolPolicy: 'https-only',
      Compress: false,
      FunctionAssociations: viewer,
    });
    expect(dist).toMatchObject({
      Enabled: true,
      HttpVersion: 'http2and3',
      IPV6Enabled: true,
      PriceClass: 'PriceClass_All',
      Logging: {
        Bucket: { 'Fn::GetAtt': [expect.any(String), 'RegionalDomainName'] },
        Prefix: 'cloudfront/',
      },
      WebACLId: { 'Fn::GetAtt': [logicalId(t, 'AWS::WAFv2::WebACL'), 'Arn'] },
    });
    expect(dist).not.toHaveProperty('ViewerCertificate');
  });

  it('points at an empty private bucket through origin access control', () => {
    const t = base.template;
    const dist = only(t, 'AWS::CloudFront::Distribution').props.DistributionConfig as {
      Origins: Record<string, unknown>[];
    };
    expect(dist.Origins).toHaveLength(1);
    expect(dist.Origins[0]).toMatchObject({
      OriginAccessControlId: {
        'Fn::GetAtt': [logicalId(t, 'AWS::CloudFront::OriginAccessControl'), 'Id'],
      },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
    for (const bucket of Object.values(t.findResources('AWS::S3::Bucket')) as Resource[]) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toStrictEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties).toHaveProperty('BucketEncryption');
    }
  });

  it('has one ingest behaviour per path, an own certificate with TLS 1.2, and no WAF when off', () => {
    const dist = only(variant.template, 'AWS::CloudFront::Distribution').props
      .DistributionConfig as Record<string, unknown>;
    expect(
      (dist.CacheBehaviors as { PathPattern: string }[]).map((b) => b.PathPattern),
    ).toStrictEqual(['/v1/events', '/i']);
    expect(dist.ViewerCertificate).toStrictEqual({
      AcmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c',
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(dist.Aliases).toStrictEqual(['beacons.video.example']);
    expect(dist.PriceClass).toBe('PriceClass_100');
    expect(dist).not.toHaveProperty('WebACLId');
    variant.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it('runs the built viewer function on cloudfront-js-2.0 with the KeyValueStore', () => {
    const t = base.template;
    const { props } = only(t, 'AWS::CloudFront::Function');
    expect(props).toMatchObject({
      Name: 'beacon-edge-viewer-request',
      AutoPublish: true,
      FunctionConfig: {
        Runtime: 'cloudfront-js-2.0',
        KeyValueStoreAssociations: [
          {
            KeyValueStoreARN: {
              'Fn::GetAtt': [logicalId(t, 'AWS::CloudFront::KeyValueStore'), 'Arn'],
            },
          },
        ],
      },
    });
    const code = props.FunctionCode as string;
    expect(code.startsWith('import cf from"cloudfront";')).toBe(true);
    expect(code).toContain('ingestPaths:["/v1/events"],allowedOrigins:["*"]');
    const variantCode = only(variant.template, 'AWS::CloudFront::Function').props.FunctionCode;
    expect(variantCode).toContain(
      'ingestPaths:["/v1/events","/i"],allowedOrigins:["https://video.example"]',
    );
  });

  it('seeds the KeyValueStore with the CORS allow-list', () => {
    for (const [s, value] of [
      [base, '*'],
      [variant, 'https://video.example'],
    ] as const) {
      const { props } = only(s.template, 'AWS::CloudFront::KeyValueStore');
      const source = JSON.stringify(props.ImportSource);
      const file = /\/([0-9a-f]{64}\.json)"/.exec(source)?.[1];
      expect(file, source).toBeDefined();
      const seed = JSON.parse(fs.readFileSync(path.join(s.outdir, `asset.${file}`), 'utf8'));
      expect(seed).toStrictEqual({ data: [{ key: 'cors.allowed-origins', value }] });
    }
  });

  it('forwards all viewer headers and the ten chosen CloudFront headers, no cookies or query', () => {
    const { props } = only(base.template, 'AWS::CloudFront::OriginRequestPolicy');
    expect(props.OriginRequestPolicyConfig).toStrictEqual({
      Name: 'beacon-edge-ingest',
      Comment: expect.any(String),
      HeadersConfig: {
        HeaderBehavior: 'allViewerAndWhitelistCloudFront',
        Headers: [...FORWARDED_CLOUDFRONT_HEADERS],
      },
      CookiesConfig: { CookieBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
    });
    expect(FORWARDED_CLOUDFRONT_HEADERS.length).toBeLessThanOrEqual(10);
  });

  it('rate-limits per IP with a 429 JSON answer when WAF is on', () => {
    const { props } = only(base.template, 'AWS::WAFv2::WebACL');
    expect(props).toStrictEqual({
      Name: 'beacon-edge-edge',
      Description: expect.any(String),
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      VisibilityConfig: {
        CloudWatchMetricsEnabled: true,
        MetricName: 'beacon-edge-edge-acl',
        SampledRequestsEnabled: true,
      },
      CustomResponseBodies: {
        'rate-limited': {
          ContentType: 'APPLICATION_JSON',
          Content:
            '{"error":"rate_limited","detail":"too many requests from this address; retry later"}',
        },
      },
      Rules: [
        {
          Name: 'rate-per-ip',
          Priority: 0,
          Statement: {
            RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 },
          },
          Action: {
            Block: {
              CustomResponse: {
                ResponseCode: 429,
                CustomResponseBodyKey: 'rate-limited',
                ResponseHeaders: [
                  { Name: 'retry-after', Value: '60' },
                  { Name: 'access-control-allow-origin', Value: '*' },
                ],
              },
            },
          },
          VisibilityConfig: {
            CloudWatchMetricsEnabled: true,
            MetricName: 'beacon-edge-rate-per-ip',
            SampledRequestsEnabled: true,
          },
        },
      ],
    });
  });

  it('outputs the domain, the ingest URL and the KeyValueStore ARN', () => {
    const outputs = base.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const dist = logicalId(base.template, 'AWS::CloudFront::Distribution');
    expect(outputs.DistributionDomainName.Value).toStrictEqual({
      'Fn::GetAtt': [dist, 'DomainName'],
    });
    expect(outputs.IngestUrl.Value).toStrictEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [dist, 'DomainName'] }, '/v1/events']],
    });
    expect(outputs.KeyValueStoreArn.Value).toStrictEqual({
      'Fn::GetAtt': [logicalId(base.template, 'AWS::CloudFront::KeyValueStore'), 'Arn'],
    });
    const variantOutputs = variant.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(variantOutputs.IngestUrl.Value).toBe('https://beacons.video.example/v1/events');
  });
});

describe('edge stack: alarms', () => {
  it("alarm on the edge's failures, notifying an encrypted TLS-only topic", () => {
    const t = base.template;
    const topic = { Ref: logicalId(t, 'AWS::SNS::Topic') };
    const dist = { Ref: logicalId(t, 'AWS::CloudFront::Distribution') };
    const alarms = (Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Resource[]).map(
      (a) => a.Properties,
    );
    for (const a of alarms) {
      expect(a.AlarmActions).toStrictEqual([topic]);
      expect(a.OKActions).toStrictEqual([topic]);
      expect(a.TreatMissingData).toBe('notBreaching');
      expect(a.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(a.Period).toBe(300);
    }
    const summary = alarms.map((a) => [
      a.Namespace,
      a.MetricName,
      a.Statistic,
      a.Threshold,
      a.EvaluationPeriods,
      a.Dimensions,
    ]);
    const onDist = [
      { Name: 'DistributionId', Value: dist },
      { Name: 'Region', Value: 'Global' },
    ];
    const onFn = [
      { Name: 'FunctionName', Value: 'beacon-edge-viewer-request' },
      { Name: 'Region', Value: 'Global' },
    ];
    const onLambda = [{ Name: 'FunctionName', Value: 'us-east-1.beacon-edge-edge-ingest' }];
    expect(summary).toStrictEqual([
      ['AWS/CloudFront', '5xxErrorRate', 'Average', 1, 2, onDist],
      ['AWS/CloudFront', 'LambdaExecutionError', 'Sum', 5, 1, onDist],
      ['AWS/CloudFront', 'LambdaValidationError', 'Sum', 1, 1, onDist],
      ['AWS/CloudFront', 'LambdaLimitExceededError', 'Sum', 1, 1, onDist],
      ['AWS/CloudFront', 'FunctionExecutionErrors', 'Sum', 1, 1, onFn],
      ['AWS/CloudFront', 'FunctionValidationErrors', 'Sum', 1, 1, onFn],
      ['AWS/CloudFront', 'FunctionThrottles', 'Sum', 1, 1, onFn],
      ['AWS/Lambda', 'Errors', 'Sum', 5, 1, onLambda],
      ['AWS/Lambda', 'Throttles', 'Sum', 1, 1, onLambda],
    ]);
    const topicProps = only(t, 'AWS::SNS::Topic').props;
    expect(topicProps.KmsMasterKeyId).toStrictEqual({
      'Fn::GetAtt': [logicalId(t, 'AWS::KMS::Key'), 'Arn'],
    });
    const policy = only(t, 'AWS::SNS::TopicPolicy').props.PolicyDocument as {
      Statement: unknown[];
    };
    expect(policy.Statement).toStrictEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: topic,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
    const key = only(t, 'AWS::KMS::Key').props;
    expect(key.EnableKeyRotation).toBe(true);
    expect((key.KeyPolicy as { Statement: unknown[] }).Statement).toStrictEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:root' },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'CloudWatchAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      },
    ]);
    t.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('subscribes the alarm email when one is configured', () => {
    const { props } = only(variant.template, 'AWS::SNS::Subscription');
    expect(props).toMatchObject({ Protocol: 'email', Endpoint: 'oncall@video.example' });
  });
});

describe('edge stack: cdk-nag AwsSolutions', () => {
  it(
    'has no unacknowledged finding, in either deployment',
    () => {
      expect(nagFindings(base.stacks.edge)).toStrictEqual([]);
      expect(nagFindings(variant.stacks.edge)).toStrictEqual([]);
    },
    SLOW,
  );

  it('acknowledges only these rules, each with a reason in words', () => {
    const listed = (s: Synth) =>
      nagAcknowledgements(s.stacks.edge)
        .map((a) => `${a.path.split('/').slice(1).join('/')} ${a.id}`)
        .sort();
    const logs = (app: string) =>
      `arn:aws:logs:*:123456789012:log-group:/aws/lambda/us-east-1.${app}-edge-ingest`;
    const common = (app: string) => [
      'AccessLogs AwsSolutions-S1',
      'Distribution AwsSolutions-CFR1',
      'Ingest/Function AwsSolutions-L1',
      `Ingest/Role AwsSolutions-IAM5[Resource::${logs(app)}:*]`,
      `Ingest/Role AwsSolutions-IAM5[Resource::${logs(app)}]`,
    ];
    // CFR4 (TLS) only without an own certificate; CFR2 (WAF) only with WAF switched off.
    expect(listed(base)).toStrictEqual(
      [...common('beacon-edge'), 'Distribution AwsSolutions-CFR4'].sort(),
    );
    expect(listed(variant)).toStrictEqual(
      [...common('qoe'), 'Distribution AwsSolutions-CFR2'].sort(),
    );
    for (const s of [base, variant])
      for (const a of nagAcknowledgements(s.stacks.edge))
        expect(a.reason, a.id).toMatch(REASON_IN_WORDS);
  });
});
