import { describe, expect, it } from 'vitest';
import { parseInteger, parseIsoTime, parseTypes, parseWindow } from '../../../local/api/params.js';

describe('parseIsoTime', () => {
  it.each([
    ['2026-11-28T12:00:00Z', '2026-11-28T12:00:00.000Z'],
    ['2026-11-28T12:00:00.123456Z', '2026-11-28T12:00:00.123Z'],
    ['2026-11-28T13:00:00+01:00', '2026-11-28T12:00:00.000Z'],
    ['2026-11-28T13:00:00+0100', '2026-11-28T12:00:00.000Z'],
    ['2026-11-28T12:00', '2026-11-28T12:00:00.000Z'],
    ['2026-11-28', '2026-11-28T00:00:00.000Z'],
  ])('reads %s', (raw, iso) => {
    const r = parseIsoTime('since', raw);
    expect(r.ok && r.value?.toISOString()).toBe(iso);
  });

  it.each([
    'yesterday',
    '1732795200000',
    '2026-02-31T00:00:00Z',
    '2026-13-01',
    '2026-11-28T25:00:00Z',
    '2026-11-28 12:00:00Z',
    '28/11/2026',
  ])('rejects %s', (raw) => {
    expect(parseIsoTime('since', raw)).toStrictEqual({
      ok: false,
      error: { error: 'invalid_parameter', detail: expect.stringMatching(/^since: "/) },
    });
  });

  it('asks for a missing value', () => {
    expect(parseIsoTime('since', null)).toStrictEqual({
      ok: false,
      error: {
        error: 'missing_parameter',
        detail: 'since is required: an ISO 8601 time such as 2026-11-28T12:00:00Z',
      },
    });
  });
});

describe('parseWindow and friends', () => {
  const now = Date.UTC(2026, 10, 28, 12, 0, 0);
  const q = (s: string) => new URLSearchParams(s);

  it('defaults to the last 15 minutes', () => {
    expect(parseWindow(q(''), now)).toStrictEqual({
      ok: true,
      value: { from: new Date(now - 900_000), to: new Date(now), bucketSeconds: 10 },
    });
  });

  it('takes a named range or from/to', () => {
    expect(parseWindow(q('range=6h'), now)).toStrictEqual({
      ok: true,
      value: { from: new Date(now - 21_600_000), to: new Date(now), bucketSeconds: 180 },
    });
    const r = parseWindow(q('from=2026-11-28T11:00:00Z&to=2026-11-28T11:30:00Z&bucket=60'), now);
    expect(r).toStrictEqual({
      ok: true,
      value: { from: new Date(now - 3_600_000), to: new Date(now - 1_800_000), bucketSeconds: 60 },
    });
  });

  it.each([
    ['range=2d', 'range: must be one of 5m, 15m, 1h, 6h, 24h'],
    ['range=1h&since=2026-11-28T11:00:00Z', 'range: give either range or from/since, not both'],
    ['from=2026-11-28T11:00:00Z&to=2026-11-28T10:00:00Z', 'to: must be later than from'],
    ['range=24h&bucket=1', 'bucket: too small for this window (at most 2000 buckets)'],
    ['bucket=-5', 'bucket: "-5" is not a whole number'],
  ])('rejects %s', (s, detail) => {
    expect(parseWindow(q(s), now)).toStrictEqual({
      ok: false,
      error: { error: 'invalid_parameter', detail },
    });
  });

  it('checks types and integers', () => {
    expect(parseTypes('started, paused,started', [])).toStrictEqual({
      ok: true,
      value: ['started', 'paused'],
    });
    expect(parseTypes('started,nope', [])).toStrictEqual({
      ok: false,
      error: { error: 'invalid_parameter', detail: 'types: unknown event type "nope"' },
    });
    expect(parseInteger('limit', '0', 5, 1, 10)).toStrictEqual({
      ok: false,
      error: { error: 'invalid_parameter', detail: 'limit: must be between 1 and 10' },
    });
  });
});
