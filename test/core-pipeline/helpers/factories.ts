/**
 * Factories for core-pipeline tests: EnrichedRecords, events and bad rows as the edge writes them.
 * Every factory takes overrides, and ids come from a counter so tests never collide.
 */
import type { BeaconEvent } from '../../../schemas/index.js';
import type { BadRow, EnrichedEvent, EnrichedRecord } from '../../../schemas/record.js';

let counter = 0;
/** A fresh id matching the schema's id pattern. */
export function nextId(prefix = 'id'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter.toString().padStart(8, '0')}`;
}

/** 2026-01-01T00:00:00Z: a round base time so expectations are easy to compute by hand. */
export const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

/** The union member for a type (some members cover several types, so Extract alone misses them). */
type EventOf<T extends BeaconEvent['type']> = BeaconEvent extends infer E
  ? E extends { type: infer U }
    ? T extends U
      ? E
      : never
    : never
  : never;
type Fields<T extends BeaconEvent['type']> = Omit<
  EventOf<T>,
  'type' | 'id' | 'seq' | 'ts' | 'playhead'
> &
  Partial<Pick<EventOf<T>, 'id' | 'seq' | 'ts' | 'playhead'>> & { time?: number };

/**
 * One enriched event of the given type. `time` defaults to ts (no skew); pass `time` to set the
 * corrected time explicitly.
 */
export function event<T extends BeaconEvent['type']>(
  type: T,
  fields: Fields<T> = {} as Fields<T>,
): EnrichedEvent {
  const ts = fields.ts ?? T0;
  return {
    type,
    id: fields.id ?? nextId('ev'),
    seq: fields.seq ?? 0,
    ts,
    playhead: fields.playhead ?? 0,
    ...fields,
    time: fields.time ?? ts,
  } as EnrichedEvent;
}

/**
 * An EnrichedRecord with sensible defaults (no skew, Frankfurt POP, desktop, one `started`).
 */
export function enrichedRecord(overrides: Partial<EnrichedRecord> = {}): EnrichedRecord {
  return {
    record_version: 1,
    schema_version: '1-0-0',
    received_at: T0,
    skew_ms: 0,
    session_id: nextId('sess'),
    content_id: 'big-buck-bunny',
    sdk_name: 'beacon-edge-web',
    sdk_version: '0.1.0',
    player_name: 'hls.js',
    player_version: '1.7.4',
    geo: {
      country: 'DE',
      region: 'HE',
      city: 'Frankfurt am Main',
      time_zone: 'Europe/Berlin',
      asn: '3320',
      lat: 50.1,
      lon: 8.7,
    },
    edge: {
      pop: 'FRA56-C1',
      edge_region: 'eu-central-1',
      serving_region: 'eu-central-1',
      stream_region: 'eu-central-1',
      request_id: nextId('req'),
      device: 'desktop',
    },
    events: [event('started')],
    ...overrides,
  };
}

/** A BadRow as the edge sends it for a rejected event. */
export function badRow(overrides: Partial<BadRow> = {}): BadRow {
  return {
    received_at: T0,
    request_id: nextId('req'),
    status: 200,
    reason: 'invalid_event',
    detail: '/events/0/seq must be integer',
    index: 0,
    session_id: nextId('sess'),
    payload: '{"type":"started","seq":"x"}',
    payload_encoding: 'json',
    ...overrides,
  };
}

/** UTF-8 bytes of a value's JSON, as Kinesis delivers record Data. */
export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/**
 * A playback session as a list of events with ascending seq: requested → first_frame(startup) → started, then `more`.
 */
export function playbackEvents(
  startupMs: number,
  more: EnrichedEvent[] = [],
  t0 = T0,
): EnrichedEvent[] {
  const base = [
    event('requested', { ts: t0, autoplay: false }),
    event('first_frame', { ts: t0 + startupMs, startup_ms: startupMs }),
    event('started', { ts: t0 + startupMs }),
  ];
  return [...base, ...more].map((e, seq) => ({ ...e, seq }));
}
