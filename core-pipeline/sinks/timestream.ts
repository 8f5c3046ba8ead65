/**
 * The Timestream for LiveAnalytics sink, for accounts that still have LiveAnalytics (closed to new
 * customers since 2025-06-20; the original AWS demo's store). Events go to one table as
 * multi-measure records (timestream-records.ts), bad rows to another, rollout refusals to a third
 * (`refusalsTable`, default `rollout_refusals`: one record per refused request, dimensions reason,
 * schema_version, sdk_name, sdk_version, pop and request_id).
 *
 * What the service would refuse never fails the batch; it becomes a bad row with its reason:
 * - an event older than the memory store's retention (`store_time_too_old`) or 15 min or more
 *   ahead of the clock (`store_time_in_future`), checked before writing;
 * - an event over the 2 KB record limit even after its free text (`attrs`, `error_message`) is cut
 *   (`store_record_too_large`; a cut record carries `truncated = true`, and the raw archive in S3
 *   keeps the whole event);
 * - a record the service rejects (`store_rejected`, with the service's reason as detail), unless
 *   the rejection says it is already stored with our version: that is an earlier delivery of the
 *   same event, and counts as stored.
 *
 * No transactions: events are written first, then bad rows (those the batch brought and those the
 * events turned into). A failure in between throws SinkWriteError and the whole batch is retried,
 * which is harmless because every write is idempotent (one version for all records, identities
 * derived from the rows' ids). Lambda's event source mapping keeps the checkpoints.
 */
import { TimestreamWriteClient, type _Record } from '@aws-sdk/client-timestream-write';
import { toStoredBadRow } from '../bad-rows.js';
import { type TimestreamConfig, withTimestreamDefaults } from '../config.js';
import { CmcdMemoryState } from '../cmcd/memory-state.js';
import { SinkWriteError, StoreClosedError } from '../errors.js';
import type { EventRow, StoredBadRow, StoredRefusal } from '../rows.js';
import { eventTimeMs } from './influxdb-schema.js';
import type { Checkpoint, EventSink, WriteBatchInput, WriteReport } from './sink.js';
import { TIMESTREAM_LIMITS, fitRecord } from './timestream-limits.js';
import {
  EVENT_DIMENSIONS,
  badRowRecord,
  eventRecord,
  refusalRecord,
} from './timestream-records.js';
import { type WriteTarget, writeRecords } from './timestream-write.js';

/** Options of {@link createTimestreamSink}: the config (names required) and test seams. */
export type TimestreamSinkOptions = Parameters<typeof withTimestreamDefaults>[0] & {
  /** A client to use (tests); otherwise one is made for `region` (default: AWS_REGION). */
  client?: Pick<TimestreamWriteClient, 'send' | 'destroy'>;
  region?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
};

/** Margin kept from the retention edge when timing a bad row at its receive time. */
const BAD_ROW_TIME_MARGIN_MS = 60_000;
/** Free-text event measures cut, in this order, to fit the record limit. */
const EVENT_FREE_TEXT = ['attrs', 'error_message'] as const;
const BAD_ROW_FREE_TEXT = ['payload', 'detail'] as const;

export class TimestreamSink implements EventSink {
  private closed = false;
  private inFlight: Promise<unknown> = Promise.resolve();
  /** CMCD session states (in memory: see core-pipeline/cmcd/memory-state.ts). */
  private readonly cmcd = new CmcdMemoryState();

  constructor(
    private readonly config: TimestreamConfig,
    private readonly client: Pick<TimestreamWriteClient, 'send' | 'destroy'>,
    private readonly now: () => number,
    private readonly seams: Pick<WriteTarget, 'sleep' | 'random'>,
  ) {}

