import { describe, expect, it } from 'vitest';
import { toStoredBadRow } from '../../../core-pipeline/bad-rows.js';
import {
  badRowPoint,
  eventPoint,
  eventTimeMs,
  OTHER_TAG_VALUE,
  TRUSTED_CLIENT_SKEW_MS,
} from '../../../core-pipeline/sinks/influxdb-schema.js';
import { eventRecord } from '../../../core-pipeline/sinks/timestream-records.js';
import { badRow, decodedRows, enrichedRecord, event, T0 } from '../../helpers/records.js';

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

// The version tags come from the client: each must keep few values, whatever a client invents.
describe('version tags of client-sent values', () => {
  const pointOf = (sdkVersion: string, sdkName = 'beacon-edge-js') => {
    const rec = enrichedRecord({
      sdk_name: sdkName,
      sdk_version: sdkVersion,
      events: [event('paused', { seq: 1, ts: T0, id: `e-tag-${sdkVersion.length}` })],
    });
    const { events } = decodedRows([rec]);
    return eventPoint(events[0]);
  };
  const tag = (p: ReturnType<typeof eventPoint>, k: string) => p.tags.find(([t]) => t === k)?.[1];
  const field = (p: ReturnType<typeof eventPoint>, k: string) =>
    p.fields.find(([f]) => f === k)?.[1];

  it('keeps a plain MAJOR.MINOR.PATCH release and a bundled schema version as they are', () => {
    const p = pointOf('0.3.0');
    expect(tag(p, 'sdk_version')).toBe('0.3.0');
    expect(tag(p, 'schema_version')).toBe('1-0-0');
    expect(field(p, 'sdk_version_sent')).toBeUndefined();
  });

  it.each(['rnd-0-a7d6llqty3u', '1.2.3-beta.7', '1.2.3.4', '0.3.0 '])(
    'writes %j as the tag "other" and keeps it as the field sdk_version_sent',
    (sent) => {
      const p = pointOf(sent);
      expect(tag(p, 'sdk_version')).toBe(OTHER_TAG_VALUE);
      expect(field(p, 'sdk_version_sent')).toStrictEqual({ kind: 'string', value: sent });
    },
  );

  it('keeps an SDK name of the shape, and writes any other as "other" with sdk_name_sent', () => {
    expect(tag(pointOf('0.3.0', '@acme/player-tv'), 'sdk_name')).toBe('@acme/player-tv');
    const p = pointOf('0.3.0', 'Acme Player (TV)');
    expect(tag(p, 'sdk_name')).toBe(OTHER_TAG_VALUE);
    expect(field(p, 'sdk_name_sent')).toStrictEqual({ kind: 'string', value: 'Acme Player (TV)' });
  });

  it('with a deployment’s SDK names, keeps only those: an invented name is "other"', () => {
    const bounds = { sdkNames: new Set(['beacon-edge-js', 'cmcd']) };
    const rec = (sdkName: string) =>
      decodedRows([
        enrichedRecord({
          sdk_name: sdkName,
          sdk_version: '0.3.0',
          events: [event('paused', { seq: 1, ts: T0, id: `e-name-${sdkName}` })],
        }),
      ]).events[0];
    expect(tag(eventPoint(rec('beacon-edge-js'), bounds), 'sdk_name')).toBe('beacon-edge-js');
    const invented = eventPoint(rec('rnd-0-a7d6llqty3u'), bounds);
    expect(tag(invented, 'sdk_name')).toBe(OTHER_TAG_VALUE);
    expect(field(invented, 'sdk_name_sent')).toStrictEqual({
      kind: 'string',
      value: 'rnd-0-a7d6llqty3u',
    });
    // The same name without the list: kept (the shape alone).
    expect(tag(eventPoint(rec('rnd-0-a7d6llqty3u')), 'sdk_name')).toBe('rnd-0-a7d6llqty3u');
    // Bad rows follow the same list.
    const bad = badRowPoint(
      toStoredBadRow(badRow({ sdk_name: 'rnd-1', sdk_version: '0.3.0' }), T0),
      bounds,
    );
    expect(tag(bad, 'sdk_name')).toBe(OTHER_TAG_VALUE);
  });

  it('bounds an unknown schema version on a bad row the same way', () => {
    const p = badRowPoint(toStoredBadRow(badRow({ schema_version: 'zz-6o35vm9xght' }), T0));
    expect(tag(p, 'schema_version')).toBe(OTHER_TAG_VALUE);
    expect(field(p, 'schema_version_sent')).toStrictEqual({
      kind: 'string',
      value: 'zz-6o35vm9xght',
    });
  });
});
