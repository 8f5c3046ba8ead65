import { describe, expect, it } from 'vitest';
import { GroupCommitter } from '../../../core-pipeline/consumer/group-commit.js';
import { SinkWriteError } from '../../../core-pipeline/errors.js';
import type { EventSink, WriteBatchInput } from '../../../core-pipeline/sinks/sink.js';
import { enrichedRecord, event } from '../../helpers/records.js';
import { batchOf } from '../../helpers/temp-store.js';

/** A sink that records what it is asked to write; refuses batches containing a `poison` session. */
function recordingSink() {
  const writes: WriteBatchInput[] = [];
  let gate: Promise<void> = Promise.resolve();
  const sink: EventSink = {
    async writeBatch(input) {
      await gate;
      if (input.events.some((e) => e.session_id === 'sess_poison_01'))
        throw new SinkWriteError('refused');
      writes.push(input);
    },
    loadCheckpoints: async () => [],
    close: async () => undefined,
  };
  return { sink, writes, hold: (p: Promise<void>) => (gate = p) };
}

const part = (session: string, events = 1, seq = '1'): WriteBatchInput =>
  batchOf(
    [
      enrichedRecord({
        session_id: session,
        events: Array.from({ length: events }, (_, i) => event('paused', { seq: i })),
      }),
    ],
    {
      checkpoints: [{ stream: 's', shardId: session, sequenceNumber: seq }],
    },
  );

describe('GroupCommitter', () => {
  it('merges what queues up while a write runs into one write, in submission order', async () => {
    const { sink, writes, hold } = recordingSink();
    let release!: () => void;
    hold(new Promise<void>((r) => (release = r)));
    const committer = new GroupCommitter(sink);
    const first = committer.submit(part('sess_first_001'));
    const rest = ['sess_second_01', 'sess_third_001'].map((s) => committer.submit(part(s)));
    release();
    await Promise.all([first, ...rest]);
    expect(writes.map((w) => w.events.map((e) => e.session_id))).toStrictEqual([
      ['sess_first_001'],
      ['sess_second_01', 'sess_third_001'],
    ]);
    expect(writes[1].checkpoints.map((c) => c.shardId)).toStrictEqual([
      'sess_second_01',
      'sess_third_001',
    ]);
    expect(committer.writes).toBe(2);
  });

  it('caps the events merged into one write, never splitting a submission', async () => {
    const { sink, writes, hold } = recordingSink();
    let release!: () => void;
    hold(new Promise<void>((r) => (release = r)));
    const committer = new GroupCommitter(sink, 5);
    const all = [
      committer.submit(part('sess_block_001')),
      ...[3, 2, 4, 9].map((n, i) => committer.submit(part(`sess_cap_${i}_0001`, n))),
    ];
    release();
    await Promise.all(all);
    expect(writes.map((w) => w.events.length)).toStrictEqual([1, 5, 4, 9]);
  });

  it('isolates a refused submission so the others still commit', async () => {
    const { sink, writes, hold } = recordingSink();
    let release!: () => void;
    hold(new Promise<void>((r) => (release = r)));
    const committer = new GroupCommitter(sink);
    const blocker = committer.submit(part('sess_block_002'));
    const good = committer.submit(part('sess_good_0001'));
    const bad = committer.submit(part('sess_poison_01'));
    release();
    await blocker;
    await good;
    await expect(bad).rejects.toBeInstanceOf(SinkWriteError);
    expect(writes.map((w) => w.events[0].session_id)).toStrictEqual([
      'sess_block_002',
      'sess_good_0001',
    ]);
    await committer.idle();
  });
});

describe('GroupCommitter.health', () => {
  it('reports a run of failed writes from its first one, and clears it on the next commit', async () => {
    let failing = true;
    let clock = 1_000;
    const sink: EventSink = {
      async writeBatch() {
        if (failing) throw new SinkWriteError('DuckDB write failed: File too large');
      },
      loadCheckpoints: async () => [],
      close: async () => undefined,
    };
    const committer = new GroupCommitter(sink, Infinity, () => clock);
    expect(committer.health()).toStrictEqual({
      lastWriteAt: null,
      failingSince: null,
      consecutiveFailures: 0,
      lastError: null,
    });
    await expect(committer.submit(part('sess_first_001'))).rejects.toThrow('File too large');
    clock = 2_000;
    await expect(committer.submit(part('sess_first_001'))).rejects.toThrow('File too large');
    expect(committer.health()).toStrictEqual({
      lastWriteAt: null,
      failingSince: 1_000,
      consecutiveFailures: 2,
      lastError: { message: 'DuckDB write failed: File too large', at: 2_000 },
    });
    failing = false;
    clock = 3_000;
    await committer.submit(part('sess_first_001'));
    expect(committer.health()).toStrictEqual({
      lastWriteAt: 3_000,
      failingSince: null,
      consecutiveFailures: 0,
      lastError: { message: 'DuckDB write failed: File too large', at: 2_000 },
    });
  });
});
