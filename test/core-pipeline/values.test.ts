/**
 * The core's readers: each is the shared storable check of schemas/storable.ts with an error that
 * names the field, and `readersOf` gives every field of a rule table the reader of its rule.
 */
import { describe, expect, it } from 'vitest';
import { UnreadableRecordError } from '../../core-pipeline/errors.js';
import * as read from '../../core-pipeline/values.js';
import { kindProblem, type StorageKind } from '../../schemas/storable.js';
import {
  EDGE_FIELDS,
  ENVELOPE_FIELDS,
  EVENT_FIELDS,
  GEO_FIELDS,
  RECORD_FIELDS,
  ruleProblem,
} from '../../schemas/storage-rules.js';
import { catchError } from '../helpers/catch-error.js';
import { STORABLE, UNSTORABLE } from '../helpers/storable-values.js';

/** What `fn` throws, or undefined when it returns. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

const TABLES = { RECORD_FIELDS, ENVELOPE_FIELDS, GEO_FIELDS, EDGE_FIELDS, EVENT_FIELDS };
const KINDS = Object.keys(STORABLE) as StorageKind[];

describe('readersOf', () => {
  describe.each(Object.entries(TABLES))('%s', (_name, rules) => {
    const readers = read.readersOf(rules) as Record<string, read.Reader<unknown>>;

    it('has exactly one reader per field', () => {
      expect(Object.keys(readers)).toStrictEqual(Object.keys(rules));
    });

    it.each(Object.entries(rules))(
      '%s: accepts what its rule accepts, refuses what it refuses, with its message',
      (field, rule) => {
        for (const kind of KINDS) {
          for (const v of [...STORABLE[kind], ...UNSTORABLE[kind], undefined, null, '']) {
            const problem = ruleProblem(v, rule);
            const err = thrown(() => readers[field](v, field));
            if (problem === undefined) {
              expect(err, `${field} ${String(v)}`).toBeUndefined();
              expect(readers[field](v, field)).toStrictEqual(v ?? null);
            } else {
              expect(err).toBeInstanceOf(UnreadableRecordError);
              expect(err).toMatchObject({ field, detail: problem });
            }
          }
        }
      },
    );
  });

  it('repairs text instead of refusing it when asked, and still refuses what is not text', () => {
    const env = read.readersOf(ENVELOPE_FIELDS, { repairText: true });
    expect(env.content_id('movie\uD800', 'content_id')).toBe('movie\uFFFD');
    expect(env.player_name(undefined, 'player_name')).toBeNull();
    expect(env.player_name('\uDC00\uD800', 'player_name')).toBe('\uFFFD\uFFFD');
    expect(catchError(() => env.content_id('', 'content_id'))).toMatchObject({
      detail: 'must be a non-empty string',
    });
    expect(catchError(() => env.player_name(7, 'player_name'))).toMatchObject({
      detail: 'must be a string',
    });
  });

  it('cuts an over-long string to its rule on a whole code point when repairing, refuses it otherwise', () => {
    const max = ENVELOPE_FIELDS.content_id.maxLength;
    const env = read.readersOf(ENVELOPE_FIELDS, { repairText: true });
    expect(env.content_id('x'.repeat(1_000_000), 'content_id')).toBe('x'.repeat(max));
    expect(env.content_id(`${'x'.repeat(max - 1)}😀😀`, 'content_id')).toBe(
      `${'x'.repeat(max - 1)}😀`,
    );
    expect(env.content_id('😀'.repeat(max), 'content_id')).toBe('😀'.repeat(max));
    expect(env.player_version(`${'\uD800'.repeat(40)}`, 'player_version')).toBe(
      '\uFFFD'.repeat(ENVELOPE_FIELDS.player_version.maxLength),
    );
    const strict = read.readersOf(ENVELOPE_FIELDS);
    expect(catchError(() => strict.content_id('x'.repeat(max + 1), 'content_id'))).toMatchObject({
      field: 'content_id',
      detail: `must be at most ${max} characters`,
    });
    const ev = read.readersOf(EVENT_FIELDS);
    expect(ev.message('😀'.repeat(EVENT_FIELDS.message.maxLength), 'message')).toHaveLength(
      2 * EVENT_FIELDS.message.maxLength,
    );
    expect(ev.code(undefined, 'code')).toBeNull();
  });
});

describe('named readers', () => {
  it.each([
    ['str', read.str, 'text', true],
    ['optStr', read.optStr, 'text', false],
    ['int32', read.int32, 'int32', true],
    ['optInt32', read.optInt32, 'int32', false],
    ['int', read.int, 'bigint', true],
    ['optInt', read.optInt, 'bigint', false],
    ['num', read.num, 'double', true],
    ['optNum', read.optNum, 'double', false],
    ['timeMs', read.timeMs, 'time', true],
    ['optTimeMs', read.optTimeMs, 'time', false],
    ['bool', read.bool, 'boolean', true],
    ['optBool', read.optBool, 'boolean', false],
  ] as const)(
    '%s is the shared %s check (required: %s)',
    (_name, reader: read.Reader<unknown>, kind, required) => {
      for (const v of UNSTORABLE[kind]) {
        expect(catchError(() => reader(v, 'f'))).toMatchObject({
          field: 'f',
          detail: kindProblem(kind, v, required),
        });
      }
      for (const v of STORABLE[kind]) expect(reader(v, 'f')).toBe(v);
      if (!required) expect(reader(null, 'f')).toBeNull();
    },
  );
});
