/** The JSON writer of the fuzz generators: what it is given is what the edge receives. */
import { describe, expect, it } from 'vitest';
import { J, toJsonText, utf8Bytes } from '../../fuzz/json-text.js';

describe('toJsonText', () => {
  it('keeps duplicate keys, key escapes, number tokens and lone surrogates as written', () => {
    const tree = J.objOf([
      [J.str('id', 'all'), J.str('a\ud800b', 'json')],
      [J.str('id'), J.num('1.0')],
      [J.str('x'), J.str('\ud83d', 'raw')],
    ]);
    const text = toJsonText(tree);
    expect(text).toBe('{"\\u0069\\u0064":"a\\ud800b","id":1.0,"x":"\ud83d"}');
    expect(JSON.parse(text)).toStrictEqual({ id: 1, x: '\ud83d' });
  });
});

describe('utf8Bytes', () => {
  it('encodes a lone surrogate as WTF-8 bytes on request, as U+FFFD otherwise', () => {
    expect([...utf8Bytes('a\ud800', 'wtf8')]).toStrictEqual([0x61, 0xed, 0xa0, 0x80]);
    expect([...utf8Bytes('a\ud800')]).toStrictEqual([0x61, 0xef, 0xbf, 0xbd]);
    expect([...utf8Bytes('😀', 'wtf8')]).toStrictEqual([0xf0, 0x9f, 0x98, 0x80]);
  });
});
