/** Reading the bad-row stream's records back into BadRows, and the id each is stored under. */
import { describe, expect, it } from 'vitest';
import { parseBadRow, toStoredBadRow } from '../../core-pipeline/bad-rows.js';
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

describe('toStoredBadRow: one row per refusal', () => {
  const id = (bad: ReturnType<typeof badRow>) => toStoredBadRow(bad, 0).bad_row_id;
  const refused = badRow({ event_id: 'evt_refused_01', session_id: 'sess_a', index: 3 });

  it('gives a refused event sent again in another request, at the same index, the same id', () => {
    const retried = { ...refused, request_id: 'req_retry', received_at: 1, status: 400 };
    expect(id(retried)).toBe(id(refused));
    // The stored row is the attempt's own; only its id is shared.
    expect(toStoredBadRow(retried, 0).request_id).toBe('req_retry');
  });

  it.each([
    ['another event id', { event_id: 'evt_refused_02' }],
    ['another session', { session_id: 'sess_b' }],
    ['no session', { session_id: undefined }],
    ['another reason', { reason: 'timestamp_out_of_range' }],
    ['another payload', { payload: '{"type":"started","seq":"y"}' }],
    // Two copies of one event inside a batch are two refusals, each in the response.
    ['another position in the batch', { index: 4 }],
  ])('never shares an id with a refused event with %s', (_name, change) => {
    expect(id({ ...refused, ...change })).not.toBe(id(refused));
  });

  it('keeps an event without an id, or with a cut payload, one row per request', () => {
    const noId = badRow({ index: 2 });
    expect(id({ ...noId, request_id: 'req_other' })).not.toBe(id(noId));
    const cut = { ...refused, payload_truncated: true };
    expect(id({ ...cut, request_id: 'req_other' })).not.toBe(id(cut));
    expect(id({ ...cut })).toBe(id(cut));
  });

  it.each(['invalid_json', 'empty_body', 'too_many_events', 'stream_unavailable'])(
    'keeps a whole body refused as %s one row per request, the same request once',
    (reason) => {
      const { index: _i, ...body } = badRow({ reason, status: 400, payload: '{', session_id: 's' });
      expect(id({ ...body })).toBe(id(body));
      expect(id({ ...body, request_id: 'req_again' })).not.toBe(id(body));
    },
  );
});
