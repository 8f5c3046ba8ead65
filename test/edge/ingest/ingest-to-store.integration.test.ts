/**
 * Hostile but ordinary input, end to end in one process: the real ingest core (memory writers),
 * the record bytes as Kinesis carries them, the core's decoder, and the real DuckDB sink. For each
 * input: the events the response counts as accepted are exactly the event rows stored (each once,
 * by id), and every refused event or body is exactly one bad row with its documented reason.
 * `PRINT_OUTCOMES=1` prints the outcome table (for docs/RELIABILITY.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { ingest } from '../../../edge/ingest/ingest.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import { decodeRecords, type SourceRecord } from '../../../core-pipeline/record-decoder.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { makeBatch, makeIngestRequest, NOW } from '../../helpers/cloudfront-events.js';
import { jsonBytes } from '../../helpers/records.js';
import { tempDir } from '../../helpers/temp-store.js';
import { HOSTILE_INPUTS, type HostileInput } from '../../helpers/hostile-inputs.js';

const SENT_AT = NOW - 1500;
const dir = tempDir('ingest-to-store-');
let store: DuckDbStore;
let sequence = 0;
const outcomes: string[] = [];

beforeAll(async () => {
  store = await DuckDbStore.open(dir.file('store.duckdb'));
});
afterAll(async () => {
  await store.close();
  dir.remove();
  if (process.env.PRINT_OUTCOMES) console.log(outcomes.join('\n'));
});

function source(kind: SourceRecord['kind'], value: unknown): SourceRecord {
  sequence += 1;
  return {
    kind,
    data: jsonBytes(value),
    stream: kind === 'events' ? 'events' : 'bad-rows',
    shardId: 'shardId-000000000000',
    sequenceNumber: String(sequence),
    receivedAt: NOW,
  };
}

/** One input through the edge, the stream bytes, the decoder and the store. */
async function throughTheStack(input: HostileInput, n: number) {
  const batch = makeBatch({ sent_at: SENT_AT, types: ['started', 'paused', 'volume_changed'] });
  const obj = JSON.parse(JSON.stringify(batch));
  input.obj?.(obj);
  const plain = JSON.stringify(obj);
  const text = input.text ? input.text(plain, obj) : plain;
  // A text edit that matched nothing would test the valid batch instead.
  if (input.text) expect(text).not.toBe(plain);
  const requestId = input.requestId ?? `req-hostile-${n}`;
  const writer = new MemoryRecordWriter();
  const badRows = new MemoryBadRowSink();
  const res = await ingest(makeIngestRequest({ body: text, headers: input.headers, requestId }), {
    config: DEFAULT_CONFIG,
    writer,
    badRows,
  });
  const decoded = decodeRecords(
    [
      ...writer.records.map((r) => source('events', r)),
      ...badRows.rows.map((r) => source('bad_rows', r)),
    ],
    NOW + 1000,
  );
  await store.writeBatch({ ...decoded, checkpoints: [] });
  // The request id the edge used (generated when CloudFront's was empty).
  const usedId = writer.records[0]?.edge.request_id ?? badRows.rows[0]?.request_id ?? requestId;
  return { res, sent: obj.events as { id: string }[], usedId };
}

describe('hostile input, ingest → record bytes → decoder → DuckDB', () => {
  it.each(HOSTILE_INPUTS.map((input, n) => [input.name, input, n] as const))(
    '%s',
    async (_name, input, n) => {
      const { res, sent, usedId } = await throughTheStack(input, n);
      expect(res.status).toBe(input.status);
      const body = res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {};
      const rejected = (body.rejected ?? []) as { index: number; reason: string }[];
      const accepted =
        res.status === 204 ? sent.length : res.status === 200 ? (body.accepted as number) : 0;

      const stored = await store.query('SELECT event_id FROM events WHERE request_id = ?', [
        usedId,
      ]);
      const rejectedIndexes = new Set(rejected.map((r) => r.index));
      const acceptedIds = sent.filter((_e, i) => !rejectedIndexes.has(i)).map((e) => e.id);
      expect(stored.map((r) => r.event_id).sort()).toStrictEqual(
        accepted === 0 ? [] : acceptedIds.sort(),
      );
      expect(stored).toHaveLength(accepted);

      const bad = await store.query(
        'SELECT reason, source, "index" FROM bad_rows WHERE request_id = ? ORDER BY "index"',
        [usedId],
      );
      // Never a core bad row: whatever the edge kept, the core could read.
      expect(bad.map((b) => [b.source, b.reason])).toStrictEqual(
        input.badRows.map((reason) => ['edge', reason]),
      );
      if (rejected.length > 0 || res.status >= 400) {
        const reasons = rejected.length > 0 ? rejected.map((r) => r.reason) : [body.error];
        expect(reasons).toStrictEqual(input.badRows);
      }
      outcomes.push(
        `| ${input.name} | ${res.status} | ${sent.length} | ${accepted} | ${stored.length} | ${bad.length} ${input.badRows.join(', ')} | ${accepted - stored.length} |`,
      );
    },
  );
});
