import { describe, expect, it } from 'vitest';
import { MAX_CMCD_LINE_CHARS } from '../../../edge/cmcd/limits.js';
import { normalizeLine } from '../../../edge/cmcd/normalize.js';

const text = (t: string) => normalizeLine({ form: 'cmcd', index: 0, text: t });
const json = (value: unknown) => normalizeLine({ form: 'json', index: 0, value });

describe('normalizeLine, line form (decoded by cml-cmcd)', () => {
  it('makes tokens and strings strings, numbers numbers, a bare key true, inner lists arrays (items keep their parameters)', () => {
    expect(
      text(
        'br=(3000;v 128;a),com.example-flag,e=ps,nor=("a.m4s";r="0-9"),pr=1.5,sid="s1",sta=p;x=1,ts=5,v=2',
      ),
    ).toStrictEqual({
      ok: true,
      report: {
        br: [
          { value: 3000, params: { v: true } },
          { value: 128, params: { a: true } },
        ],
        'com.example-flag': true,
        e: 'ps',
        nor: [{ value: 'a.m4s', params: { r: '0-9' } }],
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

  it("keeps items without parameters bare, and drops a top-level value's parameters", () => {
    expect(text('bl=(1200 300),e=t,sta=p;x=1,pb=(24;v;z="q" 8;a;k=2.5)')).toStrictEqual({
      ok: true,
      report: {
        bl: [1200, 300],
        e: 't',
        sta: 'p',
        pb: [
          { value: 24, params: { v: true, z: 'q' } },
          { value: 8, params: { a: true, k: 2.5 } },
        ],
      },
    });
  });

  it.each([
    ['bl=(1;v;r=:AQ==:)', 'a list holding something else'],
    ['br=(1;d=@5)', 'a list holding something else'],
  ])('refuses %s: a parameter JSON cannot carry', (line, what) => {
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

  it('keeps an item with parameters, and a __proto__ parameter as an own key', () => {
    const r = json(
      JSON.parse(
        '{"br":[{"value":128,"params":{"v":true}},16,{"value":1,"params":{"__proto__":1}}]}',
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.report.br).toStrictEqual([
      { value: 128, params: { v: true } },
      16,
      JSON.parse('{"value":1,"params":{"__proto__":1}}'),
    ]);
    const third = (r.report.br as { params: object }[])[2];
    expect(Object.keys(third.params)).toStrictEqual(['__proto__']);
    expect(Object.getPrototypeOf(third.params)).toBe(Object.prototype);
  });

  it.each([
    [null],
    [[1]],
    ['e=ps'],
    [{ e: { x: 1 } }],
    [{ br: [[1]] }],
    [{ e: null }],
    [{ e: { value: 't', params: { v: true } } }],
    [{ br: [{ value: 1 }] }],
    [{ br: [{ value: 1, params: { v: true }, x: 1 }] }],
    [{ br: [{ value: [1], params: { v: true } }] }],
    [{ br: [{ value: 1, params: { v: { x: 1 } } }] }],
    [{ br: [{ value: 1, params: [true] }] }],
    [{ br: [{ value: 1, params: null }] }],
  ])('refuses %j', (v) => {
    expect(json(v)).toMatchObject({ ok: false, reason: 'invalid_report' });
  });
});
