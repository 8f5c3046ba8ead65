import { describe, expect, it } from 'vitest';
import { mapCmcdEntries } from '../../../core-pipeline/cmcd/map.js';
import {
  type CmcdSessionState,
  initialCmcdState,
  parseCmcdState,
  serializeCmcdState,
} from '../../../core-pipeline/cmcd/state.js';
import { cmcdContext, cmcdLines, sta } from '../../helpers/cmcd-records.js';

const pb = (kbps: number) => ({ pb: [{ value: kbps, params: { v: true } }, 16] });

/** A state in the middle of a session: playing, a known pb, a bc seen. */
function midSession(): CmcdSessionState {
  return mapCmcdEntries(
    undefined,
    cmcdLines([
      [0, 'ps', 0, sta('s')],
      [1, 'ps', 500, sta('p', pb(24))],
      [2, 'rr', 1_000, pb(128)],
      [3, 'bc', 2_000, { br: [128] }],
    ]),
    cmcdContext(),
  ).state;
}

describe('serializeCmcdState / parseCmcdState', () => {
  it('round-trips the initial state and a mid-session one (playhead bitrate, bc seen)', () => {
    const s = midSession();
    expect(s).toMatchObject({ playheadBitrate: 128_000, sentBc: true, sta: 'p' });
    expect(parseCmcdState(serializeCmcdState(s))).toStrictEqual(s);
    expect(parseCmcdState(serializeCmcdState(initialCmcdState()))).toStrictEqual(
      initialCmcdState(),
    );
  });

  it('a replay from the parsed state gives the same rows and state as from the original', () => {
    const s = midSession();
    const next = cmcdLines([
      [4, 't', 3_000, pb(128)],
      [5, 'rr', 3_500, pb(300)],
    ]);
    const a = mapCmcdEntries(s, next, cmcdContext());
    const b = mapCmcdEntries(parseCmcdState(serializeCmcdState(s)), next, cmcdContext());
    expect(b).toStrictEqual(a);
  });

  it('reads a state stored before playheadBitrate/sentBc existed as having seen neither', () => {
    const { playheadBitrate: _p, sentBc: _b, ...old } = midSession();
    expect(parseCmcdState(JSON.stringify(old))).toMatchObject({
      playheadBitrate: null,
      sentBc: false,
    });
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['a text playhead bitrate', JSON.stringify({ ...initialCmcdState(), playheadBitrate: '24' })],
    ['a numeric sentBc', JSON.stringify({ ...initialCmcdState(), sentBc: 1 })],
    ['a missing counter', JSON.stringify({ ...initialCmcdState(), playedMs: undefined })],
  ])('rejects %s', (_what, text) => {
    expect(parseCmcdState(text)).toBeUndefined();
  });
});
