/**
 * The InfluxDB store (Timestream for InfluxDB on AWS): events, bad rows and rollout refusals as points
 * (influxdb-schema.ts), written as line protocol over HTTP(S) (influxdb-writer.ts).
 *
 * How it keeps the sink contract without transactions:
 * - Idempotence comes from the points themselves: a point's timestamp is its row's time plus six
 *   digits hashed from the row's id, so writing a batch again overwrites the same points with the
 *   same values (only `ingested_at` moves to the last write's time). A retried or replayed batch
 *   therefore changes no count.
 * - Bodies are cut at `maxLinesPerWrite` lines and `maxBytesPerWrite` bytes and sent one after the
 *   other; any infrastructure failure rejects with SinkWriteError and the caller sends the whole
 *   batch again (the chunks that did land are overwritten with themselves).
 * - A body the store refuses for its content (400/413/422, e.g. InfluxDB 1.x's "partial write:
 *   field type conflict") is bisected until the refused lines are isolated: the halves that are
 *   accepted are stored, and each line refused on its own becomes a `store_rejected` bad row
 *   (store-rejected.ts) written after the rest. So one poisoned line neither blocks the shard nor
 *   takes its neighbours with it. Past `maxIsolationWrites` requests the refusal is systematic
 *   and the batch fails with SinkWriteError instead.
 * - Checkpoints are not stored: the Lambda event source mapping keeps them.
 */
import { CMCD_SDK_NAME } from '../../schemas/cmcd.js';
import { chunkBySize } from '../../common/chunk-by-size.js';
import { type InfluxDbConfig, withInfluxDbDefaults } from '../config.js';
import { CmcdMemoryState } from '../cmcd/memory-state.js';
import { SinkWriteError } from '../errors.js';
import type { EventRow, StoredBadRow, StoredRefusal } from '../rows.js';
import {
  badRowPoint,
  badRowPointAt,
  eventPoint,
  refusalPoint,
  type TagBounds,
} from './influxdb-schema.js';
import { InfluxWriter, type WriterDeps } from './influxdb-writer.js';
import { encodePoints } from './line-protocol.js';
import type { Checkpoint, EventSink, WriteBatchInput, WriteReport } from './sink.js';
import { type Refused, storeRejectedRow } from './store-rejected.js';

/** One row as its line, with the row kept for a `store_rejected` bad row. */
type Item =
  | { kind: 'event'; row: EventRow; line: string }
  | { kind: 'bad_row'; row: StoredBadRow; line: string }
  | { kind: 'refusal'; row: StoredRefusal; line: string };

/** Options of the InfluxDB sink. */
export interface InfluxDbSinkOptions {
  config: Partial<InfluxDbConfig> & Pick<InfluxDbConfig, 'url' | 'database'>;
  /** The token (secret-token.ts on AWS); defaults to `config.token`. */
  token?: () => Promise<string>;
  /** Clock for the `ingested_at` of `store_rejected` rows. */
  now?: () => number;
  /** Test seams for fetch, sleep and randomness. */
  deps?: Partial<WriterDeps>;
}

/** Splits items into bodies of at most `maxLines` lines and `maxBytes` bytes (one line may exceed it alone). */
export function chunkItems<T extends { line: string }>(
  items: readonly T[],
  maxLines: number,
  maxBytes: number,
): T[][] {
  // A line costs its bytes plus the newline that joins it to the next.
  const sizes = items.map((item) => Buffer.byteLength(item.line) + 1);
  return chunkBySize(sizes, maxLines, maxBytes).map((group) => group.map((i) => items[i]));
}

/** The InfluxDB sink. */
export class InfluxDbSink implements EventSink {
  readonly config: InfluxDbConfig;
  private readonly writer: InfluxWriter;
  private readonly now: () => number;
  private readonly bounds: TagBounds;
  private closed = false;
  /** CMCD session states (in memory: see core-pipeline/cmcd/memory-state.ts). */
  private readonly cmcd = new CmcdMemoryState();

