/**
 * Temp-file DuckDB stores for tests, and a shortcut from EnrichedRecords to a write batch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toStoredBadRow } from '../../core-pipeline/bad-rows.js';
import type { Checkpoint, WriteBatchInput } from '../../core-pipeline/sinks/sink.js';
import { recordToRows } from '../../core-pipeline/transform.js';
import type { BadRow, EnrichedRecord } from '../../schemas/record.js';

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

/** The batch a consumer would write for these records and bad rows. */
export function batchOf(
  records: EnrichedRecord[],
  opts: { badRows?: BadRow[]; checkpoints?: Checkpoint[]; ingestedAt?: number } = {},
): WriteBatchInput {
  const ingestedAt = opts.ingestedAt ?? Date.now();
  return {
    events: records.flatMap((r) => recordToRows(r, ingestedAt).events),
    badRows: (opts.badRows ?? []).map((b) => toStoredBadRow(b, ingestedAt)),
    checkpoints: opts.checkpoints ?? [],
  };
}
