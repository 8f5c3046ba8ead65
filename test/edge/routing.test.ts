import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type StreamTarget } from '../../edge/config.js';
import { nearestStreams } from '../../edge/routing/nearest.js';
import {
  greatCircleKm,
  REGION_COORDINATES,
  regionCoordinates,
} from '../../edge/routing/regions.js';

const regionsOf = (streams: StreamTarget[]) => streams.map((s) => s.region);

describe('nearestStreams', () => {
  it.each([
    ['eu-west-1', ['eu-central-1', 'us-east-1', 'ap-southeast-1']],
    ['eu-central-1', ['eu-central-1', 'us-east-1', 'ap-southeast-1']],
    ['us-west-2', ['us-east-1', 'eu-central-1', 'ap-southeast-1']],
    ['sa-east-1', ['us-east-1', 'eu-central-1', 'ap-southeast-1']],
    ['ap-south-1', ['ap-southeast-1', 'eu-central-1', 'us-east-1']],
    ['ap-southeast-2', ['ap-southeast-1', 'us-east-1', 'eu-central-1']],
    ['me-central-1', ['eu-central-1', 'ap-southeast-1', 'us-east-1']],
  ])('from %s orders the default streams %j', (edge, expected) => {
    expect(regionsOf(nearestStreams(edge, DEFAULT_CONFIG.streams))).toStrictEqual(expected);
  });

  it('keeps configured order for an unknown edge region, and does not mutate its input', () => {
    const streams = [...DEFAULT_CONFIG.streams].reverse();
    const before = JSON.stringify(streams);
    expect(regionsOf(nearestStreams('xx-nowhere-9', streams))).toStrictEqual([
      'ap-southeast-1',
      'eu-central-1',
      'us-east-1',
    ]);
    expect(nearestStreams('eu-west-1', streams)).not.toBe(streams);
    expect(JSON.stringify(streams)).toBe(before);
  });

  it('puts streams in unknown regions last, in configured order', () => {
    const streams = [
      { region: 'cn-north-1', streamName: 'a' },
      { region: 'us-east-1', streamName: 'b' },
      { region: 'us-gov-west-1', streamName: 'c' },
      { region: 'eu-west-2', streamName: 'd' },
    ];
    expect(nearestStreams('eu-west-1', streams).map((s) => s.streamName)).toStrictEqual([
      'd',
      'b',
      'a',
      'c',
    ]);
  });

  it('keeps configured order between equal distances (two streams in one region)', () => {
    const streams = [
      { region: 'us-east-1', streamName: 'first' },
      { region: 'eu-central-1', streamName: 'eu' },
      { region: 'us-east-1', streamName: 'second' },
    ];
    expect(nearestStreams('us-east-2', streams).map((s) => s.streamName)).toStrictEqual([
      'first',
      'second',
      'eu',
    ]);
  });
});

describe('region table', () => {
  it('covers every commercial region the SDK knows, with plausible coordinates', () => {
    expect(Object.keys(REGION_COORDINATES)).toHaveLength(36);
    for (const [region, c] of Object.entries(REGION_COORDINATES)) {
      expect(region).toMatch(/^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d$/);
      expect(Math.abs(c.lat)).toBeLessThanOrEqual(90);
      expect(Math.abs(c.lon)).toBeLessThanOrEqual(180);
    }
  });

  it('does not resolve prototype keys as regions', () => {
    expect(regionCoordinates('constructor')).toBeUndefined();
    expect(regionCoordinates('__proto__')).toBeUndefined();
  });

  it('measures great-circle distance (Frankfurt–Virginia ≈ 6 600 km)', () => {
    const km = greatCircleKm(REGION_COORDINATES['eu-central-1'], REGION_COORDINATES['us-east-1']);
    expect(km).toBeGreaterThan(6400);
    expect(km).toBeLessThan(6800);
    expect(greatCircleKm(REGION_COORDINATES['us-east-1'], REGION_COORDINATES['us-east-1'])).toBe(0);
  });
});
