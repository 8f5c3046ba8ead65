/**
 * The local Kinesis consumer: reads every shard of every stream, writes rows and checkpoints to a
 * sink in one transaction per group commit, and resumes after a restart from the stored
 * checkpoints — no loss (a checkpoint never runs ahead of its rows) and no duplicates (rows and
 * checkpoint commit together; event writes are idempotent anyway).
 *
 * On AWS the same decode + sink path runs in the Lambda handler instead (../lambda/).
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { errorName } from '../../common/backoff.js';
import { withConsumerDefaults, type ConsumerConfig } from '../config.js';
import type { StreamKind } from '../record-decoder.js';
import type { EventSink } from '../sinks/sink.js';
import { GroupCommitter, type SinkHealth } from './group-commit.js';
import { readShard, type ShardStats } from './shard-reader.js';
import { listAllShards, readyShards, shardKey, type ShardInfo } from './shards.js';
import { sleep } from './sleep.js';

/** Options of `startKinesisConsumer`; unset numbers come from DEFAULT_CONSUMER_CONFIG. */
export interface KinesisConsumerOptions extends Partial<ConsumerConfig> {
  client: KinesisClient;
  /** Event streams (Data = JSON EnrichedRecord). */
  streams: string[];
  /** The bad-row stream (Data = JSON BadRow), if bad rows travel through Kinesis. */
  badRowStream?: string;
  sink: EventSink;
  /** Progress and error lines; silent when absent. */
  log?: (line: string) => void;
  /** Clock for `ingested_at` (tests). */
  now?: () => number;
}

/** What the consumer has done so far. */
export interface ConsumerStats {
  shards: ShardStats[];
  records: number;
  events: number;
  badRows: number;
  /** Sink transactions (one per group commit). */
  writes: number;
  errors: number;
  /** Whether the sink takes writes (a failing store shows here first). */
  sink: SinkHealth;
}

/** A running consumer. */
export interface KinesisConsumer {
  /**
   * Stops polling, lets a write already started finish (its checkpoint with it), and resolves
   * when every loop has ended. Idempotent. Does not close the sink or the client.
   */
  stop(): Promise<void>;
  stats(): ConsumerStats;
}

/**
 * Starts consuming. Resolves once checkpoints are loaded and the first shard listing is done;
 * a stream that does not exist yet is retried at each refresh.
 * @example
 *   const consumer = await startKinesisConsumer({ client, streams: ['beacon-edge-events-us-east-1'], sink: store });
 *   ...; await consumer.stop(); await store.close();
 */
export async function startKinesisConsumer(opts: KinesisConsumerOptions): Promise<KinesisConsumer> {
  const config = withConsumerDefaults(opts);
  const log = opts.log ?? (() => undefined);
  const now = opts.now ?? Date.now;
  const abort = new AbortController();
  const committer = new GroupCommitter(opts.sink, config.maxEventsPerWrite, now);
  const checkpoints = new Map(
    (await opts.sink.loadCheckpoints()).map((c) => [
      shardKey(c.stream, c.shardId),
      c.sequenceNumber,
    ]),
  );
  const kinds = new Map<string, StreamKind>(opts.streams.map((s) => [s, 'events']));
  if (opts.badRowStream) kinds.set(opts.badRowStream, 'bad_rows');

  const shards = new Map<string, ShardStats>();
  const finished = new Set<string>();
  const loops = new Set<Promise<void>>();
  const totals = { events: 0, badRows: 0, errors: 0 };
  let listed: ShardInfo[] = [];
  let refreshSoon: (() => void) | null = null;

  const startReady = () => {
    for (const info of readyShards(listed, new Set(shards.keys()), finished)) {
      const key = shardKey(info.stream, info.shardId);
      const stats: ShardStats = {
        stream: info.stream,
        shardId: info.shardId,
        state: 'reading',
        checkpoint: checkpoints.get(key) ?? null,
        millisBehindLatest: null,
        oldestUnstoredAt: null,
        records: 0,
        errors: 0,
      };
      shards.set(key, stats);
      const loop = readShard(stats, {
        client: opts.client,
        committer,
        config,
        kind: kinds.get(info.stream) ?? 'events',
        signal: abort.signal,
        now,
        log,
        onFinished: () => {
          finished.add(key);
          log(`[consumer] ${key} closed and fully read`);
          refreshSoon?.(); // its children may start now
        },
        onCommitted: (events, badRows) => {
          totals.events += events;
          totals.badRows += badRows;
        },
      });
      loops.add(loop);
      void loop.finally(() => loops.delete(loop));
    }
  };

  const refresh = async () => {
    const next: ShardInfo[] = [];
    for (const stream of kinds.keys()) {
      try {
        next.push(...(await listAllShards(opts.client, stream, abort.signal)));
      } catch (err) {
        if (abort.signal.aborted) return;
        totals.errors += 1;
        log(
          `[consumer] ListShards ${stream} failed: ${errorName(err)} ${(err as Error)?.message ?? ''}`.trim(),
        );
        next.push(...listed.filter((s) => s.stream === stream)); // keep what we knew
      }
    }
    listed = next;
    startReady();
  };

  await refresh();
  log(`[consumer] reading ${shards.size} shard(s) of ${kinds.size} stream(s)`);

  // Re-list periodically (resharding), or at once when a shard finishes.
  const refresher = (async () => {
    while (!abort.signal.aborted) {
      await new Promise<void>((resolve) => {
        refreshSoon = resolve;
        void sleep(config.shardRefreshMs, abort.signal).then(resolve);
      });
      refreshSoon = null;
      if (!abort.signal.aborted) await refresh();
    }
  })();

  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        abort.abort();
        await refresher;
        while (loops.size > 0) await Promise.all([...loops]);
        await committer.idle();
        log('[consumer] stopped');
      })();
      return stopping;
    },
    stats() {
      const list = [...shards.values()].map((s) => ({ ...s }));
      return {
        shards: list,
        records: list.reduce((n, s) => n + s.records, 0),
        events: totals.events,
        badRows: totals.badRows,
        writes: committer.writes,
        errors: totals.errors + list.reduce((n, s) => n + s.errors, 0),
        sink: committer.health(),
      };
    },
  };
}
