// The edge stack with every option turned the other way from the defaults: another app name,
// other regions and home region, two ingest paths, another CMCD path, one allowed origin, rollout rules, no WAF, an
// own domain with its certificate, a cheaper price class, an alarm email. Synthesized once for
// the whole file.
import { beforeAll, describe, expect, it } from 'vitest';
import { edgeConfigFor } from '../../../infra/edge/edge-config.js';
import { onlyResource } from '../../helpers/cdk-app.js';
import { nagAcknowledgements, nagFindings, REASON_IN_WORDS } from '../../helpers/cdk-nag.js';
import {
  deployedBundle,
  type EdgeSynth,
  kvsSeedFile,
  synthEdge,
} from '../../helpers/edge-synth.js';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c';

const OPTIONS = {
  'beacon-edge': {
    appName: 'qoe',
    regions: ['eu-west-1', 'us-east-1'],
    homeRegion: 'eu-west-1',
    ingestPaths: ['/v1/events', '/i'],
    cmcdPath: '/c',
    allowedOrigins: ['https://video.example'],
    rollout: { schemas: '1-0-0:deprecated,sunset=2027-03-01', sdks: '-' },
    waf: { enabled: false },
    alarmEmail: 'oncall@video.example',
    cdn: {
      priceClass: 'PriceClass_100',
      domainName: 'beacons.video.example',
      certificateArn: CERTIFICATE,
    },
  },
};

/** Importing the bundle (the AWS SDK inside) and re-synthesizing for cdk-nag take seconds each. */
const SLOW = 120_000;

let s: EdgeSynth;

beforeAll(async () => {
  s = await synthEdge(OPTIONS);
}, 240_000);

const only = (type: string) => onlyResource(s.template, type);

describe('edge stack with options: the Lambda@Edge function', () => {
  it('may write to the configured regions and home region only, under the app name', () => {
    const { props } = only('AWS::IAM::Policy');
    const statements = (props.PolicyDocument as { Statement: { Resource: unknown }[] }).Statement;
    expect(statements[0].Resource).toStrictEqual([
      'arn:aws:kinesis:eu-west-1:123456789012:stream/qoe-bad-rows',
      'arn:aws:kinesis:eu-west-1:123456789012:stream/qoe-events',
      'arn:aws:kinesis:us-east-1:123456789012:stream/qoe-events',
    ]);
    const logs = 'arn:aws:logs:*:123456789012:log-group:/aws/lambda/us-east-1.qoe-edge-ingest';
    expect(statements[1].Resource).toStrictEqual([logs, `${logs}:*`]);
    expect(only('AWS::Lambda::Function').props.FunctionName).toBe('qoe-edge-ingest');
  });

  it(
    'has this EdgeConfig compiled into the deployed bundle: its streams, bad rows and paths',
    async () => {
      const bundle = await deployedBundle(s);
      expect(bundle.config).toStrictEqual(edgeConfigFor(s.stacks.config));
      expect(bundle.config.streams).toStrictEqual([
        { region: 'eu-west-1', streamName: 'qoe-events' },
        { region: 'us-east-1', streamName: 'qoe-events' },
      ]);
      expect(bundle.config.badRows).toStrictEqual({
        kind: 'kinesis',
        region: 'eu-west-1',
        streamName: 'qoe-bad-rows',
      });
      expect(bundle.config.ingestPaths).toStrictEqual(['/v1/events', '/i']);
      expect(bundle.config.cmcdPath).toBe('/c');
      expect(bundle.config.allowedOrigins).toStrictEqual(['https://video.example']);
    },
    SLOW,
  );
});

describe('edge stack with options: CloudFront', () => {
  it('has one ingest behaviour per path, the own certificate with TLS 1.2, and no WAF', () => {
    const dist = only('AWS::CloudFront::Distribution').props.DistributionConfig as Record<
      string,
      unknown
    >;
    const behaviours = dist.CacheBehaviors as Record<string, unknown>[];
    expect(behaviours.map((b) => b.PathPattern)).toStrictEqual(['/v1/events', '/i', '/c']);
    for (const b of behaviours) {
      expect(b).toMatchObject({
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        LambdaFunctionAssociations: [expect.objectContaining({ IncludeBody: true })],
      });
    }
    expect(dist.ViewerCertificate).toStrictEqual({
      AcmCertificateArn: CERTIFICATE,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(dist.Aliases).toStrictEqual(['beacons.video.example']);
    expect(dist.PriceClass).toBe('PriceClass_100');
    expect(dist).not.toHaveProperty('WebACLId');
    s.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it('builds the viewer function and seeds the KeyValueStore with these paths, origins and rules', () => {
    expect(only('AWS::CloudFront::Function').props).toMatchObject({
      Name: 'qoe-viewer-request',
    });
    expect(only('AWS::CloudFront::Function').props.FunctionCode).toContain(
      'ingestPaths:["/v1/events","/i","/c"],allowedOrigins:["https://video.example"]',
    );
    expect(kvsSeedFile(s)).toStrictEqual({
      data: [
        { key: 'cors.allowed-origins', value: 'https://video.example' },
        { key: 'rollout.schemas', value: '1-0-0:deprecated,sunset=2027-03-01' },
        { key: 'rollout.sdks', value: '-' },
      ],
    });
    // The same rules are the function's fallback when the store cannot be read.
    expect(only('AWS::CloudFront::Function').props.FunctionCode).toContain(
      'fallback:"1-0-0:deprecated,sunset=2027-03-01"',
    );
  });

  it('gives the ingest and CMCD URLs on the own domain', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.IngestUrl.Value).toBe('https://beacons.video.example/v1/events');
    expect(outputs.CmcdUrl.Value).toBe('https://beacons.video.example/c');
  });

  it('subscribes the alarm email to the alarm topic', () => {
    const { props } = only('AWS::SNS::Subscription');
    expect(props).toMatchObject({
      Protocol: 'email',
      Endpoint: 'oncall@video.example',
      TopicArn: { Ref: onlyResource(s.template, 'AWS::SNS::Topic').id },
    });
  });
});

describe('edge stack with options: cdk-nag AwsSolutions', () => {
  it(
    'has no unacknowledged finding',
    () => expect(nagFindings(s.stacks.edge)).toStrictEqual([]),
    SLOW,
  );

  it('acknowledges WAF being off instead of the default certificate, each with a reason', () => {
    const acks = nagAcknowledgements(s.stacks.edge);
    const logs = 'arn:aws:logs:*:123456789012:log-group:/aws/lambda/us-east-1.qoe-edge-ingest';
    expect(acks.map((a) => `${a.path.split('/').slice(1).join('/')} ${a.id}`).sort()).toStrictEqual(
      [
        'AccessLogs AwsSolutions-S1',
        'Distribution AwsSolutions-CFR1',
        'Distribution AwsSolutions-CFR2',
        'Distribution AwsSolutions-CFR3',
        'Ingest/Function AwsSolutions-L1',
        `Ingest/Role AwsSolutions-IAM5[Resource::${logs}:*]`,
        `Ingest/Role AwsSolutions-IAM5[Resource::${logs}]`,
      ],
    );
    for (const a of acks) expect(a.reason, a.id).toMatch(REASON_IN_WORDS);
  });
});
