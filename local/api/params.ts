/**
 * Query-parameter parsing for the dashboard API. Every parser returns a value or an
 * {@link ApiParamError} (never throws), so each bad parameter becomes a 400 with a JSON reason.
 */
import { EVENT_TYPES, type EventType } from '../../schemas/index.js';

/** A rejected parameter: the API answers 400 `{ error, detail }`. */
export interface ApiParamError {
  error: 'missing_parameter' | 'invalid_parameter';
  detail: string;
}

/** Either a value or a parameter error. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ApiParamError };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (name: string, detail: string): Parsed<never> => ({
  ok: false,
  error: { error: 'invalid_parameter', detail: `${name}: ${detail}` },
});
const missing = (name: string, detail: string): Parsed<never> => ({
  ok: false,
  error: { error: 'missing_parameter', detail: `${name} is required: ${detail}` },
});

/** ISO 8601 calendar date, optionally with time and offset (`2026-11-28`, `2026-11-28T12:00:00.000Z`, `…+01:00`). */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Parses an ISO 8601 time. A date alone is midnight UTC; a time without an offset is taken as UTC
 * (the server's time zone must not change answers).
 */
export function parseIsoTime(
  name: string,
  raw: string | null,
  required = true,
): Parsed<Date | undefined> {
  if (raw === null || raw === '')
    return required
      ? missing(name, 'an ISO 8601 time such as 2026-11-28T12:00:00Z')
      : ok(undefined);
  const m = ISO_8601.exec(raw.trim());
  if (!m) return bad(name, `"${raw}" is not an ISO 8601 time such as 2026-11-28T12:00:00Z`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', offset] = m;
  // Date.parse accepts 2026-02-31 (rolling over to March); the calendar check below refuses it.
  const text = `${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(3, '0').slice(0, 3)}${normaliseOffset(offset)}`;
  const t = Date.parse(text);
  if (
    Number.isNaN(t) ||
    Number(mo) > 12 ||
    Number(d) > 31 ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return bad(name, `"${raw}" is not a valid time`);
  }
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCDate() !== Number(d) || day.getUTCMonth() + 1 !== Number(mo))
    return bad(name, `"${raw}" is not a valid date`);
  return ok(new Date(t));
}

function normaliseOffset(offset: string | undefined): string {
  if (!offset || offset === 'Z') return 'Z';
  const digits = offset.slice(1).replace(':', '').padEnd(4, '0');
  return `${offset[0]}${digits.slice(0, 2)}:${digits.slice(2, 4)}`;
}

/**
 * Time ranges the dashboard offers, in seconds, with the bucket size each is drawn at. From an
 * hour up the buckets are whole minutes, so the charts read the per-minute rollups.
 */
const RANGES: Readonly<Record<string, { seconds: number; bucketSeconds: number }>> = {
  '5m': { seconds: 300, bucketSeconds: 5 },
  '15m': { seconds: 900, bucketSeconds: 10 },
  '1h': { seconds: 3_600, bucketSeconds: 60 },
  '6h': { seconds: 21_600, bucketSeconds: 180 },
  '24h': { seconds: 86_400, bucketSeconds: 600 },
};

/** A time window [from, to) with the bucket size for series over it. */
export interface Window {
  from: Date;
  to: Date;
  bucketSeconds: number;
}

/**
 * The window of a request: `range` (`15m`, `1h`, ...) ending now, or `from` (or `since`) and an
 * optional `to`, with an optional `bucket` in seconds. Default: the last 15 minutes.
 */
export function parseWindow(q: URLSearchParams, now: number): Parsed<Window> {
  const rangeRaw = q.get('range');
  const fromRaw = q.get('from') ?? q.get('since');
  if (rangeRaw !== null && fromRaw !== null)
    return bad('range', 'give either range or from/since, not both');
  let from: Date;
  let to = new Date(now);
  let bucket: number;
  if (fromRaw !== null) {
    const f = parseIsoTime(q.has('from') ? 'from' : 'since', fromRaw);
    if (!f.ok) return f;
    const t = parseIsoTime('to', q.get('to'), false);
    if (!t.ok) return t;
    from = f.value as Date;
    to = t.value ?? to;
    if (to.getTime() <= from.getTime()) return bad('to', 'must be later than from');
    const span = (to.getTime() - from.getTime()) / 1000;
    if (span > 31 * 86_400) return bad('from', 'the window may span at most 31 days');
    bucket = Math.max(1, Math.ceil(span / 120));
  } else {
    const range = RANGES[rangeRaw ?? '15m'];
    if (!range) return bad('range', `must be one of ${Object.keys(RANGES).join(', ')}`);
    from = new Date(now - range.seconds * 1000);
    bucket = range.bucketSeconds;
  }
  const b = parseInteger('bucket', q.get('bucket'), bucket, 1, 86_400);
  if (!b.ok) return b;
  if ((to.getTime() - from.getTime()) / 1000 / b.value > 2_000)
    return bad('bucket', 'too small for this window (at most 2000 buckets)');
  return ok({ from, to, bucketSeconds: b.value });
}

/** An integer parameter in [min, max], or `fallback` when absent. */
export function parseInteger(
  name: string,
  raw: string | null,
  fallback: number,
  min: number,
  max: number,
): Parsed<number> {
  if (raw === null || raw === '') return ok(fallback);
  if (!/^\d+$/.test(raw)) return bad(name, `"${raw}" is not a whole number`);
  const n = Number(raw);
  if (n < min || n > max) return bad(name, `must be between ${min} and ${max}`);
  return ok(n);
}

/** A comma-separated list of event types; absent means `fallback`. */
export function parseTypes(
  raw: string | null,
  fallback: readonly EventType[],
): Parsed<EventType[]> {
  if (raw === null || raw.trim() === '') return ok([...fallback]);
  const types = [
    ...new Set(
      raw
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = types.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0)
    return bad('types', `unknown event type ${unknown.map((t) => `"${t}"`).join(', ')}`);
  return ok(types as EventType[]);
}

/** One value out of a fixed set. */
export function parseChoice<T extends string>(
  name: string,
  raw: string | null,
  choices: readonly T[],
  fallback?: T,
): Parsed<T> {
  if (raw === null || raw === '')
    return fallback !== undefined ? ok(fallback) : missing(name, `one of ${choices.join(', ')}`);
  if (!(choices as readonly string[]).includes(raw))
    return bad(name, `must be one of ${choices.join(', ')}`);
  return ok(raw as T);
}
