/**
 * The bodies that the unmodified hls.js 1.7.4 and dash.js 5.2.1 POSTed in Chromium
 * (test/fixtures/cmcd/, scenario: play, pause, resume, one forced stall, bitrate switch, seek,
 * end) through the real edge (ingest → CmcdRecords) and the real core (decoder → mapper → DuckDB
 * with its rollups): every line stored once, and the startup time, stall and seek the page itself
 * measured come out of the stored events.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { ingest } from '../../../edge/ingest/ingest.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import { createDuckDbQueries } from '../../../core-pipeline/queries/duckdb-queries.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { capturedBodies, cmcdRequest } from '../../helpers/cmcd-requests.js';
import { decodedBatch } from '../../helpers/cmcd-batches.js';

let store: DuckDbStore;
beforeEach(async () => {
  store = await DuckDbStore.open(':memory:', { rollupMaintenanceMs: 0 });
});
afterEach(() => store.close());

/** Each captured body through the edge; its records written as one batch (arrival order). */
async function replay(file: string, perWrite: 'request' | 'all'): Promise<number> {
  const writer = new MemoryRecordWriter();
  const badRows = new MemoryBadRowSink();
  let lines = 0;
  const batches: unknown[][] = [];
  for (const { query, body } of capturedBodies(file)) {
    const before = writer.cmcdRecords.length;
    const res = await ingest(cmcdRequest(body, { query }), {
      config: DEFAULT_CONFIG,
      writer,
      badRows,
    });
    expect(res.status).toBe(204);
    lines += body.trim().split('\n').length;
    batches.push(writer.cmcdRecords.slice(before));
  }
  expect(badRows.rows).toStrictEqual([]);
  const groups = perWrite === 'all' ? [batches.flat()] : batches;
  for (const [i, g] of groups.entries())
    await store.writeBatch(decodedBatch(g, 1_800_000_000_000 + i));
  return lines;
}

const sessionRows = () =>
  store.query(
    "SELECT type, startup_ms, stall_ms, seek_ms, played_ms, stall_count, bitrate, prev_bitrate FROM events WHERE source = 'cmcd' AND type NOT IN ('response_received', 'heartbeat', 'play_state') ORDER BY seq",
  );

describe.each(['request', 'all'] as const)(
  'real players through edge and core (one write per %s)',
  (perWrite) => {
    it('hls.js 1.7.4: one row per line; startup, the one stall and the seek as measured', async () => {
      const lines = await replay('hlsjs-1.7.4.txt', perWrite);
      const [{ n }] = await store.query("SELECT count(*) AS n FROM events WHERE source = 'cmcd'");
      expect(n).toBe(lines);
      const rows = await sessionRows();
      const types = rows.map((r) => r.type);
      expect(types.filter((t) => t === 'stall_start')).toHaveLength(1);
      expect(types).toContain('seeked');
      const ff = rows.find((r) => r.type === 'first_frame');
      expect(ff?.startup_ms).toBe(4_047);
      const stall = rows.find((r) => r.type === 'stall_end');
      expect(stall?.stall_ms).toBe(1_584);
      expect(rows.filter((r) => r.type === 'bitrate_changed').map((r) => r.bitrate)).toEqual([
        44_000, 148_000,
      ]);
      const q = await createDuckDbQueries(store).qoe({ since: new Date(0) });
      expect(q.startup.p50Ms).toBe(4_047);
    });

    it('dash.js 5.2.1: one row per line; startup through its r-before-p, one stall, the seek', async () => {
      const lines = await replay('dashjs-5.2.1.txt', perWrite);
      const [{ n }] = await store.query("SELECT count(*) AS n FROM events WHERE source = 'cmcd'");
      expect(n).toBe(lines);
      const rows = await sessionRows();
      const types = rows.map((r) => r.type);
      expect(types.filter((t) => t === 'stall_start')).toHaveLength(1);
      expect(types).toContain('seeked');
      expect(rows.find((r) => r.type === 'first_frame')?.startup_ms).toBe(646);
      expect(rows.find((r) => r.type === 'stall_end')?.stall_ms).toBe(1_559);
      // No bc: the switch is the first rr/t line whose video pb (the `;v` item) changed.
      expect(
        rows.filter((r) => r.type === 'bitrate_changed').map((r) => [r.bitrate, r.prev_bitrate]),
      ).toEqual([[128_000, 24_000]]);
    });
  },
);
