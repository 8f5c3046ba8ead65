/**
 * Timestream for LiveAnalytics write limits the sink keeps before it calls the service, and the
 * size of a record as the service meters it. Sources: the developer guide's "Quotas" page
 * (ts-limits.html: 100 records per WriteRecords, 2 KB per record, 128 dimensions and 8,192 measure
 * names per table, data at most 15 min in the future and inside the memory store's retention) and
 * "Metering and pricing: writes" (the size formula below).
 */
import type { _Record } from '@aws-sdk/client-timestream-write';

/** The service limits the sink plans around. */
export const TIMESTREAM_LIMITS = {
  /** Records in one WriteRecords request. */
  maxRecordsPerWrite: 100,
  /** Largest record, bytes (as metered: see recordBytes). */
  maxRecordBytes: 2048,
  /** How far ahead of the service's clock a record's time may be. */
  maxFutureMs: 15 * 60_000,
} as const;

const utf8 = (s: string | undefined): number => (s ? Buffer.byteLength(s, 'utf8') : 0);

function valueBytes(type: string | undefined, value: string | undefined): number {
  if (type === 'BOOLEAN') return 1;
  if (type === 'BIGINT' || type === 'DOUBLE' || type === 'TIMESTAMP') return 8;
  return utf8(value);
}

/**
 * A record's size as the service meters a write: 8 bytes of time, the UTF-8 bytes of every
 * dimension name and value and of the measure names, 1 byte per boolean, 8 per bigint or double,
 * the UTF-8 bytes of a string. `common` (the request's CommonAttributes) is merged in, as the
 * service merges it. The quota page does not spell out how the 2 KB record limit is counted; this
 * is the one formula AWS publishes, so the sink keeps every record under 2 KB by it.
 */
export function recordBytes(record: _Record, common: _Record = {}): number {
  let n = 8;
  for (const d of [...(common.Dimensions ?? []), ...(record.Dimensions ?? [])])
    n += utf8(d.Name) + utf8(d.Value);
  n += utf8(record.MeasureName ?? common.MeasureName);
  for (const m of record.MeasureValues ?? []) n += utf8(m.Name) + valueBytes(m.Type, m.Value);
  if (record.MeasureValue !== undefined)
    n += valueBytes(record.MeasureValueType ?? common.MeasureValueType, record.MeasureValue);
  return n;
}

/** `s` cut to at most `bytes` UTF-8 bytes, never inside a code point. */
export function cutUtf8(s: string, bytes: number): string {
  if (utf8(s) <= bytes) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const b = utf8(ch);
    if (used + b > bytes) break;
    out += ch;
    used += b;
  }
  return out;
}

/**
 * Fits a record under the size limit by cutting the named free-text measures, in order, and
 * marking it with the boolean measure `flag` (e.g. `truncated`). Returns the record unchanged when
 * it fits, a cut copy when cutting is enough, and null when even empty free text leaves it too
 * large (its ids and dimensions alone are over the limit).
 */
export function fitRecord(
  record: _Record,
  freeText: readonly string[],
  flag: string,
  limit: number = TIMESTREAM_LIMITS.maxRecordBytes,
): _Record | null {
  if (recordBytes(record) <= limit) return record;
  const flagged = (record.MeasureValues ?? []).filter((m) => m.Name !== flag);
  flagged.push({ Name: flag, Type: 'BOOLEAN', Value: 'true' });
  let measures = flagged;
  for (const name of freeText) {
    const over = recordBytes({ ...record, MeasureValues: measures }) - limit;
    if (over <= 0) break;
    measures = measures.flatMap((m) => {
      if (m.Name !== name || m.Value === undefined) return [m];
      const keep = utf8(m.Value) - over;
      // A measure cut to nothing is left out: Timestream takes no empty values.
      const value = keep > 0 ? cutUtf8(m.Value, keep) : '';
      return value === '' ? [] : [{ ...m, Value: value }];
    });
  }
  const fitted = { ...record, MeasureValues: measures };
  return recordBytes(fitted) <= limit ? fitted : null;
}
