import { describe, expect, it } from 'vitest';
import { applyCmcd, cmcdEntryCount } from '../../../core-pipeline/cmcd/apply.js';
import type { CmcdBatch } from '../../../core-pipeline/cmcd/record.js';
import { cmcdContext, cmcdLines, sta } from '../../helpers/cmcd-records.js';

const batch = (
  lines: Parameters<typeof cmcdLines>[0],
  requestId: string,
  sid = 'apply-s1',
): CmcdBatch => ({
  context: cmcdContext({ session_id: sid, request_id: requestId }),
  entries: cmcdLines(lines, sid),
});

describe('applyCmcd', () => {
  it('maps one session’s lines of overtaking requests in one write as one timeline, each row with its request', () => {
    // One line per request; the stall's start (sn 2) arrives after its end (sn 3).
    const batches = [
      batch([[0, 'ps', 0, sta('s')]], 'req-0'),
      batch([[1, 'ps', 700, sta('p')]], 'req-1'),
      batch([[3, 'ps', 5_000, sta('p')]], 'req-3'),
      batch([[2, 'ps', 4_000, sta('r')]], 'req-2'),
    ];
    const { rows, states } = applyCmcd(batches, () => undefined);
    expect(rows.map((r) => [r.type, r.request_id])).toEqual([
      ['requested', 'req-0'],
      ['first_frame', 'req-1'],
      ['stall_start', 'req-2'],
      ['stall_end', 'req-3'],
    ]);
    expect(rows[3].stall_ms).toBe(1_000);
    expect(states.get('apply-s1')).toMatchObject({ lastSn: 3, stallCount: 1 });
    expect(cmcdEntryCount(batches)).toBe(4);
  });

  it('keeps sessions apart and starts each from the state given', () => {
    const a = batch([[0, 'ps', 0, sta('p')]], 'req-a', 'apply-a');
    const b = batch([[5, 'ps', 0, sta('p')]], 'req-b', 'apply-b');
    const { rows } = applyCmcd([a, b], (sid) =>
      sid === 'apply-b'
        ? { ...applyCmcd([a], () => undefined).states.get('apply-a')!, lastSn: 9, lastPsSn: 9 }
        : undefined,
    );
    expect(rows.map((r) => [r.session_id, r.type])).toEqual([
      ['apply-a', 'first_frame'],
      ['apply-b', 'play_state'],
    ]);
  });
});
