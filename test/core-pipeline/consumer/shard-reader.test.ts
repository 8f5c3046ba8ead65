import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withConsumerDefaults } from '../../../core-pipeline/config.js';
import type { GroupCommitter } from '../../../core-pipeline/consumer/group-commit.js';
import { readShard, type ShardStats } from '../../../core-pipeline/consumer/shard-reader.js';

/** A Kinesis client whose GetRecords fails with `errors` in turn, then finds the shard closed. */
function failingThenClosed(errors: string[]) {
  const calls: { command: string; at: number }[] = [];
  let failed = 0;
  const client = {
    send: async (command: unknown) => {
      calls.push({ command: (command as object).constructor.name, at: Date.now() });
      if (command instanceof GetShardIteratorCommand) return { ShardIterator: 'it-1' };
      if (command instanceof GetRecordsCommand) {
        if (failed < errors.length) {
          const name = errors[failed++];
          throw Object.assign(new Error(`${name} (test)`), { name });
        }
        return { Records: [], NextShardIterator: undefined, MillisBehindLatest: 0 };
      }
      throw new Error('unexpected command');
    },
  } as unknown as KinesisClient;
  return { client, calls };
}

function stats(): ShardStats {
  return {
    stream: 's',
    shardId: 'shardId-000000000000',
    state: 'reading',
    checkpoint: null,
    millisBehindLatest: null,
    oldestUnstoredAt: null,
    records: 0,
    errors: 0,
  };
}

describe('readShard backoff', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function run(errors: string[], random: number) {
    const { client, calls } = failingThenClosed(errors);
    const s = stats();
    const onFinished = vi.fn();
    const done = readShard(s, {
      client,
      committer: {} as GroupCommitter,
      config: withConsumerDefaults({ backoffMs: 100, maxBackoffMs: 1000 }),
      kind: 'events',
      signal: new AbortController().signal,
      now: () => Date.now(),
      log: () => {},
      onFinished,
      onCommitted: () => {},
      random: () => random,
    });
    await vi.runAllTimersAsync();
    await done;
    const reads = calls.filter((c) => c.command === 'GetRecordsCommand').map((c) => c.at);
    return { s, onFinished, calls, waits: reads.slice(1).map((t, i) => t - reads[i]) };
  }

  it('waits below a ceiling that starts at backoffMs and doubles per failure, up to maxBackoffMs', async () => {
    const throttled = Array(6).fill('ProvisionedThroughputExceededException');
    const { s, onFinished, calls, waits } = await run(throttled, 0.999999);
    expect(waits).toStrictEqual([99, 199, 399, 799, 999, 999]);
    expect(s.errors).toBe(6);
    expect(s.state).toBe('finished');
    expect(onFinished).toHaveBeenCalledOnce();
    // A throughput error keeps the iterator: one GetShardIterator for the whole run.
    expect(calls.filter((c) => c.command === 'GetShardIteratorCommand')).toHaveLength(1);
  });

  it('can retry at once (full jitter) and re-acquires the iterator after other errors', async () => {
    const { waits, calls } = await run(['ExpiredIteratorException', 'InternalFailure'], 0);
    expect(waits).toStrictEqual([0, 0]);
    expect(calls.filter((c) => c.command === 'GetShardIteratorCommand')).toHaveLength(3);
  });
});
