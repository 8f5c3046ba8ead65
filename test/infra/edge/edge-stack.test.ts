// The edge stack of the default deployment as synthesized (once for the whole file: bundling
// the edge code is the slow part). The options are in edge-stack-options.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { edgeConfigFor } from '../../../infra/edge/edge-config.js';
import { FORWARDED_CLOUDFRONT_HEADERS } from '../../../infra/edge/origin-headers.js';
import { onlyResource, TEST_ACCOUNT } from '../../helpers/cdk-app.js';
import { nagAcknowledgements, nagFindings, REASON_IN_WORDS } from '../../helpers/cdk-nag.js';
import {
  deployedBundle,
  type EdgeSynth,
  kvsSeedFile,
  logicalId,
  synthEdge,
} from '../../helpers/edge-synth.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

/** Importing the bundle (the AWS SDK inside) and re-synthesizing for cdk-nag take seconds each. */
const SLOW = 120_000;

let base: EdgeSynth;

beforeAll(async () => {
  base = await synthEdge();
}, 240_000);

const only = (type: string) => onlyResource(base.template, type);
const id = (type: string) => logicalId(base, type);

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
    const { props } = only('AWS::Lambda::Function');
    expect(props).not.toHaveProperty('Environment');
    expect(props).toMatchObject({
      FunctionName: 'beacon-edge-edge-ingest',
      Runtime: 'nodejs22.x',
      Architectures: ['x86_64'],
      Handler: 'index.handler',
      MemorySize: 512,
      // The edge's write budget (3 s) plus 2 s; origin-request triggers allow 30 s.
      Timeout: 8,
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
    const { props } = only('AWS::IAM::Role');
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
    const { props } = only('AWS::IAM::Policy');
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
    expect(props.Roles).toStrictEqual([{ Ref: id('AWS::IAM::Role') }]);
  });

  it(
    "has the deployment's EdgeConfig compiled into the deployed bundle",
    async () => {
      const bundle = await deployedBundle(base);
      expect(bundle.files).toStrictEqual(['index.mjs']);
      expect(typeof bundle.handler).toBe('function');
      expect(bundle.config).toStrictEqual(edgeConfigFor(base.stacks.config));
    },
    SLOW,
  );
});

describe('edge stack: CloudFront', () => {
  const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

  it('sends the ingest and CMCD paths through the viewer function and the Lambda@Edge version (with the body), uncached', () => {
    const { props } = only('AWS::CloudFront::Distribution');
    const dist = props.DistributionConfig as Record<string, unknown>;
    const viewer = [
      {
        EventType: 'viewer-request',
        FunctionARN: { 'Fn::GetAtt': [id('AWS::CloudFront::Function'), 'FunctionARN'] },
      },
    ];
    const originId = (dist.Origins as { Id: string }[])[0].Id;
    const behaviour = (path: string) => ({
      PathPattern: path,
      TargetOriginId: originId,
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: { Ref: id('AWS::CloudFront::OriginRequestPolicy') },
      ViewerProtocolPolicy: 'https-only',
      Compress: false,
      FunctionAssociations: viewer,
      LambdaFunctionAssociations: [
        {
          EventType: 'origin-request',
          IncludeBody: true,
          LambdaFunctionARN: { Ref: id('AWS::Lambda::Version') },
        },
      ],
    });
    // One behaviour each, identical but for the path: same function, store, handler and policies.
    expect(dist.CacheBehaviors).toStrictEqual([behaviour('/v1/events'), behaviour('/v1/cmcd')]);
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
      WebACLId: { 'Fn::GetAtt': [id('AWS::WAFv2::WebACL'), 'Arn'] },
    });
    expect(dist).not.toHaveProperty('ViewerCertificate');
    // Standard logs would hold every viewer's IP address: none are written.
    expect(dist).not.toHaveProperty('Logging');
  });

  it('points at an empty private bucket through origin access control', () => {
    const t = base.template;
    const dist = only('AWS::CloudFront::Distribution').props.DistributionConfig as {
      Origins: Record<string, unknown>[];
    };
    expect(dist.Origins).toHaveLength(1);
    expect(dist.Origins[0]).toMatchObject({
      OriginAccessControlId: {
        'Fn::GetAtt': [id('AWS::CloudFront::OriginAccessControl'), 'Id'],
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

  it('runs the built viewer function on cloudfront-js-2.0 with the KeyValueStore', () => {
    const { props } = only('AWS::CloudFront::Function');
    expect(props).toMatchObject({
      Name: 'beacon-edge-viewer-request',
      AutoPublish: true,
      FunctionConfig: {
        Runtime: 'cloudfront-js-2.0',
        KeyValueStoreAssociations: [
          {
            KeyValueStoreARN: {
              'Fn::GetAtt': [id('AWS::CloudFront::KeyValueStore'), 'Arn'],
            },
          },
        ],
      },
    });
    const code = props.FunctionCode as string;
    expect(code.startsWith('import cf from"cloudfront";')).toBe(true);
    expect(code).toContain('ingestPaths:["/v1/events","/v1/cmcd"],allowedOrigins:["*"]');
  });

  it('seeds the KeyValueStore with the CORS allow-list and no rollout rules', () => {
    expect(kvsSeedFile(base)).toStrictEqual({
      data: [
        { key: 'cors.allowed-origins', value: '*' },
        { key: 'rollout.schemas', value: '-' },
        { key: 'rollout.sdks', value: '-' },
      ],
    });
  });

  it('forwards all viewer headers, the ten chosen CloudFront headers and the CMCD player query, no cookies', () => {
    const { props } = only('AWS::CloudFront::OriginRequestPolicy');
    expect(props.OriginRequestPolicyConfig).toStrictEqual({
      Name: 'beacon-edge-ingest',
      Comment: expect.any(String),
      HeadersConfig: {
        HeaderBehavior: 'allViewerAndWhitelistCloudFront',
        Headers: [...FORWARDED_CLOUDFRONT_HEADERS],
      },
      CookiesConfig: { CookieBehavior: 'none' },
      // The handler reads the player's name and version from the CMCD event-target URL.
      QueryStringsConfig: {
        QueryStringBehavior: 'whitelist',
        QueryStrings: ['player', 'player_version'],
      },
    });
    expect(FORWARDED_CLOUDFRONT_HEADERS.length).toBeLessThanOrEqual(10);
  });

  it('outputs the domain, the ingest and CMCD URLs and the KeyValueStore ARN', () => {
    const outputs = base.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const dist = id('AWS::CloudFront::Distribution');
    expect(outputs.DistributionDomainName.Value).toStrictEqual({
      'Fn::GetAtt': [dist, 'DomainName'],
    });
    expect(outputs.IngestUrl.Value).toStrictEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [dist, 'DomainName'] }, '/v1/events']],
    });
    expect(outputs.CmcdUrl.Value).toStrictEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [dist, 'DomainName'] }, '/v1/cmcd']],
    });
    expect(outputs.KeyValueStoreArn.Value).toStrictEqual({
      'Fn::GetAtt': [id('AWS::CloudFront::KeyValueStore'), 'Arn'],
    });
  });
});

