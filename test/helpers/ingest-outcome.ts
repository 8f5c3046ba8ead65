/**
 * One batch through the real ingest core with in-memory writers: the status, the parsed response
 * body, the records written and the bad rows kept. Tests of the storage rules mutate a valid two-event batch (the
 * second event of type `second`) and look at what the edge did with it.
 */
import { expect } from 'vitest';
import { DEFAULT_CONFIG } from '../../edge/config.js';
import { ingest } from '../../edge/ingest/ingest.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../edge/writers/memory.js';
import type { EventType } from '../../schemas/events.js';
import type { BadRow, EnrichedRecord } from '../../schemas/record.js';
import { makeBatch, makeIngestRequest, NOW } from './cloudfront-events.js';

/** A batch as the test mutates it: any field by name. */
export type LooseBatch = Record<string, unknown> & { events: Record<string, unknown>[] };

/** What the edge answered and wrote. */
export interface IngestOutcome {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a response body the test looks into freely
  body: any;
  records: EnrichedRecord[];
  /** The bad rows the edge kept, one per refused body or event. */
  badRows: BadRow[];
}

/** Sends a valid `started` + `second` batch, changed by `mutate`, through `ingest`. */
export async function ingestOutcome(
  mutate: (b: LooseBatch) => void,
  opts: { second?: EventType; headers?: Record<string, string>; requestId?: string } = {},
): Promise<IngestOutcome> {
  const b = JSON.parse(
    JSON.stringify(makeBatch({ sent_at: NOW - 1500, types: ['started', opts.second ?? 'paused'] })),
  );
  mutate(b);
  const writer = new MemoryRecordWriter();
  const badRows = new MemoryBadRowSink();
  const req = makeIngestRequest({ body: b, headers: opts.headers, requestId: opts.requestId });
  const res = await ingest(req, {
    config: DEFAULT_CONFIG,
    writer,
    badRows,
  });
  return {
    status: res.status,
    body: res.body ? JSON.parse(res.body) : undefined,
    records: writer.records,
    badRows: badRows.rows,
  };
}

/** A written record, looked into by field name. */
export interface LooseRecord {
  [field: string]: unknown;
  events: Record<string, unknown>[];
  geo: Record<string, unknown>;
  edge: Record<string, unknown>;
}

/** The one record the edge wrote. */
export function onlyRecord(records: EnrichedRecord[]): LooseRecord {
  expect(records).toHaveLength(1);
  return records[0] as unknown as LooseRecord;
}
