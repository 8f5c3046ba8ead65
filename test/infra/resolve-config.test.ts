import { describe, expect, it } from 'vitest';
import { DEFAULT_DEPLOY_CONFIG } from '../../infra/config.js';
import { DeployConfigError, resolveDeployConfig } from '../../infra/resolve-config.js';

/** The message resolveDeployConfig throws for `context`, or a failure when it does not throw. */
function refusal(context: Record<string, unknown>): string {
  try {
    resolveDeployConfig(context);
  } catch (err) {
    expect(err).toBeInstanceOf(DeployConfigError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(context)}`);
}

describe('resolveDeployConfig: defaults and overrides', () => {
  it('is the default configuration with no context, and ignores unrelated context keys', () => {
    expect(resolveDeployConfig({})).toStrictEqual(DEFAULT_DEPLOY_CONFIG);
    expect(resolveDeployConfig({ '@aws-cdk/core:target-partitions': ['aws'] })).toStrictEqual(
      DEFAULT_DEPLOY_CONFIG,
    );
  });

  it('never changes the defaults object', () => {
    const before = structuredClone(DEFAULT_DEPLOY_CONFIG);
    resolveDeployConfig({
      'beacon-edge:regions': 'eu-west-1',
      'beacon-edge:homeRegion': 'eu-west-1',
    });
    expect(DEFAULT_DEPLOY_CONFIG).toStrictEqual(before);
  });

  it('takes single keys from the command line as strings, typed by their default', () => {
    const c = resolveDeployConfig({
      'beacon-edge:regions': 'eu-west-1, us-west-2',
      'beacon-edge:homeRegion': 'us-west-2',
      'beacon-edge:waf.enabled': 'false',
      'beacon-edge:waf.requestsPer5MinPerIp': '500',
      'beacon-edge:store': 'timestream',
      'beacon-edge:allowedOrigins': '["https://video.example"]',
    });
    expect(c.regions).toStrictEqual(['eu-west-1', 'us-west-2']);
    expect(c.homeRegion).toBe('us-west-2');
    expect(c.waf).toStrictEqual({ enabled: false, requestsPer5MinPerIp: 500 });
    expect(c.store).toBe('timestream');
    expect(c.allowedOrigins).toStrictEqual(['https://video.example']);
  });

  it('takes rollout rules as text and refuses a rule the edge could not read', () => {
    const c = resolveDeployConfig({
      'beacon-edge:rollout.schemas': '1-0-0:deprecated,sunset=2027-03-01',
    });
    expect(c.rollout).toStrictEqual({ schemas: '1-0-0:deprecated,sunset=2027-03-01', sdks: '-' });
    expect(refusal({ 'beacon-edge:rollout.sdks': 'web:retired' })).toBe(
      "beacon-edge.rollout: rollout.sdks: 'web:retired': an SDK release is <name>@<version>, got 'web'",
    );
  });

  it('merges an object under beacon-edge (or its JSON text), then single keys over it', () => {
    const object = {
      appName: 'qoe',
      waf: { enabled: false },
      cdn: { priceClass: 'PriceClass_100' },
    };
    for (const whole of [object, JSON.stringify(object)]) {
      const c = resolveDeployConfig({ 'beacon-edge': whole, 'beacon-edge:appName': 'qoe2' });
      expect(c.appName).toBe('qoe2');
      expect(c.waf).toStrictEqual({ enabled: false, requestsPer5MinPerIp: 2000 });
      expect(c.cdn.priceClass).toBe('PriceClass_100');
    }
  });

  it('derives wireFormat timestream-flink from core flink unless it is set', () => {
    const flink = {
      'beacon-edge:core': 'flink',
      'beacon-edge:store': 'timestream',
      'beacon-edge:flink.jarBucketName': 'jars',
      'beacon-edge:flink.jarKey': 'timestream-sink.jar',
    };
    expect(resolveDeployConfig(flink).wireFormat).toBe('timestream-flink');
    expect(refusal({ ...flink, 'beacon-edge:store': 'influxdb' })).toBe(
      'beacon-edge.store: core "flink" writes Timestream for LiveAnalytics (the AWS demo\'s job): set store "timestream"',
    );
    expect(resolveDeployConfig({ 'beacon-edge': { core: 'lambda' } }).wireFormat).toBe(
      'beacon-record',
    );
    expect(refusal({ ...flink, 'beacon-edge:wireFormat': 'beacon-record' })).toBe(
      'beacon-edge.wireFormat: core "flink" reads "timestream-flink"; "beacon-record" would fail the Flink job',
    );
  });
});

describe('resolveDeployConfig: refusals name the key and the problem', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['unknown key', { 'beacon-edge:colour': 'red' }, 'beacon-edge: unknown key "colour"'],
    ['unknown nested key', { 'beacon-edge:waf.mode': 'x' }, 'beacon-edge.waf: unknown key "mode"'],
    [
      'unknown key in the object',
      { 'beacon-edge': { waf: { mode: 1 } } },
      'beacon-edge.waf: unknown key "mode"',
    ],
    ['object that is not one', { 'beacon-edge': '[1]' }, 'beacon-edge: must be a JSON object'],
    ['bad JSON', { 'beacon-edge': '{' }, 'beacon-edge: "{" is not valid JSON'],
    [
      'number',
      { 'beacon-edge:archiveRetentionDays': 'ninety' },
      'beacon-edge.archiveRetentionDays: "ninety" is not a number',
    ],
    [
      'boolean',
      { 'beacon-edge:waf.enabled': 'yes' },
      'beacon-edge.waf.enabled: "yes" is not true or false',
    ],
    ['list', { 'beacon-edge': { regions: [1] } }, 'beacon-edge.regions: must be a list of strings'],
    ['string', { 'beacon-edge': { store: 3 } }, 'beacon-edge.store: 3 is not a string'],
    [
      'unknown region',
      { 'beacon-edge:regions': 'us-east-1,mars-north-1' },
      'beacon-edge.regions: unknown region "mars-north-1"',
    ],
    [
      'duplicate region',
      { 'beacon-edge:regions': 'us-east-1,us-east-1' },
      'beacon-edge.regions: "us-east-1" is listed twice',
    ],
    [
      'no region',
      { 'beacon-edge:regions': '' },
      'beacon-edge.regions: at least one region is needed',
    ],
    [
      'home region outside',
      { 'beacon-edge:homeRegion': 'eu-west-1' },
      'beacon-edge.homeRegion: "eu-west-1" is not one of the regions (us-east-1, eu-central-1, ap-southeast-1)',
    ],
    [
      'store',
      { 'beacon-edge:store': 'dynamodb' },
      'beacon-edge.store: "dynamodb" is not one of influxdb, timestream',
    ],
    [
      'core',
      { 'beacon-edge:core': 'spark' },
      'beacon-edge.core: "spark" is not one of lambda, flink',
    ],
    [
      'wire format',
      { 'beacon-edge:wireFormat': 'avro' },
      'beacon-edge.wireFormat: "avro" is not one of beacon-record, timestream-flink',
    ],
    [
      'flink wire format without flink',
      { 'beacon-edge:wireFormat': 'timestream-flink' },
      'beacon-edge.wireFormat: "timestream-flink" needs core "flink"; the consumer Lambda reads "beacon-record"',
    ],
    [
      'flink without its jar',
      {
        'beacon-edge:core': 'flink',
        'beacon-edge:store': 'timestream',
        'beacon-edge:flink.jarKey': 'x.jar',
      },
      'beacon-edge.flink: core "flink" needs jarBucketName and jarKey (the S3 location of the Flink job\'s jar)',
    ],
    [
      'app name',
      { 'beacon-edge:appName': 'Beacon_Edge' },
      'beacon-edge.appName: "Beacon_Edge" must be 1-30 lowercase letters, digits or hyphens, starting with a letter',
    ],
    [
      'ingest path',
      { 'beacon-edge:ingestPaths': '/v1/*' },
      'beacon-edge.ingestPaths: "/v1/*" must start with / and hold only letters, digits and - . _ ~ /',
    ],
    [
      'CMCD path',
      { 'beacon-edge:cmcdPath': '/v1/cmcd?player=x' },
      'beacon-edge.cmcdPath: "/v1/cmcd?player=x" must start with / and hold only letters, digits and - . _ ~ /',
    ],
    [
      'CMCD path that is an ingest path',
      { 'beacon-edge:cmcdPath': '/v1/events' },
      'beacon-edge.cmcdPath: "/v1/events" is also one of the ingest paths',
    ],
    [
      'origin',
      { 'beacon-edge:allowedOrigins': 'video.example' },
      'beacon-edge.allowedOrigins: "video.example" must be * or scheme://host[:port]',
    ],
    [
      'price class',
      { 'beacon-edge:cdn.priceClass': 'PriceClass_Cheap' },
      'beacon-edge.cdn.priceClass: "PriceClass_Cheap" is not one of PriceClass_All, PriceClass_200, PriceClass_100',
    ],
    [
      'domain without certificate',
      { 'beacon-edge:cdn.domainName': 'beacons.video.example' },
      'beacon-edge.cdn: domainName and certificateArn go together: set both or neither',
    ],
    [
      'certificate elsewhere',
      {
        'beacon-edge': {
          cdn: {
            domainName: 'b.example',
            certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
          },
        },
      },
      'beacon-edge.cdn.certificateArn: must be an ACM certificate ARN in us-east-1 (CloudFront uses certificates from there only)',
    ],
    [
      'rate limit',
      { 'beacon-edge:waf.requestsPer5MinPerIp': '5' },
      'beacon-edge.waf.requestsPer5MinPerIp: 5 must be an integer ≥ 10',
    ],
    [
      'email',
      { 'beacon-edge:alarmEmail': 'oncall' },
      'beacon-edge.alarmEmail: "oncall" is not an email address',
    ],
    [
      'an SDK name the InfluxDB tag could never keep',
      { 'beacon-edge:influxdb.sdkNames': 'beacon-edge-web,Acme Player' },
      'beacon-edge.influxdb.sdkNames: "Acme Player" is not an SDK name the tag keeps (lower-case package-name characters, at most 48)',
    ],
    [
      'retention',
      { 'beacon-edge:archiveRetentionDays': '0' },
      'beacon-edge.archiveRetentionDays: 0 must be an integer ≥ 1',
    ],
  ])('%s', (_name, context, message) => {
    expect(refusal(context)).toBe(message);
  });
});
