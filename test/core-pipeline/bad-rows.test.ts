/** Reading the bad-row stream's records back into BadRows. */
import { describe, expect, it } from 'vitest';
import { parseBadRow } from '../../core-pipeline/bad-rows.js';
import { UnreadableRecordError } from '../../core-pipeline/errors.js';
import { catchError } from '../helpers/catch-error.js';
import { badRow, jsonBytes } from '../helpers/records.js';

describe('parseBadRow', () => {
  it('reads back exactly what the edge wrote', () => {
    const bad = badRow({
      event_id: 'evt_bad_0001',
      schema_version: '1-0-0',
      pop: 'FRA56-C1',
      payload_truncated: true,
    });
    expect(parseBadRow(jsonBytes(bad))).toStrictEqual(bad);
  });

  it('keeps optional fields absent when the edge left them out', () => {
    const {
      index: _i,
      session_id: _s,
      detail: _d,
      ...minimal
    } = badRow({ reason: 'invalid_json', status: 400, payload: '{', payload_encoding: 'text' });
    expect(parseBadRow(JSON.stringify(minimal))).toStrictEqual(minimal);
  });

  it("repairs strings that are not well-formed instead of losing the bad row's own reason", () => {
    const bad = badRow({ detail: "schema_version 'x\uD83D…'", session_id: 'abcdefgh\uD800' });
    expect(parseBadRow(jsonBytes(bad))).toStrictEqual({
      ...bad,
      detail: "schema_version 'x\uFFFD…'",
      session_id: 'abcdefgh\uFFFD',
    });
  });

  it.each([
    ['not JSON', 'nope', ''],
    ['an array', '[]', ''],
    [
      'a bad encoding',
      JSON.stringify(badRow({ payload_encoding: 'hex' as never })),
      'payload_encoding',
    ],
    ['a status string', JSON.stringify({ ...badRow(), status: '400' }), 'status'],
  ])('refuses %s', (_name, data, field) => {
    const err = catchError(() => parseBadRow(data));
    expect(err).toBeInstanceOf(UnreadableRecordError);
    expect((err as UnreadableRecordError).field).toBe(field);
  });
});
