import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { DEFAULT_DEPLOY_CONFIG, type DeployConfig } from '../../../infra/config.js';
import { edgeConfigFor } from '../../../infra/edge/edge-config.js';

describe('edgeConfigFor', () => {
  it('maps the default deployment: events in every region, bad rows on Kinesis at home', () => {
    expect(edgeConfigFor(DEFAULT_DEPLOY_CONFIG)).toStrictEqual({
      ingestPaths: ['/v1/events'],
      cmcdPath: '/v1/cmcd',
      allowedOrigins: ['*'],
      maxBodyBytes: DEFAULT_CONFIG.maxBodyBytes,
      maxEvents: DEFAULT_CONFIG.maxEvents,
      maxEventAgeMs: DEFAULT_CONFIG.maxEventAgeMs,
      streams: [
        { region: 'us-east-1', streamName: 'beacon-edge-events' },
        { region: 'eu-central-1', streamName: 'beacon-edge-events' },
        { region: 'ap-southeast-1', streamName: 'beacon-edge-events' },
      ],
      badRows: { kind: 'kinesis', region: 'us-east-1', streamName: 'beacon-edge-bad-rows' },
      writeBudgetMs: DEFAULT_CONFIG.writeBudgetMs,
      wireFormat: 'beacon-record',
    });
  });

  it('carries the rollout rules only when there are some', () => {
    const rollout = { schemas: '1-0-0:retired', sdks: '-' };
    expect(edgeConfigFor({ ...DEFAULT_DEPLOY_CONFIG, rollout }).rollout).toStrictEqual(rollout);
  });

  it("carries the wire format the core reads: the Flink job's flat objects with core flink", () => {
    const flink = edgeConfigFor({
      ...DEFAULT_DEPLOY_CONFIG,
      core: 'flink',
      store: 'timestream',
      wireFormat: 'timestream-flink',
    });
    expect(flink.wireFormat).toBe('timestream-flink');
  });

  it('follows the app name, regions, home region, paths and origins of the deployment', () => {
    const config: DeployConfig = {
      ...DEFAULT_DEPLOY_CONFIG,
      appName: 'qoe',
      regions: ['eu-west-1', 'ap-northeast-1'],
      homeRegion: 'ap-northeast-1',
      ingestPaths: ['/i', '/v2/e'],
      cmcdPath: '/c',
      allowedOrigins: ['https://video.example'],
    };
    const edge = edgeConfigFor(config);
    expect(edge.streams).toStrictEqual([
      { region: 'eu-west-1', streamName: 'qoe-events' },
      { region: 'ap-northeast-1', streamName: 'qoe-events' },
    ]);
    expect(edge.badRows).toStrictEqual({
      kind: 'kinesis',
      region: 'ap-northeast-1',
      streamName: 'qoe-bad-rows',
    });
    expect(edge.ingestPaths).toStrictEqual(['/i', '/v2/e']);
    expect(edge.cmcdPath).toBe('/c');
    expect(edge.allowedOrigins).toStrictEqual(['https://video.example']);
    expect(edge).not.toHaveProperty('rollout');
    // Copies: a later change to the deployment object cannot reach a built bundle's config.
    config.ingestPaths.push('/x');
    expect(edge.ingestPaths).toStrictEqual(['/i', '/v2/e']);
  });

  it('never carries endpoints or credentials, which exist only for the local emulator', () => {
    const edge = edgeConfigFor(DEFAULT_DEPLOY_CONFIG);
    expect(edge.localCredentials).toBeUndefined();
    expect(edge.streams.every((s) => s.endpoint === undefined)).toBe(true);
    expect(edge.badRows.endpoint).toBeUndefined();
  });
});
