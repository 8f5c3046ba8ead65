import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEPLOY_CONFIG, type DeployConfig } from '../../../infra/config.js';
import { rateLimitWebAcl } from '../../../infra/edge/waf.js';
import { onlyResource } from '../../helpers/cdk-app.js';

function webAcl(config: DeployConfig): Record<string, unknown> {
  const stack = new Stack(new App(), 'Waf', { env: { region: 'us-east-1' } });
  rateLimitWebAcl(stack, 'WebAcl', config);
  return onlyResource(Template.fromStack(stack), 'AWS::WAFv2::WebACL').props;
}

describe('rateLimitWebAcl', () => {
  // Synthesized while the file is collected: the first synth loads aws-cdk-lib, which can take
  // longer than a test's timeout on a busy machine.
  const defaults = webAcl(DEFAULT_DEPLOY_CONFIG);
  const custom = webAcl({
    ...DEFAULT_DEPLOY_CONFIG,
    appName: 'qoe',
    allowedOrigins: ['https://video.example'],
    waf: { enabled: true, requestsPer5MinPerIp: 300 },
  });

  it('blocks an IP over the limit in five minutes with 429, a JSON body and Retry-After', () => {
    expect(defaults).toStrictEqual({
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

  it('takes the configured limit, and sends no CORS header for a closed allow-list', () => {
    const [rule] = custom.Rules as {
      Statement: { RateBasedStatement: { Limit: number } };
      Action: { Block: { CustomResponse: { ResponseHeaders: unknown } } };
    }[];
    expect(custom.Name).toBe('qoe-edge');
    expect(rule.Statement.RateBasedStatement.Limit).toBe(300);
    expect(rule.Action.Block.CustomResponse.ResponseHeaders).toStrictEqual([
      { Name: 'retry-after', Value: '60' },
    ]);
  });
});
