/** The nesting guard of the JSON parse step: a linear byte scan, brackets in strings ignored. */
import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from '../../../edge/ingest/parse.js';

describe('jsonDepthExceeds', () => {
  const deep = (text: string, max = 2) => jsonDepthExceeds(new TextEncoder().encode(text), max);
  it.each([
    ['[[]]', false],
    ['[[[]]]', true],
    ['["[[[[[["]', false],
    ['["\\"[[[["]', false], // escaped quote: the brackets are still inside the string
    ['["\\\\",[[]]]', true], // escaped backslash: the string ends, the brackets count
    ['{"a":{"b":{}}}', true],
    ['[[]][[]][[]]', false], // depth returns to zero between siblings
    ['"unterminated [[[[', false],
  ])('%s → %s (max 2)', (text, expected) => {
    expect(deep(text)).toBe(expected);
  });
});
