import { describe, expect, it } from 'vitest';
import { checkReport, sessionOf, versionOf } from '../../../edge/cmcd/check.js';
import type { CmcdReport, CmcdValue } from '../../../schemas/cmcd.js';

const base: CmcdReport = { e: 'ps', sid: 'session-1', sn: 0, sta: 'p', ts: 1767225600000, v: 2 };
const check = (r: CmcdReport) => checkReport(r, 'cmcd-1-0-0');

describe('checkReport', () => {
  it('passes a report, and one with a custom key', () => {
    expect(check(base)).toBeUndefined();
    expect(check({ ...base, 'com.example-ad': 'a1' })).toBeUndefined();
  });

  it('asks for sid when a report has none, naming the dash.js setting', () => {
    const { sid: _, ...noSid } = base;
    expect(check(noSid)).toMatchObject({ reason: 'missing_session' });
    expect(check(noSid)?.detail).toContain('enabledKeys');
  });

  it('names the unknown key, and the rule cml-cmcd applies beyond the schema', () => {
    expect(check({ ...base, xyz: 1 })?.detail).toContain("'xyz' is not a CMCD key");
    expect(check({ ...base, e: 'rr' })).toStrictEqual({
      reason: 'invalid_report',
      detail: '/url Response received event (e="rr") requires the "url" key to be present.',
    });
    expect(check({ ...base, e: 'e' })?.detail).toContain('"ec"');
    const { sta: _, ...noState } = base;
    expect(check(noState)?.detail).toContain('"sta"');
    expect(check({ ...base, cen: 'x' })?.detail).toContain('cen');
    expect(check({ ...base, ab: [1], br: [2] })?.detail).toContain('"ab"');
  });

  it('refuses an unpaired surrogate that only the JSON form can carry', () => {
    expect(check({ ...base, cid: 'a\ud800b' })).toMatchObject({
      reason: 'invalid_report',
      detail: '/cid holds an unpaired UTF-16 surrogate; send well-formed text',
    });
    expect(check({ ...base, ec: [{ value: 'x', params: { m: 'a\udc00' } }] })).toMatchObject({
      reason: 'invalid_report',
      detail: '/ec holds an unpaired UTF-16 surrogate; send well-formed text',
    });
  });

  it('passes items with parameters to cml-cmcd as their bare values (dash.js br=(128;v 16;a))', () => {
    const br: CmcdValue = [
      { value: 128, params: { v: true } },
      { value: 16, params: { a: true } },
    ];
    expect(check({ ...base, br })).toBeUndefined();
    expect(check({ ...base, br: [{ value: 128, params: { v: true } }, 'x'] })?.detail).toContain(
      '/br/1',
    );
  });
});

describe('sessionOf and versionOf', () => {
  it.each([
    ['session-1', 'session-1'],
    ['a b', undefined],
    ['x'.repeat(65), undefined],
    [7, undefined],
  ])('sid %j groups as %j', (sid, expected) => {
    expect(sessionOf({ ...base, sid: sid as string })).toBe(expected);
  });

  it('reads v, 1 when absent', () => {
    expect(versionOf(base)).toBe('2');
    const { v: _, ...v1 } = base;
    expect(versionOf(v1)).toBe('1');
  });
});
