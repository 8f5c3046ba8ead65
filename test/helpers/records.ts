/**
 * Factories for what travels from the edge to the core pipeline: EnrichedRecords, their events and
 * bad rows. The one place a whole record is spelled out: edge tests build the record they expect
 * with `recordOfBatch`, core tests build their input with `enrichedRecord`. Every factory takes
 * overrides, and ids are fresh so tests never collide.
 */
import type { BeaconBatch, BeaconEvent, BeaconEventV2, EventBase } from '../../schemas/index.js';
import type {
  BadRow,
  EdgeContext,
  EnrichedEvent,
  EnrichedRecord,
  GeoContext,
  RolloutRefusal,
} from '../../schemas/record.js';
import { decodeRecords } from '../../core-pipeline/record-decoder.js';
import { makeId } from './batch-factory.js';

/** 2026-01-01T00:00:00Z: a round base time so expectations are easy to compute by hand. */
export const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

/**
 * The geo fields the edge records for the Frankfurt viewer of cloudfront-events.ts
 * (`FRANKFURT_VIEWER`): coordinates rounded to one decimal.
 */
const FRANKFURT_GEO: Readonly<GeoContext> = Object.freeze({
  country: 'DE',
  region: 'HE',
  city: 'Frankfurt am Main',
  time_zone: 'Europe/Berlin',
  asn: '3320',
  lat: 50.1,
  lon: 8.7,
});

/**
 * The edge context of a desktop viewer entering at `pop` (default FRA56-C1), served and stored
 * in `region` (default eu-central-1).
 * @example edgeContext('req-1', 'SIN', 'ap-southeast-1')
 */
export function edgeContext(
  requestId: string,
  pop = 'FRA56-C1',
  region = 'eu-central-1',
): EdgeContext {
  return {
    pop,
    edge_region: region,
    serving_region: region,
    stream_region: region,
    request_id: requestId,
    device: 'desktop',
  };
}

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
    id: fields.id ?? makeId('ev'),
    seq: fields.seq ?? 0,
    ts,
    playhead: fields.playhead ?? 0,
    ...fields,
    time: fields.time ?? ts,
  } as EnrichedEvent;
}

/** The fields of a 2-0-0 event whose counters 2-0-0 renamed. */
type V2Fields<T extends 'heartbeat' | 'session_end'> = Omit<
  Extract<BeaconEventV2, { type: T }>,
  'type' | 'id' | 'seq' | 'ts' | 'playhead'
> &
  Partial<Pick<EventBase, 'id' | 'seq' | 'ts' | 'playhead'>>;

/** A heartbeat or session_end as a 2-0-0 client sends it (`stall_total_ms`, `avg_bitrate`). */
export function eventV2<T extends 'heartbeat' | 'session_end'>(
  type: T,
  fields: V2Fields<T>,
): EnrichedEvent {
  const ts = fields.ts ?? T0;
  return {
    type,
    id: fields.id ?? makeId('ev'),
    seq: fields.seq ?? 0,
    ts,
    playhead: fields.playhead ?? 0,
    ...fields,
    time: ts,
  } as EnrichedEvent;
}

/**
 * An EnrichedRecord with sensible defaults (received at T0, no skew, a Frankfurt desktop viewer,
 * one `started`). Overrides replace whole fields (`geo` and `edge` included); an override of
 * `undefined` leaves an optional field out, as the edge does.
 */
export function enrichedRecord(overrides: Partial<EnrichedRecord> = {}): EnrichedRecord {
  const record: EnrichedRecord = {
    record_version: 1,
    schema_version: '1-0-0',
    received_at: T0,
    skew_ms: 0,
    session_id: makeId('sess'),
    content_id: 'big-buck-bunny',
    sdk_name: 'beacon-edge-web',
    sdk_version: '0.1.0',
    player_name: 'hls.js',
    player_version: '1.7.4',
    geo: { ...FRANKFURT_GEO },
    edge: edgeContext(makeId('req')),
    events: [event('started')],
    ...overrides,
  };
  for (const key of Object.keys(record) as (keyof EnrichedRecord)[]) {
    if (record[key] === undefined) delete record[key];
  }
  return record;
}

/**
 * The record the edge writes when it accepts every event of `batch` from the default viewer of
 * cloudfront-events.ts: the batch's envelope and events as sent, `skew_ms` = received_at − sent_at,
 * Frankfurt geo and edge context with the request's id; `overrides` replace whole fields.
 */
export function recordOfBatch(
  batch: BeaconBatch,
  at: { receivedAt: number; requestId: string },
  overrides: Partial<EnrichedRecord> = {},
): EnrichedRecord {
  return enrichedRecord({
    schema_version: batch.schema_version,
    received_at: at.receivedAt,
    skew_ms: at.receivedAt - batch.sent_at,
    session_id: batch.session_id,
    viewer_id: batch.viewer_id,
    content_id: batch.content_id,
    sdk_name: batch.sdk_name,
    sdk_version: batch.sdk_version,
    player_name: batch.player_name,
    player_version: batch.player_version,
    edge: edgeContext(at.requestId),
    events: batch.events,
    ...overrides,
  });
}

/** A BadRow as the edge sends it for a rejected event. */
export function badRow(overrides: Partial<BadRow> = {}): BadRow {
  return {
    received_at: T0,
    request_id: makeId('req'),
    status: 200,
    reason: 'invalid_event',
    detail: '/events/0/seq must be integer',
    index: 0,
    session_id: makeId('sess'),
    payload: '{"type":"started","seq":"x"}',
    payload_encoding: 'json',
    ...overrides,
  };
}

/** A RolloutRefusal as the edge writes it for a request of a retired schema version. */
export function rolloutRefusal(overrides: Partial<RolloutRefusal> = {}): RolloutRefusal {
  return {
    kind: 'rollout_refusal',
    received_at: T0,
    request_id: makeId('req'),
    status: 410,
    reason: 'schema_retired',
    detail: 'schema_version 1-0-0 is retired; send 2-0-0',
    rule: '1-0-0:retired',
    schema_version: '1-0-0',
    sdk_name: 'beacon-edge-web',
    sdk_version: '0.1.0',
    session_id: makeId('sess'),
    events: 3,
    pop: 'FRA56-C1',
    ...overrides,
  };
}

/** UTF-8 bytes of a value's JSON, as Kinesis delivers record Data. */
export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/**
 * The rows the core decodes from `records` (one Kinesis record each, in order, on the events
 * stream), stamped as ingested at `ingestedAt`: what a sink test writes.
 */
export function decodedRows(
  records: readonly unknown[],
  { receivedAt = T0, ingestedAt = T0 + 1000 }: { receivedAt?: number; ingestedAt?: number } = {},
) {
  return decodeRecords(
    records.map((r, i) => ({
      kind: 'events' as const,
      data: jsonBytes(r),
      stream: 'beacon-edge-events',
      shardId: 'shardId-000000000000',
      sequenceNumber: String(i),
      receivedAt,
    })),
    ingestedAt,
  );
}

/**
 * A playback session as a list of events with ascending seq: requested → first_frame(startup) →
 * started, then `more`.
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
