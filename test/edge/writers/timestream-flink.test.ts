/**
 * The `timestream-flink` wire format against the Flink job's parsing rules (test/helpers/flink-rules.ts):
 * every valid schema example goes through the real ingest core, and each accepted event must
 * become exactly one record the job stores as written, with the core pipeline's time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { recordToRows } from '../../../core-pipeline/transform.js';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { ingest } from '../../../edge/ingest/ingest.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import {
  FLINK_MEASURES,
  MAX_RECORD_BYTES,
  recordBytes,
  toFlinkEvents,
} from '../../../edge/writers/timestream-flink.js';
import { EVENT_TYPES, SCHEMA_VERSIONS, type BeaconBatch } from '../../../schemas/index.js';
import type { EnrichedRecord } from '../../../schemas/record.js';
import {
  makeBatch,
  makeBatchOfEveryType,
  makeIngestRequest,
  NOW,
} from '../../helpers/cloudfront-events.js';
import { dimensionNames, flinkViolations } from '../../helpers/flink-rules.js';

const schemaDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../schemas/beacon',
);

/** Every valid example of every schema version as a batch (an event example in a batch of its own). */
function exampleBatches(): [string, BeaconBatch][] {
  return SCHEMA_VERSIONS.flatMap((version) => {
    const dir = path.join(schemaDir, version, 'examples', 'valid');
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f): [string, BeaconBatch] => {
        const data = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
        if (Array.isArray(data.events)) return [`${version}/${f}`, data as BeaconBatch];
        return [
          `${version}/${f}`,
          makeBatch({ schema_version: version, sent_at: data.ts, events: [data] }),
        ];
      });
  });
}

/** The record the ingest core writes for a batch, and the ids it acknowledged. */
async function ingested(batch: BeaconBatch): Promise<{ record: EnrichedRecord; status: number }> {
  const writer = new MemoryRecordWriter();
  const res = await ingest(makeIngestRequest({ body: batch }), {
    config: DEFAULT_CONFIG,
    writer,
    badRows: new MemoryBadRowSink(),
  });
  expect(writer.records).toHaveLength(1);
  return { record: writer.records[0], status: res.status };
}

