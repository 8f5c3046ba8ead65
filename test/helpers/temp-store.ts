/**
 * Temp-file DuckDB stores for tests, and a shortcut from EnrichedRecords to a write batch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toStoredBadRow } from '../../core-pipeline/bad-rows.js';
import type { Checkpoint, WriteBatchInput } from '../../core-pipeline/sinks/sink.js';
import { toStoredRefusal } from '../../core-pipeline/refusals.js';
import { recordToRows } from '../../core-pipeline/transform.js';
import type { BadRow, EnrichedRecord, RolloutRefusal } from '../../schemas/record.js';

/** A fresh folder under the OS temp dir; `remove()` deletes it. */
export function tempDir(prefix = 'core-pipeline-'): {
  path: string;
  file(name: string): string;
  remove(): void;
} {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    file: (name) => join(path, name),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** The batch a consumer would write for these records, bad rows and rollout refusals. */
export function batchOf(
  records: EnrichedRecord[],
  opts: {
    badRows?: BadRow[];
    refusals?: RolloutRefusal[];
    checkpoints?: Checkpoint[];
    ingestedAt?: number;
  } = {},
): WriteBatchInput {
  const ingestedAt = opts.ingestedAt ?? Date.now();
  const batch: WriteBatchInput = {
    events: records.flatMap((r) => recordToRows(r, ingestedAt).events),
    badRows: (opts.badRows ?? []).map((b) => toStoredBadRow(b, ingestedAt)),
    checkpoints: opts.checkpoints ?? [],
  };
  if (opts.refusals) batch.refusals = opts.refusals.map((r) => toStoredRefusal(r, ingestedAt));
  return batch;
}