  writeBatch(input: WriteBatchInput): Promise<WriteReport> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    // CMCD states are kept only once the batch is stored (a failed write is retried from them).
    const mapped = this.cmcd.map(input.cmcd);
    const events = mapped.rows.length > 0 ? input.events.concat(mapped.rows) : input.events;
    const run = this.write({ ...input, events }).then((report) => {
      mapped.commit();
      return report;
    });
    this.inFlight = run.catch(() => undefined);
    return run;
  }

  /** Stores the batch; reports how many events became bad rows here (too old, too new, too large, refused). */
  private async write({ events, badRows, refusals = [] }: WriteBatchInput): Promise<WriteReport> {
    const now = this.now();
    const oldest = now - this.config.memoryRetentionHours * 3_600_000;
    const newest = now + TIMESTREAM_LIMITS.maxFutureMs;
    const refused: StoredBadRow[] = [];
    const planned: { row: EventRow; record: _Record }[] = [];
    const seen = new Set<string>();
    for (const row of events) {
      // One event id once per batch, first wins (as DuckDB's ON CONFLICT DO NOTHING).
      if (seen.has(row.event_id)) continue;
      seen.add(row.event_id);
      const time = eventTimeMs(row);
      if (time < oldest) {
        refused.push(
          sinkBadRow(
            row,
            'store_time_too_old',
            `time ${iso(time)} is before the memory store's retention (${this.config.memoryRetentionHours} h, from ${iso(oldest)})`,
          ),
        );
        continue;
      }
      // The service's window is [now − retention, now + 15 min): the end itself is outside.
      if (time >= newest) {
        refused.push(
          sinkBadRow(
            row,
            'store_time_in_future',
            `time ${iso(time)} is 15 min or more after ${iso(now)}`,
          ),
        );
        continue;
      }
      const record = fitRecord(eventRecord(row), EVENT_FREE_TEXT, 'truncated');
      if (record) planned.push({ row, record });
      else
        refused.push(
          sinkBadRow(
            row,
            'store_record_too_large',
            'over the 2 KB record limit with its free text cut',
          ),
        );
    }
    // Records of one slice and session side by side share more dimensions per request.
    planned.sort((a, b) => sliceKey(a.row).localeCompare(sliceKey(b.row)));
    const rejected = await writeRecords(
      planned.map((p) => p.record),
      this.target(this.config.eventsTable),
    );
    for (const r of rejected)
      refused.push(sinkBadRow(planned[r.index].row, 'store_rejected', r.reason));
    await this.writeBadRows([...badRows, ...refused], now);
    if (refusals.length > 0) await this.writeRefusals(refusals, now);
    return { rejectedEvents: refused.length };
  }

  /** Receive time when the store takes it, else ingest time (see writeBadRows). */
  private storeTime(receivedAt: number, ingestedAt: number, now: number): number {
    const oldest = now - this.config.memoryRetentionHours * 3_600_000 + BAD_ROW_TIME_MARGIN_MS;
    const newest = now + TIMESTREAM_LIMITS.maxFutureMs - BAD_ROW_TIME_MARGIN_MS;
    return receivedAt >= oldest && receivedAt <= newest ? receivedAt : ingestedAt;
  }

  /**
   * Refusals, once per request id in the batch, timed as bad rows are. A refusal the service
   * rejects fails the batch (a decision has nowhere else to go), as a bad row does.
   */
  private async writeRefusals(rows: StoredRefusal[], now: number): Promise<void> {
    const byId = new Map<string, StoredRefusal>();
    for (const r of rows) if (!byId.has(r.request_id)) byId.set(r.request_id, r);
    const unique = [...byId.values()];
    const records = unique.map((row) => {
      const fitted = fitRecord(
        refusalRecord(row, this.storeTime(row.received_at, row.ingested_at, now)),
        ['detail', 'rule'],
        'truncated',
      );
      if (!fitted)
        throw new SinkWriteError(`refusal ${row.request_id} does not fit a Timestream record`);
      return fitted;
    });
    const rejected = await writeRecords(records, this.target(this.config.refusalsTable));
    if (rejected.length > 0) {
      const first = rejected[0];
      throw new SinkWriteError(
        `Timestream rejected ${rejected.length} rollout refusals, e.g. ${unique[first.index].request_id}: ${first.reason}`,
      );
    }
  }

  private async writeBadRows(rows: StoredBadRow[], now: number): Promise<void> {
    const byId = new Map<string, StoredBadRow>();
    for (const r of rows) if (!byId.has(r.bad_row_id)) byId.set(r.bad_row_id, r);
    const unique = [...byId.values()];
    const records = unique.map((row) => {
      // Timed at receipt, so a redelivery lands on the same record; a bad row read after its
      // receive time left the window is timed at ingest instead (kept, at the cost of a second
      // copy if that old record is delivered yet again).
      const t = this.storeTime(row.received_at, row.ingested_at, now);
      const fitted = fitRecord(badRowRecord(row, t), BAD_ROW_FREE_TEXT, 'payload_truncated');
      if (!fitted)
        throw new SinkWriteError(`bad row ${row.bad_row_id} does not fit a Timestream record`);
      return fitted;
    });
    const rejected = await writeRecords(records, this.target(this.config.badRowsTable));
    if (rejected.length > 0) {
      // A bad row has nowhere else to go: fail the batch so Lambda retries it and, past its
      // retries, hands it to the on-failure destination (alarms watch both).
      const first = rejected[0];
      throw new SinkWriteError(
        `Timestream rejected ${rejected.length} bad rows, e.g. ${unique[first.index].bad_row_id}: ${first.reason}`,
      );
    }
  }

  private target(table: string): WriteTarget {
    return {
      client: this.client,
      database: this.config.database,
      table,
      retry: this.config.retry,
      ...this.seams,
    };
  }

  async loadCheckpoints(): Promise<Checkpoint[]> {
    // Lambda's event source mapping keeps the checkpoints on AWS.
    return [];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.inFlight;
    this.client.destroy();
  }
}

/** The bad row for an event the store cannot take: deterministic, so a retry writes it once. */
function sinkBadRow(row: EventRow, reason: string, detail: string): StoredBadRow {
  // The payload leaves out ingested_at, which differs between deliveries, so the id does not.
  const { ingested_at: _, ...stable } = row;
  return toStoredBadRow(
    {
      received_at: row.received_at,
      request_id: row.request_id,
      status: 0,
      reason,
      detail,
      session_id: row.session_id,
      event_id: row.event_id,
      schema_version: row.schema_version,
      pop: row.pop,
      payload: JSON.stringify(stable),
      payload_encoding: 'json',
    },
    row.ingested_at,
  );
}

function sliceKey(row: EventRow): string {
  return EVENT_DIMENSIONS.map((d) => row[d] ?? '').join('\u0000');
}

function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

/**
 * The Timestream sink. The SDK finds the Timestream endpoint itself (endpoint discovery), so only
 * the region is needed; the SDK's own retries are off because the sink retries within its budget.
 * @example
 *   const sink = createTimestreamSink({ database: 'beacons', eventsTable: 'events', badRowsTable: 'bad_rows' });
 */
export function createTimestreamSink(options: TimestreamSinkOptions): EventSink {
  const { client, region, now, sleep, random, ...config } = options;
  return new TimestreamSink(
    withTimestreamDefaults(config),
    client ?? new TimestreamWriteClient({ ...(region ? { region } : {}), maxAttempts: 1 }),
    now ?? Date.now,
    {
      sleep: sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: random ?? Math.random,
    },
  );
}
