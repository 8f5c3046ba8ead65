import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordToRows } from '../../core-pipeline/transform.js';
import {
  UnreadableRecordError,
  UnsupportedRecordVersionError,
} from '../../core-pipeline/errors.js';
import { EVENT_COLUMNS } from '../../core-pipeline/rows.js';
import { LIMITS } from '../../schemas/limits.js';
import type { EnrichedRecord } from '../../schemas/record.js';
import { catchError } from '../helpers/catch-error.js';
import { enrichedRecord, event, eventV2, T0 } from '../helpers/records.js';

const INGESTED = T0 + 5000;

describe('recordToRows', () => {
  it('flattens envelope, geo, edge and measures into one row per event', () => {
    const ev = event('variant_loaded', {
      id: 'evt_variant_1',
      seq: 3,
      ts: T0 + 100,
      time: T0 + 350,
      playhead: 1.5,
      bitrate: 2500000,
      width: 1280,
      height: 720,
      level: 2,
    });
    const record = enrichedRecord({
      session_id: 'sess_abcdefgh',
      received_at: T0 + 400,
      skew_ms: 250,
      viewer_id: 'viewer-1',
      events: [ev],
    });
    const { events, invalidEvents } = recordToRows(record, INGESTED);
    expect(invalidEvents).toStrictEqual([]);
    expect(events).toStrictEqual([
      {
        event_id: 'evt_variant_1',
        type: 'variant_loaded',
        seq: 3,
        ts: T0 + 100,
        time: T0 + 350,
        playhead: 1.5,
        received_at: T0 + 400,
        ingested_at: INGESTED,
        skew_ms: 250,
        record_version: 1,
        schema_version: '1-0-0',
        session_id: 'sess_abcdefgh',
        viewer_id: 'viewer-1',
        content_id: 'big-buck-bunny',
        sdk_name: 'beacon-edge-web',
        sdk_version: '0.1.0',
        player_name: 'hls.js',
        player_version: '1.7.4',
        source: 'sdk',
        drm_system: null,
        audio_language: null,
        subtitle_language: null,
        country: 'DE',
        country_region: 'HE',
        city: 'Frankfurt am Main',
        time_zone: 'Europe/Berlin',
        asn: '3320',
        lat: 50.1,
        lon: 8.7,
        pop: 'FRA56-C1',
        edge_region: 'eu-central-1',
        serving_region: 'eu-central-1',
        stream_region: 'eu-central-1',
        request_id: record.edge.request_id,
        device: 'desktop',
        os: null,
        startup_ms: null,
        stall_ms: null,
        bitrate: 2500000,
        prev_bitrate: null,
        width: 1280,
        height: 720,
        level: 2,
        volume: null,
        muted: null,
        error_code: null,
        error_message: null,
        fatal: null,
        played_ms: null,
        stall_count: null,
        dropped_frames: null,
        seek_ms: null,
        seek_to: null,
        reason: null,
        autoplay: null,
        frame_rate: null,
        throughput_kbps: null,
        buffer_ms: null,
        attrs: null,
      },
    ]);
  });

  it('produces every column of EVENT_COLUMNS and nothing else', () => {
    const { events } = recordToRows(enrichedRecord(), INGESTED);
    expect(Object.keys(events[0]).sort()).toStrictEqual(EVENT_COLUMNS.map((c) => c.name).sort());
  });

  it.each([
    ['first_frame', event('first_frame', { startup_ms: 812 }), { startup_ms: 812 }],
    ['stall_end', event('stall_end', { stall_ms: 1200 }), { stall_ms: 1200 }],
    [
      'bitrate_changed',
      event('bitrate_changed', { bitrate: 800000, prev_bitrate: 2500000 }),
      { bitrate: 800000, prev_bitrate: 2500000 },
    ],
    [
      'volume_changed',
      event('volume_changed', { volume: 0.25, muted: false }),
      { volume: 0.25, muted: false },
    ],
    [
      'error',
      event('error', { code: 'NETWORK', message: 'timeout', fatal: true }),
      { error_code: 'NETWORK', error_message: 'timeout', fatal: true },
    ],
    [
      'heartbeat',
      event('heartbeat', {
        played_ms: 10000,
        stall_ms: 300,
        stall_count: 1,
        bitrate: 3000000,
        dropped_frames: 4,
      }),
      { played_ms: 10000, stall_ms: 300, stall_count: 1, bitrate: 3000000, dropped_frames: 4 },
    ],
    ['seeking', event('seeking', { to: 42.5 }), { seek_to: 42.5 }],
    ['seeked', event('seeked', { seek_ms: 350 }), { seek_ms: 350 }],
    [
      'session_end',
      event('session_end', { played_ms: 1, stall_ms: 0, stall_count: 0, reason: 'unload' }),
      { reason: 'unload', played_ms: 1, stall_ms: 0, stall_count: 0 },
    ],
    ['requested', event('requested', { autoplay: true }), { autoplay: true }],
  ])('maps the %s measures to typed columns', (_type, ev, expected) => {
    const [row] = recordToRows(enrichedRecord({ events: [ev] }), INGESTED).events;
    expect(row).toMatchObject(expected);
    expect(row.attrs).toBeNull();
  });

  it('recomputes time from ts + skew_ms when the producer left it out', () => {
    const { time: _time, ...noTime } = event('paused', { ts: T0 });
    const [row] = recordToRows(
      enrichedRecord({ skew_ms: -700, events: [noTime as never] }),
      INGESTED,
    ).events;
    expect(row.time).toBe(T0 - 700);
  });

  it('refuses an unknown record_version with a named error carrying the bad-row reason', () => {
    const record = { ...enrichedRecord(), record_version: 2 } as unknown as EnrichedRecord;
    const err = catchError(() => recordToRows(record, INGESTED));
    expect(err).toBeInstanceOf(UnsupportedRecordVersionError);
    expect(err).toMatchObject({ reason: 'unreadable_record', recordVersion: 2 });
  });

  it.each([
    ['edge', { edge: null }],
    ['received_at', { received_at: '2026-01-01' }],
    ['session_id', { session_id: 7 }],
    ['events', { events: 'none' }],
    ['geo.lat', { geo: { lat: 'north' } }],
    ['received_at', { received_at: 9e15 }],
  ])('refuses a record whose %s breaks the contract', (field, patch) => {
    const err = catchError(() =>
      recordToRows({ ...enrichedRecord(), ...patch } as unknown as EnrichedRecord, INGESTED),
    );
    expect(err).toBeInstanceOf(UnreadableRecordError);
    expect((err as UnreadableRecordError).field).toBe(field);
  });

  it('keeps the good events of a record and reports each bad one with its index', () => {
    const good = event('started', { id: 'evt_good_0001' });
    const record = enrichedRecord({
      events: [
        good,
        { ...event('paused'), seq: 1.5 },
        { ...event('muted'), id: 'bad\uD800id' },
        event('unmuted'),
      ] as never,
    });
    const { events, invalidEvents } = recordToRows(record, INGESTED);
    expect(events.map((e) => e.type)).toStrictEqual(['started', 'unmuted']);
    expect(invalidEvents.map((e) => [e.index, e.field, e.reason])).toStrictEqual([
      [1, 'seq', 'invalid_record_event'],
      [2, 'id', 'invalid_record_event'],
    ]);
  });

  it('repairs shared strings that are not well-formed (U+FFFD) instead of refusing the record', () => {
    const record = enrichedRecord({
      content_id: 'movie\uD800',
      player_name: '\uDC00',
      geo: { city: `${'a'.repeat(127)}\uD83D` },
      edge: { ...enrichedRecord().edge, request_id: 'req\uDC00' },
      events: [event('started'), event('paused')],
    });
    const { events, invalidEvents } = recordToRows(record, INGESTED);
    expect(invalidEvents).toStrictEqual([]);
    expect(events.map((e) => [e.content_id, e.player_name, e.city, e.request_id])).toStrictEqual(
      Array(2).fill(['movie\uFFFD', '\uFFFD', `${'a'.repeat(127)}\uFFFD`, 'req\uFFFD']),
    );
  });

  it("refuses an event's own string that is not well-formed, that event only", () => {
    const record = enrichedRecord({
      events: [
        event('started'),
        event('error', { code: 'E\uD800', fatal: false }),
        event('error', { code: 'E1', message: 'm\uDC00', fatal: false }),
        event('paused'),
      ],
    });
    const { events, invalidEvents } = recordToRows(record, INGESTED);
    expect(events.map((e) => e.type)).toStrictEqual(['started', 'paused']);
    expect(invalidEvents.map((e) => [e.index, e.field, e.detail])).toStrictEqual([
      [1, 'code', 'must be well-formed Unicode'],
      [2, 'message', 'must be well-formed Unicode'],
    ]);
  });

  it('cuts over-long shared strings to their rule on whole code points, keeping every event', () => {
    const record = enrichedRecord({
      content_id: 'c'.repeat(1_000_000),
      sdk_version: '😀'.repeat(LIMITS.maxLength.sdk_version + 1),
      geo: { city: `${'a'.repeat(LIMITS.maxHeaderValueChars - 1)}😀😀` },
      edge: { ...enrichedRecord().edge, request_id: 'r'.repeat(5000) },
      events: [event('started'), event('paused')],
    });
    const { events, invalidEvents } = recordToRows(record, INGESTED);
    expect(invalidEvents).toStrictEqual([]);
    expect(events.map((e) => [e.content_id, e.sdk_version, e.city, e.request_id])).toStrictEqual(
      Array(2).fill([
        'c'.repeat(LIMITS.maxLength.content_id),
        '😀'.repeat(LIMITS.maxLength.sdk_version),
        `${'a'.repeat(LIMITS.maxHeaderValueChars - 1)}😀`,
        'r'.repeat(LIMITS.maxHeaderValueChars),
      ]),
    );
  });

  it("refuses an event's own over-long string, that event only, and counts code points", () => {
    const max = LIMITS.maxLength.error_message;
    const record = enrichedRecord({
      events: [
        event('started'),
        event('error', { code: 'E'.repeat(1000), fatal: false }),
        event('error', { code: 'E1', message: '😀'.repeat(max + 1), fatal: false }),
        event('error', { code: 'E2', message: '😀'.repeat(max), fatal: false }),
        { ...event('paused'), id: 'i'.repeat(LIMITS.maxIdLength + 1) },
        event('paused'),
      ],
    });
    const { events, invalidEvents } = recordToRows(record, INGESTED);
    expect(events.map((e) => e.type)).toStrictEqual(['started', 'error', 'paused']);
    expect(events[1].error_message).toBe('😀'.repeat(max));
    expect(invalidEvents.map((e) => [e.index, e.field, e.detail])).toStrictEqual([
      [1, 'code', `must be at most ${LIMITS.maxLength.error_code} characters`],
      [2, 'message', `must be at most ${max} characters`],
      [4, 'id', `must be at most ${LIMITS.maxIdLength} characters`],
    ]);
  });

  it('refuses event times no store can hold, per event', () => {
    const record = enrichedRecord({
      events: [
        event('started', { ts: -1 }),
        event('paused', { time: 1e16 }),
        event('muted', { seq: 2 }),
      ],
    });
    const { events, invalidEvents } = recordToRows(record, INGESTED);
    expect(events.map((e) => e.type)).toStrictEqual(['muted']);
    expect(invalidEvents.map((e) => e.field)).toStrictEqual(['ts', 'time']);
  });

  it('has a column for every field of every valid 1-0-0 example event (attrs null)', () => {
    const dir = path.join(__dirname, '../../schemas/beacon/1-0-0/examples/valid');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      // batch-*.json are whole batches, event-*.json single events.
      const example = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
        events?: unknown[];
      };
      const input = Array.isArray(example.events) ? example.events : [example];
      const { events, invalidEvents } = recordToRows(
        enrichedRecord({ events: input as never }),
        INGESTED,
      );
      expect({ file, invalid: invalidEvents.length, rows: events.length }).toStrictEqual({
        file,
        invalid: 0,
        rows: input.length,
      });
      expect({ file, attrs: events.map((r) => r.attrs).filter((a) => a !== null) }).toStrictEqual({
        file,
        attrs: [],
      });
    }
  });

  it('keeps an own __proto__ key of a newer event as a plain field in attrs', () => {
    const ev = JSON.parse(
      '{"type":"paused","id":"evt_proto_001","seq":0,"ts":1,"playhead":0,"__proto__":{"polluted":true}}',
    );
    const [row] = recordToRows(
      enrichedRecord({ events: [{ ...ev, ts: T0 }] as never }),
      INGESTED,
    ).events;
    expect(row.attrs).toBe('{"__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stores event types it does not know (a newer schema) with their fields that have no column in attrs', () => {
    const ev = { ...event('started'), type: 'ad_break', ad_id: 'x1' };
    const [row] = recordToRows(enrichedRecord({ events: [ev as never] }), INGESTED).events;
    expect(row.type).toBe('ad_break');
    expect(JSON.parse(row.attrs ?? 'null')).toStrictEqual({ ad_id: 'x1' });
  });

  it('puts 1-1-0 envelope fields on every row and its event fields in their columns', () => {
    const record = enrichedRecord({
      schema_version: '1-1-0',
      drm_system: 'fairplay',
      audio_language: 'pt-BR',
      subtitle_language: 'en',
      events: [
        event('variant_loaded', { bitrate: 2_500_000, frame_rate: 29.97 }),
        event('heartbeat', {
          seq: 1,
          played_ms: 10_000,
          stall_ms: 0,
          stall_count: 0,
          throughput_kbps: 8500,
          buffer_ms: 12_000.5,
        }),
      ],
    });
    const { events, invalidEvents } = recordToRows(record, INGESTED);
    expect(invalidEvents).toStrictEqual([]);
    const pick = ({
      drm_system,
      audio_language,
      subtitle_language,
      frame_rate,
      throughput_kbps,
      buffer_ms,
      attrs,
    }: (typeof events)[number]) => ({
      drm_system,
      audio_language,
      subtitle_language,
      frame_rate,
      throughput_kbps,
      buffer_ms,
      attrs,
    });
    const shared = { drm_system: 'fairplay', audio_language: 'pt-BR', subtitle_language: 'en' };
    expect(events.map(pick)).toStrictEqual([
      { ...shared, frame_rate: 29.97, throughput_kbps: null, buffer_ms: null, attrs: null },
      { ...shared, frame_rate: null, throughput_kbps: 8500, buffer_ms: 12_000.5, attrs: null },
    ]);
  });

  it("stores 2-0-0's renamed counters in the 1-x columns, attrs null", () => {
    const record = enrichedRecord({
      schema_version: '2-0-0',
      events: [
        eventV2('heartbeat', {
          played_ms: 10_000,
          stall_total_ms: 1200,
          stall_count: 1,
          avg_bitrate: 2_400_000,
        }),
        eventV2('session_end', { seq: 1, played_ms: 20_000, stall_total_ms: 1500, stall_count: 2 }),
        event('stall_end', { seq: 2, stall_ms: 300 }),
      ],
    });
    const { events, invalidEvents } = recordToRows(record, INGESTED);
    expect(invalidEvents).toStrictEqual([]);
    expect(events.map((r) => [r.type, r.stall_ms, r.bitrate, r.attrs])).toStrictEqual([
      ['heartbeat', 1200, 2_400_000, null],
      ['session_end', 1500, null, null],
      ['stall_end', 300, null, null],
    ]);
    // The record is not changed: its events keep the names the client sent.
    expect(Object.keys(record.events[0])).toContain('stall_total_ms');
  });

  it('names the field the client sent when a renamed value cannot be stored', () => {
    const record = enrichedRecord({
      schema_version: '2-0-0',
      events: [
        eventV2('heartbeat', { played_ms: 1, stall_total_ms: 'x' as never, stall_count: 0 }),
        eventV2('heartbeat', { seq: 1, played_ms: 1, stall_total_ms: 0, stall_count: 0 }),
      ],
    });
    const { events, invalidEvents } = recordToRows(record, INGESTED);
    expect(events).toHaveLength(1);
    expect(invalidEvents.map((e) => [e.index, e.field])).toStrictEqual([[0, 'stall_total_ms']]);
  });

  it('holds a renamed name in a version that does not rename it to its rule, and keeps it in attrs', () => {
    const good = { ...event('paused'), avg_bitrate: 5 };
    const bad = { ...event('paused', { seq: 1 }), avg_bitrate: 1.5 };
    const { events, invalidEvents } = recordToRows(
      enrichedRecord({ schema_version: '1-0-0', events: [good, bad] as never }),
      INGESTED,
    );
    expect(events.map((r) => [r.bitrate, r.attrs])).toStrictEqual([[null, '{"avg_bitrate":5}']]);
    expect(invalidEvents.map((e) => [e.index, e.field])).toStrictEqual([[1, 'avg_bitrate']]);
  });
});