  constructor(opts: InfluxDbSinkOptions) {
    this.config = withInfluxDbDefaults(opts.config);
    const token = opts.token ?? (async () => this.config.token);
    this.writer = new InfluxWriter(this.config, token, opts.deps);
    this.now = opts.now ?? Date.now;
    // CMCD rows always carry the SDK name `cmcd`: a list that names the deployment's own SDKs
    // keeps it too, so listing them never turns CMCD traffic into `other`.
    const names = this.config.sdkNames;
    this.bounds = { sdkNames: new Set(names.length > 0 ? [...names, CMCD_SDK_NAME] : []) };
  }

  async writeBatch({
    events,
    badRows,
    refusals = [],
    cmcd,
  }: WriteBatchInput): Promise<WriteReport> {
    if (this.closed) throw new SinkWriteError('the InfluxDB sink is closed');
    // CMCD states are kept only once the batch is stored (a failed write is retried from them).
    const mapped = this.cmcd.map(cmcd);
    const report = await this.writeRows(events.concat(mapped.rows), badRows, refusals);
    mapped.commit();
    return report;
  }

  private async writeRows(
    events: readonly EventRow[],
    badRows: readonly StoredBadRow[],
    refusals: readonly StoredRefusal[],
  ): Promise<WriteReport> {
    const items: Item[] = [];
    const b = this.bounds;
    for (const row of events) items.push({ kind: 'event', row, line: lineOf(eventPoint(row, b)) });
    for (const row of badRows)
      items.push({ kind: 'bad_row', row, line: lineOf(badRowPoint(row, b)) });
    for (const row of refusals)
      items.push({ kind: 'refusal', row, line: lineOf(refusalPoint(row, b)) });
    const refused = await this.writeItems(items);
    if (refused.length === 0) return { rejectedEvents: 0 };

    const ingestedAt = this.now();
    const rejectedRows = refused.map((r) => {
      const row = storeRejectedRow(r, ingestedAt);
      return { kind: 'bad_row', row, line: lineOf(badRowPoint(row, this.bounds)) } as Item;
    });
    const again = await this.writeItems(rejectedRows);
    // A line refused for its time (older than the database's retention policy) gives a bad row of
    // the same time, refused in turn: keep that one at the time it was found instead. Only this
    // double refusal gives up landing on the same point when the batch is replayed.
    const retimed = again.map(
      (r) =>
        ({
          kind: 'bad_row',
          row: r.row,
          line: lineOf(badRowPointAt(r.row as StoredBadRow, ingestedAt, this.bounds)),
        }) as Item,
    );
    const still = retimed.length > 0 ? await this.writeItems(retimed) : [];
    if (still.length > 0) {
      // The bad-row measurement's fields have fixed types, so this means the store is not the one
      // this sink set up: fail the batch for an operator rather than lose the rows.
      throw new SinkWriteError(
        `InfluxDB refused the store_rejected bad rows too: HTTP ${still[0].status} ${still[0].message}`,
      );
    }
    return { rejectedEvents: refused.filter((r) => r.kind === 'event').length };
  }

  /** Writes items chunk by chunk; returns the ones refused on their own. */
  private async writeItems(items: Item[]): Promise<Refused[]> {
    const refused: Refused[] = [];
    let isolationWrites = 0;
    const writeChunk = async (chunk: Item[], isolating: boolean): Promise<void> => {
      if (isolating && ++isolationWrites > this.config.maxIsolationWrites) {
        throw new SinkWriteError(
          `InfluxDB refused more lines than ${this.config.maxIsolationWrites} isolation writes can single out: ${refused[0]?.message ?? ''}`,
        );
      }
      const outcome = await this.writer.write(chunk.map((i) => i.line).join('\n'));
      if (outcome.kind === 'stored') return;
      if (chunk.length === 1) {
        const [item] = chunk;
        refused.push({ ...item, status: outcome.status, message: outcome.message } as Refused);
        return;
      }
      const mid = Math.ceil(chunk.length / 2);
      await writeChunk(chunk.slice(0, mid), true);
      await writeChunk(chunk.slice(mid), true);
    };
    for (const chunk of chunkItems(
      items,
      this.config.maxLinesPerWrite,
      this.config.maxBytesPerWrite,
    )) {
      await writeChunk(chunk, false);
    }
    return refused;
  }

  async loadCheckpoints(): Promise<Checkpoint[]> {
    return [];
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function lineOf(point: ReturnType<typeof eventPoint>): string {
  return encodePoints([point]);
}
