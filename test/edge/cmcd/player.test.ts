import { describe, expect, it } from 'vitest';
import { playerOf } from '../../../edge/cmcd/player.js';

describe('playerOf', () => {
  it.each([
    ['player=hls.js&player_version=1.7.4', { name: 'hls.js', version: '1.7.4' }],
    ['player_version=5.2.1&player=dash.js&x=1', { name: 'dash.js', version: '5.2.1' }],
    ['player=shaka', { name: 'shaka' }],
    ['player=hls.js&player_version=1.7.4%40x', { name: 'hls.js' }],
    ['player_version=1.7.4', undefined],
    ['player=a%20b', undefined],
    [`player=${'p'.repeat(65)}`, undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s names %j', (query, expected) => {
    expect(playerOf(query)).toStrictEqual(expected);
  });
});
