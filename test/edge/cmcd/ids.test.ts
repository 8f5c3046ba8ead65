import { describe, expect, it } from 'vitest';
import { cmcdEventId } from '../../../edge/cmcd/ids.js';
import { LIMITS } from '../../../schemas/limits.js';

const r = { e: 'ps', sid: 'session-1', sn: 3, sta: 'p', ts: 1767225600000, v: 2 };

describe('cmcdEventId', () => {
  it('is the same for the same (sid, sn, e, ts), whatever else the line says, and matches the id pattern', () => {
    expect(cmcdEventId(r)).toBe(cmcdEventId({ ...r, sta: 'a', pt: 5 }));
    expect(cmcdEventId(r)).toMatch(LIMITS.idPattern);
    expect(cmcdEventId(r)).toMatch(/^cmcd-[A-Za-z0-9_-]{32}$/);
  });

  it('differs in each of sid, sn, e and ts', () => {
    const ids = [
      r,
      { ...r, sid: 'session-2' },
      { ...r, sn: 4 },
      { ...r, e: 't' },
      { ...r, ts: r.ts + 1 },
    ].map(cmcdEventId);
    expect(new Set(ids).size).toBe(5);
  });

  it('without sn, hashes the whole report in key order', () => {
    const { sn: _, ...noSn } = r;
    const reordered = { v: 2, ts: r.ts, sta: 'p', sid: r.sid, e: 'ps' };
    expect(cmcdEventId(noSn)).toBe(cmcdEventId(reordered));
    expect(cmcdEventId(noSn)).not.toBe(cmcdEventId({ ...noSn, sta: 'a' }));
  });
});