describe('timestream-flink records of the schema examples', () => {
  it.each(exampleBatches())(
    '%s: one valid record per accepted event, with the core time',
    async (_, batch) => {
      const { record, status } = await ingested(batch);
      expect(status).toBe(204);
      const flink = toFlinkEvents(record);
      expect(flink.map((f) => f.event_id)).toStrictEqual(batch.events.map((e) => e.id));
      const coreTime = new Map(recordToRows(record, NOW).events.map((r) => [r.event_id, r.time]));
      for (const [i, f] of flink.entries()) {
        // Through JSON, as the job reads it.
        expect(flinkViolations(JSON.parse(JSON.stringify(f)))).toStrictEqual([]);
        expect(f.MeasureName).toBe(batch.events[i].type);
        expect(f.Time).toBe(coreTime.get(batch.events[i].id));
        expect(recordBytes(f)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
      }
    },
  );
});

describe('the mapping', () => {
  it('writes a first_frame as its startup time, every other key a string dimension', async () => {
    const batch = makeBatch({ sent_at: NOW - 500, types: ['first_frame'] });
    const { record } = await ingested(batch);
    const ev = batch.events[0] as { id: string; ts: number; startup_ms: number; playhead: number };
    expect(toFlinkEvents(record)).toStrictEqual([
      {
        Time: ev.ts + 500,
        TimeUnit: 'MILLISECONDS',
        MeasureName: 'first_frame',
        MeasureValue: String(ev.startup_ms),
        MeasureValueType: 'DOUBLE',
        event_id: ev.id,
        session_id: batch.session_id,
        content_id: batch.content_id,
        schema_version: batch.schema_version,
        seq: '0',
        playhead: String(ev.playhead),
        pop: 'FRA56-C1',
        edge_region: 'eu-central-1',
        serving_region: 'eu-central-1',
        stream_region: 'eu-central-1',
        device: 'desktop',
        country: 'DE',
        country_region: 'HE',
        asn: '3320',
        sdk_name: batch.sdk_name,
        sdk_version: batch.sdk_version,
        player_name: batch.player_name,
        player_version: batch.player_version,
        viewer_id: batch.viewer_id,
        city: 'Frankfurt am Main',
        time_zone: 'Europe/Berlin',
        lat: '50.1',
        lon: '8.7',
        request_id: 'req-0001',
      },
    ]);
  });

  it('gives each measure name one type, counts for events without a quantity', async () => {
    const { record } = await ingested(makeBatchOfEveryType({ sent_at: NOW }));
    for (const f of toFlinkEvents(record)) {
      const m = FLINK_MEASURES[f.MeasureName as (typeof EVENT_TYPES)[number]];
      expect(f.MeasureValueType).toBe(m.type);
      if (m.field === undefined) expect(f.MeasureValue).toBe('1');
      else expect(f[m.field], 'the measure is not repeated as a dimension').toBeUndefined();
    }
    expect(Object.keys(FLINK_MEASURES).sort()).toStrictEqual([...EVENT_TYPES].sort());
  });

  it('names the stream it is written to (a fallback stream) in stream_region', async () => {
    const { record } = await ingested(makeBatch({ sent_at: NOW, types: ['started'] }));
    expect(toFlinkEvents(record, 'us-east-1')[0].stream_region).toBe('us-east-1');
  });

  it('uses at most 128 dimension names over every event type, each one Timestream accepts', async () => {
    const { record } = await ingested(makeBatchOfEveryType({ sent_at: NOW }));
    const names = new Set(toFlinkEvents(record).flatMap((f) => dimensionNames(f)));
    expect(names.size).toBeLessThanOrEqual(128);
    for (const f of toFlinkEvents(record)) expect(flinkViolations(f)).toStrictEqual([]);
  });

  it('keeps a record at the largest allowed values under 2 KB: essentials whole, the message cut', async () => {
    const wide = '𝄞'; // 4 UTF-8 bytes, 2 UTF-16 units: a cut must not split it
    const batch = makeBatch({
      sent_at: NOW,
      types: ['error'],
      content_id: wide.repeat(256),
      sdk_name: wide.repeat(64),
      sdk_version: wide.repeat(32),
      player_name: wide.repeat(64),
      player_version: wide.repeat(32),
      viewer_id: 'v'.repeat(128),
    });
    Object.assign(batch.events[0], { code: wide.repeat(64), message: wide.repeat(512) });
    const { record } = await ingested(batch);
    const [f] = toFlinkEvents(record);
    expect(flinkViolations(f)).toStrictEqual([]);
    expect(recordBytes(f)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    // The mapper counts bytes without encoding; Buffer counts them by encoding.
    const { Time, TimeUnit, MeasureName, MeasureValue, MeasureValueType, ...dims } = f;
    const metered = Object.entries(dims).reduce(
      (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)),
      8 + Buffer.byteLength(MeasureName) + 8,
    );
    expect(recordBytes(f)).toBe(metered);
    expect(f).toMatchObject({
      event_id: batch.events[0].id,
      session_id: batch.session_id,
      content_id: batch.content_id,
      seq: '0',
    });
    const message = String(f.error_message ?? '');
    expect(wide.repeat(512).startsWith(message)).toBe(true);
    expect(message.length % 2).toBe(0);
  });
});

describe('the rules themselves (they must be able to fail)', () => {
  const good = {
    Time: 1764288000000,
    TimeUnit: 'MILLISECONDS',
    MeasureName: 'started',
    MeasureValue: '1',
    MeasureValueType: 'BIGINT',
    session_id: 's-12345678',
  };

  it('accept a well-formed record', () => {
    expect(flinkViolations(good)).toStrictEqual([]);
  });

  it.each([
    ['a nested value', { ...good, geo: { country: 'DE' } }, 'nested'],
    ['a null', { ...good, os: null }, 'null'],
    ['a number dimension', { ...good, seq: 3 }, 'not a string'],
    ['a fractional Time', { ...good, Time: 1764288000000.5 }, 'Long.parseLong'],
    ['Time as a string', { ...good, Time: '1764288000000' }, 'Long.parseLong'],
    ['an unknown measure type', { ...good, MeasureValueType: 'INT' }, 'enum'],
    [
      'a DOUBLE that is not a number',
      { ...good, MeasureValueType: 'DOUBLE', MeasureValue: 'x' },
      'DOUBLE',
    ],
    ['a dimension the job reads as Time', { ...good, time: '5' }, 'one key'],
    ['a reserved dimension name', { ...good, measure_value: '5' }, 'reserved'],
    ['an empty dimension', { ...good, os: '' }, 'empty'],
    ['a record over 2 KB', { ...good, a: 'x'.repeat(1000), b: 'y'.repeat(1000) }, '2 KB'],
    ['a missing MeasureName', { ...good, MeasureName: undefined }, 'missing'],
  ])('refuse %s', (_, value, phrase) => {
    const v = JSON.parse(JSON.stringify(value));
    expect(flinkViolations(v).join('; ')).toContain(phrase);
  });
});

describe('later schema versions', () => {
  it('writes a 2-0-0 heartbeat under the stored names and keeps the 1-1-0 fields as dimensions', async () => {
    const event = {
      type: 'heartbeat',
      id: 'evt-hb-1',
      seq: 0,
      ts: NOW - 1000,
      playhead: 12.5,
      played_ms: 10000,
      stall_count: 1,
      throughput_kbps: 18500,
      buffer_ms: 24000,
      stall_total_ms: 1200,
      avg_bitrate: 2500000,
    } as never;
    const batch = {
      ...makeBatch({ schema_version: '2-0-0', sent_at: NOW, events: [event] }),
      drm_system: 'widevine',
      audio_language: 'pt-BR',
    } as BeaconBatch;
    const { record, status } = await ingested(batch);
    expect(status).toBe(204);
    const [f] = toFlinkEvents(record);
    expect(f).toMatchObject({
      MeasureName: 'heartbeat',
      MeasureValue: '10000',
      stall_ms: '1200',
      bitrate: '2500000',
      throughput_kbps: '18500',
      buffer_ms: '24000',
      drm_system: 'widevine',
      audio_language: 'pt-BR',
    });
    expect(f.stall_total_ms).toBeUndefined();
    expect(f.avg_bitrate).toBeUndefined();
    expect(flinkViolations(f)).toStrictEqual([]);
  });
});
