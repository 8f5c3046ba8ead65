/**
 * DuckDB tables and column conversions, generated from the column specs in rows.ts so the table,
 * the row type and the insert path cannot drift apart.
 */
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBTimestampValue,
  INTEGER,
  TIMESTAMP,
  VARCHAR,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { BAD_ROW_COLUMNS, EVENT_COLUMNS, type ColumnType } from '../rows.js';

/** A table the store bulk-loads: its columns and the staging table used to load it. */
export interface LoadTable {
  name: string;
  staging: string;
  key: string;
  columns: readonly { name: string; type: ColumnType; nullable: boolean }[];
}

export const EVENTS_TABLE: LoadTable = { name: 'events', staging: 'events_staging', key: 'event_id', columns: EVENT_COLUMNS };
export const BAD_ROWS_TABLE: LoadTable = { name: 'bad_rows', staging: 'bad_rows_staging', key: 'bad_row_id', columns: BAD_ROW_COLUMNS };

const SQL_TYPES: Record<ColumnType, string> = {
  varchar: 'VARCHAR',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  // TIMESTAMP (µs) rather than TIMESTAMP_MS: every DuckDB time function takes it without a cast.
  timestamp_ms: 'TIMESTAMP',
};

const CHUNK_TYPES: Record<ColumnType, DuckDBType> = {
  varchar: VARCHAR,
  integer: INTEGER,
  bigint: BIGINT,
  double: DOUBLE,
  boolean: BOOLEAN,
  timestamp_ms: TIMESTAMP,
};

/** Column names are fixed identifiers from rows.ts, but quote them anyway (`index` is a keyword). */
export const q = (name: string): string => `"${name}"`;

function tableDdl(t: LoadTable): string[] {
  const cols = t.columns.map((c) => `${q(c.name)} ${SQL_TYPES[c.type]}${c.nullable ? '' : ' NOT NULL'}`);
  return [
    `CREATE TABLE IF NOT EXISTS ${t.name} (${cols.join(', ')}, PRIMARY KEY (${q(t.key)}))`,
    // Staging is per connection (TEMP) and unconstrained: the appender fills it, then one
    // INSERT ... ON CONFLICT DO NOTHING moves it into the real table inside the transaction.
    `CREATE TEMP TABLE IF NOT EXISTS ${t.staging} AS SELECT * FROM ${t.name} LIMIT 0`,
  ];
}

/** Every statement that creates the schema (idempotent). */
export function schemaDdl(): string[] {
  return [
    ...tableDdl(EVENTS_TABLE),
    ...tableDdl(BAD_ROWS_TABLE),
    `CREATE TABLE IF NOT EXISTS checkpoints (
       stream VARCHAR NOT NULL, shard_id VARCHAR NOT NULL, sequence_number VARCHAR NOT NULL,
       updated_at TIMESTAMP NOT NULL, PRIMARY KEY (stream, shard_id))`,
  ];
}

/** DuckDB types of a table's columns, in order, for DataChunk creation. */
export function chunkTypes(t: LoadTable): DuckDBType[] {
  return t.columns.map((c) => CHUNK_TYPES[c.type]);
}

/** Converts one JS value to what a DataChunk column of that type expects. */
export function toDuckValue(v: unknown, type: ColumnType): DuckDBValue {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'bigint':
      return BigInt(v as number);
    case 'timestamp_ms':
      return new DuckDBTimestampValue(BigInt(v as number) * 1000n);
    default:
      return v as DuckDBValue;
  }
}
