/**
 * The store's bulk path: rows become DataChunks appended to a table's TEMP staging table, then
 * one INSERT ... SELECT moves them into the table (the fastest of the methods
 * bench/core-pipeline/duckdb-insert.ts compares).
 */
import { type DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import { chunkTypes, fromStaging, q, toDuckValue, type LoadTable } from './duckdb-schema.js';

/** DuckDB's vector size: the largest DataChunk the appender takes at once. */
const CHUNK_ROWS = 2048;

/** `insert`: plain INSERT, a duplicate key fails the transaction; `skip-duplicates`: ON CONFLICT DO NOTHING. */
export type InsertMode = 'insert' | 'skip-duplicates';

/**
 * Appends rows to a table's staging table as DataChunks, then moves them into the table with one
 * INSERT ... SELECT (`mode` says what a known key does), inside the caller's transaction. With `returning`, the
 * INSERT returns that column of the rows it inserted (with ON CONFLICT DO NOTHING: the new ones).
 */
export async function loadViaStaging(
  con: DuckDBConnection,
  table: LoadTable,
  rows: Record<string, unknown>[],
  mode: InsertMode,
  returning?: string,
): Promise<unknown[] | undefined> {
  if (rows.length === 0) return returning === undefined ? undefined : [];
  const types = chunkTypes(table);
  const appender = await con.createAppender(table.staging);
  try {
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      const part = rows.slice(start, start + CHUNK_ROWS);
      const chunk = DuckDBDataChunk.create(types, part.length);
      chunk.setColumns(table.columns.map((c) => part.map((r) => toDuckValue(r[c.name]))));
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const cols = table.columns.map((c) => q(c.name)).join(', ');
  const onConflict = mode === 'skip-duplicates' ? ' ON CONFLICT DO NOTHING' : '';
  const insert = `INSERT INTO ${table.name} (${cols}) SELECT ${fromStaging(table)} FROM ${table.staging}${onConflict}`;
  let inserted: unknown[] | undefined;
  if (returning === undefined) await con.run(insert);
  else {
    // DuckDB returns only the rows it inserted, so ON CONFLICT ... RETURNING names the new ones.
    const reader = await con.runAndReadAll(`${insert} RETURNING ${q(returning)}`);
    inserted = reader.getColumnsJS()[0] ?? [];
  }
  await con.run(`DELETE FROM ${table.staging}`);
  return inserted;
}
