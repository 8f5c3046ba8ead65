/** Stream order by distance from the edge location, nearest first. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type StreamTarget } from '../../../edge/config.js';
import { nearestStreams } from '../../../edge/routing/nearest.js';

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
