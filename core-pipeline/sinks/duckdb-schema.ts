/**
 * DuckDB tables and column conversions, generated from the column specs in rows.ts so the table,
 * the row type and the insert path cannot drift apart.
 */
import {
  BOOLEAN,
  DOUBLE,
  INTEGER,
  VARCHAR,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { BAD_ROW_COLUMNS, EVENT_COLUMNS, REFUSAL_COLUMNS, type ColumnType } from '../rows.js';
import { rollupDdl } from '../rollups/tables.js';
import { CMCD_SESSIONS_DDL } from './duckdb-cmcd-state.js';

/** A table the store bulk-loads: its columns and the staging table used to load it. */
export interface LoadTable {
  name: string;
  staging: string;
  key: string;
  columns: readonly { name: string; type: ColumnType; nullable: boolean }[];
}

/** The events table, keyed on event_id. */
export const EVENTS_TABLE: LoadTable = {
  name: 'events',
  staging: 'events_staging',
  key: 'event_id',
  columns: EVENT_COLUMNS,
};
/** The bad-rows table, keyed on bad_row_id. */
export const BAD_ROWS_TABLE: LoadTable = {
  name: 'bad_rows',
  staging: 'bad_rows_staging',
  key: 'bad_row_id',
  columns: BAD_ROW_COLUMNS,
};

/** The rollout-refusals table, keyed on request_id (one refusal per refused request). */
export const REFUSALS_TABLE: LoadTable = {
  name: 'rollout_refusals',
  staging: 'rollout_refusals_staging',
  key: 'request_id',
  columns: REFUSAL_COLUMNS,
};

const SQL_TYPES: Record<ColumnType, string> = {
  varchar: 'VARCHAR',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  // TIMESTAMP (µs) rather than TIMESTAMP_MS: every DuckDB time function takes it without a cast.
  timestamp_ms: 'TIMESTAMP',
};

/**
 * Staging column types. Times stay ms numbers and BIGINTs travel as DOUBLE (every value is a safe
 * integer, exact in a double): a JS number goes into the chunk as is, with no BigInt or timestamp
 * object per value; the INSERT ... SELECT converts them in native code.
 */
const STAGING_TYPES: Record<ColumnType, [DuckDBType, string]> = {
  varchar: [VARCHAR, 'VARCHAR'],
  integer: [INTEGER, 'INTEGER'],
  bigint: [DOUBLE, 'DOUBLE'],
  double: [DOUBLE, 'DOUBLE'],
  boolean: [BOOLEAN, 'BOOLEAN'],
  timestamp_ms: [DOUBLE, 'DOUBLE'],
};

/** Column names are fixed identifiers from rows.ts, but quote them anyway (`index` is a keyword). */
export const q = (name: string): string => `"${name}"`;

function tableDdl(t: LoadTable): string[] {
  const cols = t.columns.map(
    (c) => `${q(c.name)} ${SQL_TYPES[c.type]}${c.nullable ? '' : ' NOT NULL'}`,
  );
  return [
    `CREATE TABLE IF NOT EXISTS ${t.name} (${cols.join(', ')}, PRIMARY KEY (${q(t.key)}))`,
    // Staging is per connection (TEMP) and unconstrained: the appender fills it, then one
    // INSERT ... SELECT moves it into the real table inside the transaction (duckdb.ts).
    `CREATE OR REPLACE TEMP TABLE ${t.staging} (${t.columns.map((c) => `${q(c.name)} ${STAGING_TYPES[c.type][1]}`).join(', ')})`,
  ];
}

/** The SELECT list that turns staging columns into table columns. */
export function fromStaging(t: LoadTable): string {
  return t.columns
    .map((c) => {
      if (c.type === 'timestamp_ms') return `make_timestamp_ms(CAST(${q(c.name)} AS BIGINT))`;
      if (c.type === 'bigint') return `CAST(${q(c.name)} AS BIGINT)`;
      return q(c.name);
    })
    .join(', ');
}

/**
 * Nullable columns added to a table after stores were created with it: a store made by an earlier
 * build gets them (null in its old rows) when it opens. ADD COLUMN IF NOT EXISTS makes each a
 * no-op on a current store; the columns' place in the table does not matter, as every insert
 * names its columns.
 */
const ADDED_COLUMNS: readonly { table: LoadTable; names: readonly string[] }[] = [
  {
    table: EVENTS_TABLE,
    names: [
      'drm_system',
      'audio_language',
      'subtitle_language',
      'frame_rate',
      'throughput_kbps',
      'buffer_ms',
      'source',
    ],
  },
  { table: BAD_ROWS_TABLE, names: ['sdk_name', 'sdk_version'] },
];

/**
 * Changes to tables a store created earlier (each idempotent). `attrs` was NOT NULL while it held
 * the whole event; it holds only the fields without a column now, null for a current event.
 */
function migrations(): string[] {
  const out = [`ALTER TABLE ${EVENTS_TABLE.name} ALTER COLUMN attrs DROP NOT NULL`];
  for (const { table, names } of ADDED_COLUMNS) {
    for (const name of names) {
      const col = table.columns.find((c) => c.name === name);
      if (!col?.nullable) throw new Error(`added column ${table.name}.${name} must be nullable`);
      out.push(
        `ALTER TABLE ${table.name} ADD COLUMN IF NOT EXISTS ${q(name)} ${SQL_TYPES[col.type]}`,
      );
    }
  }
  return out;
}

/**
 * Every statement that creates the schema, and brings an older one up to date (idempotent): a
 * store from before the rollout switch gets the new columns and the `rollout_refusals` table, one
 * from before CMCD the `cmcd_sessions` table.
 */
export function schemaDdl(): string[] {
  return [
    ...tableDdl(EVENTS_TABLE),
    ...tableDdl(BAD_ROWS_TABLE),
    ...tableDdl(REFUSALS_TABLE),
    ...migrations(),
    `CREATE TABLE IF NOT EXISTS checkpoints (
       stream VARCHAR NOT NULL, shard_id VARCHAR NOT NULL, sequence_number VARCHAR NOT NULL,
       updated_at TIMESTAMP NOT NULL, PRIMARY KEY (stream, shard_id))`,
    ...rollupDdl(),
    CMCD_SESSIONS_DDL,
  ];
}

/** DuckDB types of a table's staging columns, in order, for DataChunk creation. */
export function chunkTypes(t: LoadTable): DuckDBType[] {
  return t.columns.map((c) => STAGING_TYPES[c.type][0]);
}

/** A row value as its staging column takes it (`undefined` → NULL). */
export function toDuckValue(v: unknown): DuckDBValue {
  return v === undefined ? null : (v as DuckDBValue);
}
