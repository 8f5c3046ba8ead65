/**
 * One shard's read loop: iterator → GetRecords → decode → group commit (rows + checkpoint in one
 * transaction) → next iterator. The in-memory position only moves after the commit, so a failed
 * write re-reads from the last stored checkpoint and nothing is lost; the sink's idempotency on
 * event_id makes the re-read harmless.
 */
import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type KinesisClient,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { backoffDelay, errorName } from '../../common/backoff.js';
import type { ConsumerConfig } from '../config.js';
import { cmcdEntryCount } from '../cmcd/apply.js';
import { decodeRecords, type SourceRecord, type StreamKind } from '../record-decoder.js';
import type { GroupCommitter } from './group-commit.js';
import { sleep } from './sleep.js';

/** What a reader reports about itself (consumer stats). */
export interface ShardStats {
  stream: string;
  shardId: string;
  state: 'reading' | 'finished' | 'stopped';
  /** Last sequence number whose rows are committed (the checkpoint). */
  checkpoint: string | null;
  millisBehindLatest: number | null;
  /**
   * Arrival time (epoch ms) of the oldest record read but not stored because its write failed;
   * null while writes succeed. Its age is the consumer's lag when the store cannot write, which
   * MillisBehindLatest does not show (the records were read; kinesalite always reports 0).
   */
  oldestUnstoredAt: number | null;
  records: number;
  errors: number;
}

/** What a shard reader needs from the consumer. */
export interface ShardReaderDeps {
  client: KinesisClient;
  committer: GroupCommitter;
  config: ConsumerConfig;
  kind: StreamKind;
  signal: AbortSignal;
  now: () => number;
  log: (line: string) => void;
  /** Called once when the shard is closed and read to its end. */
  onFinished: () => void;
  /** Counts decoded rows (consumer stats). */
  onCommitted: (events: number, badRows: number) => void;
  /** The backoff's jitter draw in [0, 1); tests pass a fixed one. Default Math.random. */
  random?: () => number;
}

/** Errors after which the same iterator may be used again after a pause. */
const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'KMSThrottlingException',
]);

/** Reads one shard until it is finished or `deps.signal` aborts. Never rejects. */
export async function readShard(stats: ShardStats, deps: ShardReaderDeps): Promise<void> {
  const { client, config, signal } = deps;
  let iterator: string | null = null;
  let failures = 0;
  const pause = async (err: unknown, what: string) => {
    failures += 1;
    stats.errors += 1;
    deps.log(
      `[consumer] ${stats.stream}/${stats.shardId}: ${what}: ${errorName(err)} ${(err as Error)?.message ?? ''}`.trim(),
    );
    await sleep(
      backoffDelay(
        failures,
        { baseMs: config.backoffMs, maxMs: config.maxBackoffMs },
        (deps.random ?? Math.random)(),
      ),
      signal,
    );
  };

  while (!signal.aborted) {
    if (iterator === null) {
      try {
        iterator = await getIterator(client, stats, signal);
      } catch (err) {
        if (signal.aborted) break;
        await pause(err, 'GetShardIterator failed');
        continue;
      }
    }

    let out: GetRecordsCommandOutput;
    try {
      out = await client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: config.maxRecordsPerCall }),
        { abortSignal: signal },
      );
    } catch (err) {
      if (signal.aborted) break;
      // An expired iterator (5 min idle, or a long write) is re-acquired from the checkpoint;
      // after a throughput error the iterator is still good.
      if (!THROTTLED.has(errorName(err))) iterator = null;
      await pause(err, 'GetRecords failed');
      continue;
    }
    stats.millisBehindLatest = out.MillisBehindLatest ?? null;
    const records = out.Records ?? [];

    if (records.length > 0) {
      const source = records.map((r) => toSource(r, stats, deps.kind, deps.now));
      const last = source[source.length - 1].sequenceNumber;
      const rows = decodeRecords(source, deps.now());
      try {
        // Not abortable on purpose: a write that started is allowed to finish on stop.
        await deps.committer.submit({
          ...rows,
          checkpoints: [{ stream: stats.stream, shardId: stats.shardId, sequenceNumber: last }],
        });
      } catch (err) {
        iterator = null; // re-read from the stored checkpoint
        stats.oldestUnstoredAt ??= source[0].receivedAt;
        await pause(err, 'write failed, re-reading from checkpoint');
        continue;
      }
      stats.oldestUnstoredAt = null;
      stats.checkpoint = last;
      stats.records += records.length;
      deps.onCommitted(rows.events.length + cmcdEntryCount(rows.cmcd), rows.badRows.length);
    }
    failures = 0;

    if (!out.NextShardIterator) {
      // The shard was closed by a reshard and everything in it is stored: children may start.
      stats.state = 'finished';
      deps.onFinished();
      return;
    }
    iterator = out.NextShardIterator;
    // Caught up: wait. Behind (a full page, or Kinesis says so): read again at once. kinesalite
    // always reports MillisBehindLatest 0, so a full page is the signal that works everywhere.
    const behind = records.length >= config.maxRecordsPerCall || (out.MillisBehindLatest ?? 0) > 0;
    if (records.length === 0 || !behind) await sleep(config.pollIntervalMs, signal);
  }
  stats.state = 'stopped';
}

async function getIterator(
  client: KinesisClient,
  stats: ShardStats,
  signal: AbortSignal,
): Promise<string> {
  const out = await client.send(
    new GetShardIteratorCommand({
      StreamName: stats.stream,
      ShardId: stats.shardId,
      ...(stats.checkpoint
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: stats.checkpoint }
        : { ShardIteratorType: 'TRIM_HORIZON' }),
    }),
    { abortSignal: signal },
  );
  if (!out.ShardIterator) throw new Error('GetShardIterator returned no iterator');
  return out.ShardIterator;
}

function toSource(
  r: _Record,
  stats: ShardStats,
  kind: StreamKind,
  now: () => number,
): SourceRecord {
  const arrival = r.ApproximateArrivalTimestamp?.getTime();
  return {
    kind,
    data: r.Data ?? new Uint8Array(0),
    stream: stats.stream,
    shardId: stats.shardId,
    sequenceNumber: r.SequenceNumber ?? '',
    receivedAt: arrival !== undefined && Number.isSafeInteger(arrival) ? arrival : now(),
  };
}
