import { describe, expect, it } from 'vitest';
import { CmcdMemoryState } from '../../../core-pipeline/cmcd/memory-state.js';
import type { CmcdBatch } from '../../../core-pipeline/cmcd/record.js';
import { cmcdContext, cmcdLines, sta } from '../../helpers/cmcd-records.js';

const batch = (sid: string, lines: Parameters<typeof cmcdLines>[0]): CmcdBatch => ({
  context: cmcdContext({ session_id: sid }),
  entries: cmcdLines(lines, sid),
});
const start = (sid = 'mem-sess-1') =>
  batch(sid, [
    [0, 'ps', 0, sta('s')],
    [1, 'ps', 1_000, sta('p')],
  ]);
const stall = (sid = 'mem-sess-1') =>
  batch(sid, [
    [2, 'ps', 5_000, sta('r')],
    [3, 'ps', 5_600, sta('p')],
  ]);

describe('CmcdMemoryState', () => {
  it('keeps nothing until the write is committed: a failed write maps again from the same state', () => {
    const mem = new CmcdMemoryState();
    mem.map([start()]); // the write failed: no commit
    const again = mem.map([start()]);
    expect(again.rows.map((r) => r.type)).toEqual(['requested', 'first_frame']);
    again.commit();
    expect(mem.map([stall()]).rows.map((r) => [r.type, r.stall_ms])).toEqual([
      ['stall_start', null],
      ['stall_end', 600],
    ]);
  });

  it('answers a resend of a stored line with the row it stored (same type, same values)', () => {
    const mem = new CmcdMemoryState();
    const first = mem.map([start(), stall()]);
    first.commit();
    const resent = mem.map([stall()]);
    expect(resent.rows).toStrictEqual(first.rows.slice(2));
  });

  it('holds at most maxSessions sessions, forgetting the least recently written', () => {
    const mem = new CmcdMemoryState(2, 10);
    for (const sid of ['mem-a', 'mem-b', 'mem-c']) mem.map([start(sid)]).commit();
    expect(mem.size).toBe(2);
    // mem-a was forgotten: its next lines are a new session's (no first frame seen).
    const a = mem.map([stall('mem-a')]);
    expect(a.rows.map((r) => r.type)).toEqual(['play_state', 'first_frame']);
    const c = mem.map([stall('mem-c')]);
    expect(c.rows.map((r) => r.type)).toEqual(['stall_start', 'stall_end']);
  });

  it('maps nothing for a write without CMCD records', () => {
    const mem = new CmcdMemoryState();
    expect(mem.map(undefined).rows).toEqual([]);
    expect(mem.map([]).rows).toEqual([]);
  });
});
