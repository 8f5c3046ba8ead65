/**
 * What the Timestream table behind the Flink job must accept. The job drops a record Timestream
 * rejects (it logs it and moves on), and Timestream rejects a record older than the memory
 * store's retention unless magnetic-store writes are on, or older than the magnetic retention.
 * The edge acknowledges events up to `maxEventAgeMs` old (EdgeConfig), so the table must take
 * data that old, plus the time the job may lag behind the stream.
 */

/** The table as the regional stack creates it. */
export interface FlinkTable {
  databaseName: string;
  tableName: string;
  memoryRetentionHours: number;
  magneticRetentionDays: number;
  /** `MagneticStoreWriteProperties.EnableMagneticStoreWrites` of the table. */
  magneticStoreWrites: boolean;
}

/** How far the job may run behind the stream (restarts, a backlog) and still store everything. */
const FLINK_LAG_ALLOWANCE_MS = 60 * 60 * 1000;

const HOUR = 60 * 60 * 1000;

/**
 * Why the table would drop events the edge acknowledges, or undefined when it takes them all.
 * @example flinkTableProblem({ …, memoryRetentionHours: 1, magneticStoreWrites: false }, 86_400_000)
 */
export function flinkTableProblem(table: FlinkTable, maxEventAgeMs: number): string | undefined {
  const needed = maxEventAgeMs + FLINK_LAG_ALLOWANCE_MS;
  if (table.memoryRetentionHours * HOUR >= needed) return undefined;
  if (table.magneticStoreWrites && table.magneticRetentionDays * 24 * HOUR >= needed) {
    return undefined;
  }
  const hours = Math.ceil(needed / HOUR);
  return `the Timestream table ${table.databaseName}.${table.tableName} would reject events the edge accepts (up to ${maxEventAgeMs / HOUR} h old, plus ${FLINK_LAG_ALLOWANCE_MS / HOUR} h of job lag): keep ${hours} h in the memory store, or enable magnetic-store writes with at least ${Math.ceil(hours / 24)} days of magnetic retention`;
}
