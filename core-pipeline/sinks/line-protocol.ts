/**
 * InfluxDB line protocol: `measurement,tag=v field=1.5,n=3i,s="x" <ns>`. Pure, so the sink, the
 * benchmarks and the dashboard tests share it.
 *
 * Escaping follows what both InfluxDB 1.x (Debian's influxd, the tests' server) and 3.x (the
 * store on AWS) read the same way: commas, spaces and `=` are escaped in keys and tag values;
 * string fields escape `"` and `\`. A backslash or control character in a tag value is read
 * differently by the two (1.x keeps `\\` doubled and refuses a value that ends in `\`), so tag
 * values are repaired instead: such characters become U+FFFD. Tags carry only slices CloudFront
 * sets (never client text), so a repair means a hostile header, and the field copy of the row
 * (the event's other columns) is untouched.
 */
import type { FieldValue, Point } from './influxdb-schema.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const TAG_UNSAFE = /[\\\u0000-\u001f\u007f]/g;
const KEY_SPECIAL = /[, =]/g;
const MEASUREMENT_SPECIAL = /[, ]/g;
const STRING_SPECIAL = /["\\]/g;
// One non-global test per string first: almost every key and value needs no escape, and a
// `.test` that finds nothing costs far less than two global replaces that copy the string.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const KEY_NEEDS_ESCAPE = /[\\\u0000-\u001f\u007f, =]/;
const STRING_NEEDS_ESCAPE = /["\\]/;

/** Escapes a tag key, tag value or field key. */
export function escapeKey(s: string): string {
  if (!KEY_NEEDS_ESCAPE.test(s)) return s;
  return s.replace(TAG_UNSAFE, '\uFFFD').replace(KEY_SPECIAL, '\\$&');
}

/** Escapes a measurement name. */
export function escapeMeasurement(s: string): string {
  return s.replace(TAG_UNSAFE, '\uFFFD').replace(MEASUREMENT_SPECIAL, '\\$&');
}

/** One field value in line-protocol form. */
export function encodeFieldValue(f: FieldValue): string {
  switch (f.kind) {
    case 'int':
      return `${f.value}i`;
    case 'float':
      // A float that happens to be whole must still be written as a float ("2", not "2i"): a
      // field's type is fixed by its first write, so keep it stable.
      return Number.isInteger(f.value) ? `${f.value}.0` : String(f.value);
    case 'bool':
      return f.value ? 'true' : 'false';
    case 'string':
      return STRING_NEEDS_ESCAPE.test(f.value)
        ? `"${f.value.replace(STRING_SPECIAL, '\\$&')}"`
        : `"${f.value}"`;
  }
}

/** One point as one line (no trailing newline). A point needs at least one field. */
export function encodePoint(p: Point): string {
  let line = escapeMeasurement(p.measurement);
  for (const [k, v] of p.tags) line += `,${escapeKey(k)}=${escapeKey(v)}`;
  line += ' ';
  line += p.fields.map(([k, v]) => `${escapeKey(k)}=${encodeFieldValue(v)}`).join(',');
  return `${line} ${p.timeNs}`;
}

/** Points as one line-protocol body (`precision=ns`). */
export function encodePoints(points: readonly Point[]): string {
  return points.map(encodePoint).join('\n');
}