describe('edge stack: alarms', () => {
  // The alarms' definitions are tested on their own (alarms.test.ts); here, their wiring.
  it("watch this distribution and this function, and notify this stack's topic", () => {
    const topic = { Ref: id('AWS::SNS::Topic') };
    const alarms = (
      Object.values(base.template.findResources('AWS::CloudWatch::Alarm')) as Resource[]
    ).map((a) => a.Properties);
    expect(alarms).toHaveLength(9);
    const dimensions = new Set<string>();
    for (const a of alarms) {
      expect(a.AlarmActions).toStrictEqual([topic]);
      for (const d of a.Dimensions as { Name: string; Value: unknown }[])
        dimensions.add(`${d.Name}=${JSON.stringify(d.Value)}`);
    }
    expect([...dimensions].sort()).toStrictEqual([
      `DistributionId=${JSON.stringify({ Ref: id('AWS::CloudFront::Distribution') })}`,
      'FunctionName="beacon-edge-viewer-request"',
      'FunctionName="us-east-1.beacon-edge-edge-ingest"',
      'Region="Global"',
    ]);
    expect(only('AWS::CloudFront::Function').props.Name).toBe('beacon-edge-viewer-request');
    expect(only('AWS::Lambda::Function').props.FunctionName).toBe('beacon-edge-edge-ingest');
  });
});

describe('edge stack: cdk-nag AwsSolutions', () => {
  it(
    'has no unacknowledged finding',
    () => {
      expect(nagFindings(base.stacks.edge)).toStrictEqual([]);
    },
    SLOW,
  );

  it('acknowledges only these rules, each with a reason in words', () => {
    const acks = nagAcknowledgements(base.stacks.edge);
    const logs =
      'arn:aws:logs:*:123456789012:log-group:/aws/lambda/us-east-1.beacon-edge-edge-ingest';
    // CFR4 (TLS): no own certificate by default. CFR2 (WAF) is not needed: WAF is on.
    expect(acks.map((a) => `${a.path.split('/').slice(1).join('/')} ${a.id}`).sort()).toStrictEqual(
      [
        'AccessLogs AwsSolutions-S1',
        'Distribution AwsSolutions-CFR1',
        'Distribution AwsSolutions-CFR3',
        'Distribution AwsSolutions-CFR4',
        'Ingest/Function AwsSolutions-L1',
        `Ingest/Role AwsSolutions-IAM5[Resource::${logs}:*]`,
        `Ingest/Role AwsSolutions-IAM5[Resource::${logs}]`,
      ],
    );
    for (const a of acks) expect(a.reason, a.id).toMatch(REASON_IN_WORDS);
  });
});
