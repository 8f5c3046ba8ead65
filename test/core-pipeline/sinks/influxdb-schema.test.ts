import { describe, expect, it } from 'vitest';
import {
  eventPoint,
  eventTimeMs,
  TRUSTED_CLIENT_SKEW_MS,
} from '../../../core-pipeline/sinks/influxdb-schema.js';
import { eventRecord } from '../../../core-pipeline/sinks/timestream-records.js';
import { decodedRows, enrichedRecord, event, T0 } from '../../helpers/records.js';

/** The rows the core makes of one event sent in a request the edge received with `skewMs`. */
function attempt(skewMs: number, pop = 'FRA56-C1') {
  const base = enrichedRecord();
  const rec = enrichedRecord({
    skew_ms: skewMs,
    received_at: T0 + 5000 + skewMs,
    edge: { ...base.edge, pop },
    events: [
      event('paused', { seq: 3, ts: T0 + 5000, id: 'e-resent-1', time: T0 + 5000 + skewMs }),
    ],
  });
  const { events } = decodedRows([rec], { ingestedAt: T0 + 60_000 });
  expect(events).toHaveLength(1);
  return events[0];
}

// A client resends a batch whose answer it never got; the edge stamps each attempt with its own
// skew. The time-series stores overwrite by identity (InfluxDB: tags + timestamp; Timestream:
// dimensions + time), so both attempts must map to the same identity.
describe('point time of a resent event', () => {
  it('is the same for two attempts of a client whose clock agrees with the edge', () => {
    const first = attempt(120);
    const resend = attempt(2_900);
    expect(first.time).not.toBe(resend.time);
    expect(eventPoint(first).timeNs).toBe(eventPoint(resend).timeNs);
    expect(eventRecord(first).Time).toBe(eventRecord(resend).Time);
    expect(eventTimeMs(first)).toBe(T0 + 5000);
  });

  it('is the corrected time for a clock further off than the trusted skew', () => {
    const off = attempt(TRUSTED_CLIENT_SKEW_MS + 60_000);
    expect(eventTimeMs(off)).toBe(off.time);
    expect(eventTimeMs(off)).toBe(T0 + 5000 + TRUSTED_CLIENT_SKEW_MS + 60_000);
    expect(eventTimeMs(attempt(-TRUSTED_CLIENT_SKEW_MS))).toBe(T0 + 5000);
  });

  it('keeps the corrected time readable from the fields ts and skew_ms', () => {
    const fields = Object.fromEntries(eventPoint(attempt(700)).fields);
    expect(fields.ts).toStrictEqual({ kind: 'int', value: T0 + 5000 });
    expect(fields.skew_ms).toStrictEqual({ kind: 'int', value: 700 });
  });
});
