/**
 * Strings over all of Unicode, for the generators: ASCII most of the time (so most values stay
 * valid and batches get through), then every plane, controls and NUL, noncharacters, characters
 * that change direction or join, and unpaired surrogates. Lengths are counted in code points, as
 * JSON Schema counts `maxLength`.
 */
import fc from 'fast-check';

const PRINTABLE_ASCII = fc.integer({ min: 0x20, max: 0x7e });

/** NUL, C0 and C1 controls, DEL, line and paragraph separators, ZWJ, RLO, BOM. */
const CONTROLS = fc.constantFrom(
  0x00,
  0x01,
  0x08,
  0x09,
  0x0a,
  0x0d,
  0x1b,
  0x1f,
  0x7f,
  0x85,
  0x2028,
  0x2029,
  0x200d,
  0x202e,
  0xfeff,
);

/** The BMP above Latin-1's controls, skipping the surrogate block. */
const BMP = fc
  .integer({ min: 0xa0, max: 0xffff - 0x800 })
  .map((c) => (c >= 0xd800 ? c + 0x800 : c));

/** Planes 1 to 16: each is a surrogate pair in UTF-16 and four bytes in UTF-8. */
const ASTRAL = fc.integer({ min: 0x10000, max: 0x10ffff });

/** U+FDD0..U+FDEF and the last two code points of every plane. */
const NONCHARACTERS = fc.oneof(
  fc.integer({ min: 0xfdd0, max: 0xfdef }),
  fc
    .tuple(fc.integer({ min: 0, max: 16 }), fc.constantFrom(0xfffe, 0xffff))
    .map(([plane, low]) => plane * 0x10000 + low),
);

/** One unpaired UTF-16 code unit (high or low surrogate). */
const LONE_SURROGATE = fc.integer({ min: 0xd800, max: 0xdfff });

/** A well-formed character, ASCII-heavy. */
export const wellFormedChar: fc.Arbitrary<string> = fc
  .oneof(
    { arbitrary: PRINTABLE_ASCII, weight: 12 },
    { arbitrary: CONTROLS, weight: 1 },
    { arbitrary: BMP, weight: 2 },
    { arbitrary: ASTRAL, weight: 2 },
    { arbitrary: NONCHARACTERS, weight: 1 },
  )
  .map((cp) => String.fromCodePoint(cp));

/** Any character, unpaired surrogates included (about one in six). */
export const anyChar: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: wellFormedChar, weight: 5 },
  { arbitrary: LONE_SURROGATE.map((cp) => String.fromCharCode(cp)), weight: 1 },
);

/** A string of `min`..`max` code points drawn from `char`. */
export function codePoints(
  char: fc.Arbitrary<string>,
  min: number,
  max: number,
): fc.Arbitrary<string> {
  return fc.array(char, { minLength: min, maxLength: max }).map((cs) => cs.join(''));
}

/** Free text within `min`..`max` code points: short and well-formed mostly, sometimes exactly `max` astral-heavy, sometimes with unpaired surrogates. */
export function textWithin(min: number, max: number): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: codePoints(wellFormedChar, Math.max(min, 1), Math.min(max, 24)), weight: 12 },
    { arbitrary: codePoints(wellFormedChar, max, max), weight: 1 },
    {
      arbitrary: codePoints(
        ASTRAL.map((c) => String.fromCodePoint(c)),
        max,
        max,
      ),
      weight: 1,
    },
    { arbitrary: codePoints(anyChar, Math.max(min, 1), Math.min(max, 24)), weight: 2 },
    // Exactly `max` code points ending in an emoji cut in half: what a UTF-16 slice makes.
    {
      arbitrary: fc.constant(`${'a'.repeat(Math.max(0, max - 1))}\ud83d`),
      weight: 1,
    },
  );
}
