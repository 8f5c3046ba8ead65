/**
 * Every schema version's valid examples, through the real edge ingest core (in-memory writers)
 * to the record it writes, through the core's decoder to rows, and into DuckDB: one stored shape
 * for all versions (schemas/upcast.ts), 1-1-0's fields in their own columns, 2-0-0's renamed
 * counters in stall_ms and bitrate, attrs null everywhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../edge/config.js';
import { ingest } from '../../edge/ingest/ingest.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../edge/writers/memory.js';
import type { EventRow } from '../../core-pipeline/rows.js';
import { DuckDbStore } from '../../core-pipeline/sinks/duckdb.js';
import { renamedFields } from '../../schemas/upcast.js';
import { SCHEMA_VERSIONS } from '../../schemas/versions.js';
import { makeIngestRequest } from '../helpers/cloudfront-events.js';
import { decodedRows } from '../helpers/records.js';

const schemaDir = path.resolve(__dirname, '../../schemas/beacon');

/** The valid batch examples of a version (the single-event ones go in as batches of one). */
function examples(version: string): [string, Record<string, unknown>][] {
  const dir = path.join(schemaDir, version, 'examples', 'valid');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const batchOf = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('batch-full-session'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))[0] as Record<
    string,
    unknown
  >;
  return files.map((f) => {
    const data = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>;
    if (f.startsWith('batch-')) return [f, data];
    // Sent when it happened: an event's time is checked against the batch's sent_at.
    return [f, { ...batchOf, sent_at: data.ts, events: [data] }];
  });
}

/** The example through the edge: the record it writes, and what it answered. */
async function throughEdge(batch: Record<string, unknown>) {
  const events = batch.events as { ts: number }[];
  // The examples' times are fixed; the edge is asked at the batch's own sent_at.
  const sentAt = batch.sent_at as number;
  const writer = new MemoryRecordWriter();
  const badRows = new MemoryBadRowSink();
  const res = await ingest(makeIngestRequest({ body: batch, now: sentAt + 500 }), {
    config: { ...DEFAULT_CONFIG, maxEventAgeMs: Number.MAX_SAFE_INTEGER },
    writer,
    badRows,
  });
  return {
    status: res.status,
    records: writer.records,
    badRows: badRows.rows,
    sent: events.length,
  };
}

const NEW_COLUMNS = [
  'drm_system',
  'audio_language',
  'subtitle_language',
  'frame_rate',
  'throughput_kbps',
  'buffer_ms',
] as const;

describe.each(SCHEMA_VERSIONS.map((v) => [v]))('schema %s examples, edge to rows', (version) => {
  it.each(examples(version))(
    '%s: every event acknowledged, decoded and in its columns',
    async (_f, batch) => {
      const edge = await throughEdge(batch);
      expect([edge.status, edge.badRows]).toStrictEqual([204, []]);
      expect(edge.records).toHaveLength(1);
      const [record] = edge.records;
      expect(record.schema_version).toBe(version);
      const rows = decodedRows([record]);
      expect(rows.badRows).toStrictEqual([]);
      expect(rows.events).toHaveLength(edge.sent);
      const sent = batch.events as Record<string, unknown>[];
      const renames = renamedFields(version);
      rows.events.forEach((row, i) => {
        const ev = sent[i];
        expect(row.schema_version).toBe(version);
        expect(row.attrs, `${row.type} attrs`).toBeNull();
        // Every field sent is in the row, under its stored name.
        const byType = renames[ev.type as string] ?? {};
        for (const [field, value] of Object.entries(ev)) {
          const column = byType[field] ?? COLUMN_OF[field] ?? field;
          expect((row as unknown as Record<string, unknown>)[column], `${row.type}.${field}`).toBe(
            value,
          );
        }
        for (const f of ['drm_system', 'audio_language', 'subtitle_language'] as const) {
          expect(row[f]).toBe((batch[f] as string | undefined) ?? null);
        }
        if (version === '1-0-0') for (const c of NEW_COLUMNS) expect(row[c]).toBeNull();
      });
    },
  );
});

/** Event fields whose column has another name. */
const COLUMN_OF: Record<string, keyof EventRow> = {
  id: 'event_id',
  code: 'error_code',
  message: 'error_message',
  to: 'seek_to',
};

describe('every version in one DuckDB store', () => {
  let store: DuckDbStore;
  beforeAll(async () => {
    store = await DuckDbStore.open(':memory:');
  });
  afterAll(() => store.close());

  it('stores each version’s full session in the one shape: 2-0-0 counters in stall_ms/bitrate, 1-1-0 fields in their columns', async () => {
    for (const version of SCHEMA_VERSIONS) {
      const [, batch] = examples(version).find(([f]) => f === 'batch-every-type.json') ?? [];
      expect(batch, `${version} batch-every-type.json`).toBeDefined();
      const edge = await throughEdge(batch as Record<string, unknown>);
      await store.writeBatch({ ...decodedRows(edge.records), checkpoints: [] });
    }
    const rows = await store.query(
      `SELECT schema_version, type, stall_ms, bitrate, frame_rate, throughput_kbps, buffer_ms,
              drm_system, audio_language, subtitle_language, attrs
       FROM events WHERE type IN ('heartbeat', 'session_end', 'variant_loaded')
       ORDER BY schema_version, type`,
    );
    const one = (v: string, t: string) => rows.find((r) => r.schema_version === v && r.type === t);
    // The same session in three versions: the counters agree whatever their wire names.
    for (const t of ['heartbeat', 'session_end']) {
      expect(one('2-0-0', t)?.stall_ms, t).toBe(one('1-0-0', t)?.stall_ms);
      expect(one('2-0-0', t)?.stall_ms, t).not.toBeNull();
    }
    expect(one('2-0-0', 'heartbeat')?.bitrate).toBe(one('1-0-0', 'heartbeat')?.bitrate);
    expect(one('1-1-0', 'heartbeat')).toMatchObject({
      throughput_kbps: 8500,
      buffer_ms: 12000,
      drm_system: 'widevine',
      audio_language: 'pt-BR',
      subtitle_language: 'en',
    });
    expect(one('2-0-0', 'variant_loaded')?.frame_rate).toBe(23.976);
    expect(one('1-0-0', 'variant_loaded')?.frame_rate).toBeNull();
    expect(rows.every((r) => r.attrs === null)).toBe(true);
    const [{ n }] = await store.query('SELECT count(DISTINCT schema_version) AS n FROM events');
    expect(n).toBe(3);
  });
});
