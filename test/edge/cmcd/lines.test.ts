import { describe, expect, it } from 'vitest';
import { formOf, splitCmcdBody } from '../../../edge/cmcd/lines.js';

const enc = (s: string) => new TextEncoder().encode(s);
const split = (text: string, form: 'cmcd' | 'json' = 'cmcd', max = 200) =>
  splitCmcdBody(text, enc(text), form, max);

describe('formOf', () => {
  it.each([
    ['application/cmcd', 'cmcd'],
    ['text/plain;charset=UTF-8', 'cmcd'],
    ['Application/JSON; charset=utf-8', 'json'],
    [undefined, 'cmcd'],
  ])('%s is the %s form', (type, form) => {
    expect(formOf(type)).toBe(form);
  });
});

describe('splitCmcdBody, line form', () => {
  it('numbers lines by their place in the body, skipping blank ones and a trailing newline', () => {
    expect(split('a=1\n\nb=2\r\n  \nc=3\n')).toStrictEqual({
      ok: true,
      lines: [
        { form: 'cmcd', index: 0, text: 'a=1' },
        { form: 'cmcd', index: 2, text: 'b=2' },
        { form: 'cmcd', index: 4, text: 'c=3' },
      ],
    });
  });

  it('refuses a body of blank lines as empty, and more lines than allowed as 413', () => {
    expect(split('\n \r\n')).toMatchObject({
      ok: false,
      rejection: { status: 400, reason: 'empty_body' },
    });
    expect(split('a\nb\nc', 'cmcd', 2)).toMatchObject({
      ok: false,
      rejection: {
        status: 413,
        reason: 'too_many_events',
        detail: '3 report lines in one body; at most 2',
      },
    });
  });
});

describe('splitCmcdBody, JSON form', () => {
  it('makes each array item a line, whatever it holds', () => {
    expect(split('[{"e":"ps"}, 1, null]', 'json')).toStrictEqual({
      ok: true,
      lines: [
        { form: 'json', index: 0, value: { e: 'ps' } },
        { form: 'json', index: 1, value: 1 },
        { form: 'json', index: 2, value: null },
      ],
    });
  });

  it.each([
    ['[{', 'invalid_json'],
    ['{"e":"ps"}', 'invalid_envelope'],
    ['"e=ps"', 'invalid_envelope'],
    ['[]', 'empty_body'],
    [`[${'['.repeat(9)}${']'.repeat(9)}]`, 'too_deep'],
  ])('refuses %s as %s', (text, reason) => {
    expect(split(text, 'json')).toMatchObject({ ok: false, rejection: { status: 400, reason } });
  });
});
