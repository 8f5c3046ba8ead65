import { describe, expect, it } from 'vitest';
import { MAX_CMCD_LINE_CHARS } from '../../../edge/cmcd/limits.js';
import { normalizeLine } from '../../../edge/cmcd/normalize.js';

const text = (t: string) => normalizeLine({ form: 'cmcd', index: 0, text: t });
const json = (value: unknown) => normalizeLine({ form: 'json', index: 0, value });

describe('normalizeLine, line form (decoded by cml-cmcd)', () => {
  it('makes tokens and strings strings, numbers numbers, a bare key true, inner lists arrays', () => {
    expect(
      text(
        'br=(3000;v 128;a),com.example-flag,e=ps,nor=("a.m4s";r="0-9"),pr=1.5,sid="s1",sta=p;x=1,ts=5,v=2',
      ),
    ).toStrictEqual({
      ok: true,
      report: {
        br: [3000, 128],
        'com.example-flag': true,
        e: 'ps',
        nor: ['a.m4s'],
        pr: 1.5,
        sid: 's1',
        sta: 'p',
        ts: 5,
        v: 2,
      },
    });
  });

  it.each([['e=ps,,sid="x"'], ['bad line ==='], ['e=t,z=%"caf%c3%a9"'], ['sid="unterminated']])(
    'refuses %s as not CMCD',
    (line) => {
      expect(text(line)).toMatchObject({ ok: false, reason: 'invalid_cmcd' });
    },
  );

  it.each([
    ['x=:AQID:', 'a byte sequence'],
    ['y=@12345', 'a date'],
  ])('refuses %s: JSON cannot carry %s', (line, what) => {
    const r = text(line);
    expect(r).toMatchObject({ ok: false, reason: 'invalid_report' });
    expect(r.ok ? '' : r.detail).toContain(what);
  });

  it('refuses a line over the cap before decoding it', () => {
    expect(text(`a="${'x'.repeat(MAX_CMCD_LINE_CHARS)}"`)).toMatchObject({
      ok: false,
      reason: 'line_too_long',
    });
  });
});

describe('normalizeLine, JSON form', () => {
  it('keeps plain values, and a __proto__ key as an own key', () => {
    const r = json(JSON.parse('{"e":"ps","br":[1,2],"__proto__":"x"}'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.keys(r.report)).toStrictEqual(['e', 'br', '__proto__']);
    expect(Object.getPrototypeOf(r.report)).toBe(Object.prototype);
  });

  it.each([[null], [[1]], ['e=ps'], [{ e: { x: 1 } }], [{ br: [[1]] }], [{ e: null }]])(
    'refuses %j',
    (v) => {
      expect(json(v)).toMatchObject({ ok: false, reason: 'invalid_report' });
    },
  );
});
