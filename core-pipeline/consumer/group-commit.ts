/**
 * Group commit: shard readers submit their decoded rows and checkpoint; whatever is waiting when
 * the sink becomes free is merged into ONE `writeBatch` (one transaction). With n shards polled
 * at once this turns n small transactions into one, which is what lets DuckDB keep up with the
 * target load, and every checkpoint still commits together with its own rows.
 */
import { cmcdEntryCount } from '../cmcd/apply.js';
import type { EventSink, WriteBatchInput } from '../sinks/sink.js';

interface Pending {
  input: WriteBatchInput;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Whether the sink is taking writes, for health reports: a store that cannot write (disk full, a
 * read-only file) shows here as a run of failures, with its first time and the latest error.
 */
export interface SinkHealth {
  /** Epoch ms of the latest committed write; null before the first. */
  lastWriteAt: number | null;
  /** Epoch ms of the first failure of the current run of failures; null while writes succeed. */
  failingSince: number | null;
  /** Failed writes since the latest committed one. */
  consecutiveFailures: number;
  /** The latest failure, kept after the sink recovers (when it happened says whether it is old). */
  lastError: { message: string; at: number } | null;
}

/** Merges concurrent submissions into one sink write at a time. */
export class GroupCommitter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  /** Number of sink writes made (for stats). */
  writes = 0;
  private readonly state: SinkHealth = {
    lastWriteAt: null,
    failingSince: null,
    consecutiveFailures: 0,
    lastError: null,
  };

  /**
   * @param maxEvents most events merged into one write (a single submission is never split).
   * @param now clock of the health times (tests).
   */
  constructor(
    private readonly sink: EventSink,
    private readonly maxEvents = Infinity,
    private readonly now: () => number = Date.now,
  ) {}

  /** A copy of the sink's write state. */
  health(): SinkHealth {
    return { ...this.state, lastError: this.state.lastError && { ...this.state.lastError } };
  }

  /** Resolves once `input` is committed; rejects with the sink's error if it could not be. */
  submit(input: WriteBatchInput): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.running) this.running = this.drain().finally(() => (this.running = null));
    });
  }

  /** Resolves when nothing is queued or being written. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.takeGroup();
      try {
        await this.write(merge(group.map((p) => p.input)));
        for (const p of group) p.resolve();
      } catch (err) {
        if (group.length === 1) {
          group[0].reject(err);
          continue;
        }
        // Isolate: one submission the sink refuses must not fail the other shards' rows too.
        for (const p of group) {
          try {
            await this.write(p.input);
            p.resolve();
          } catch (e) {
            p.reject(e);
          }
        }
      }
    }
  }

  /** The oldest submissions, as many as fit in `maxEvents` (always at least one). */
  private takeGroup(): Pending[] {
    let n = 1;
    let events = eventCount(this.queue[0].input);
    while (n < this.queue.length && events + eventCount(this.queue[n].input) <= this.maxEvents) {
      events += eventCount(this.queue[n].input);
      n += 1;
    }
    return this.queue.splice(0, n);
  }

  private async write(input: WriteBatchInput): Promise<void> {
    try {
      await this.sink.writeBatch(input);
    } catch (err) {
      const at = this.now();
      this.state.failingSince ??= at;
      this.state.consecutiveFailures += 1;
      this.state.lastError = { message: err instanceof Error ? err.message : String(err), at };
      throw err;
    }
    this.writes += 1;
    this.state.lastWriteAt = this.now();
    this.state.failingSince = null;
    this.state.consecutiveFailures = 0;
  }
}

/** Event rows a submission becomes: its events and one per CMCD line. */
function eventCount(input: WriteBatchInput): number {
  return input.events.length + cmcdEntryCount(input.cmcd);
}

/** Concatenates batches (events keep submission order, so "first write wins" stays first-come). */
function merge(inputs: readonly WriteBatchInput[]): WriteBatchInput {
  if (inputs.length === 1) return inputs[0];
  return {
    events: inputs.flatMap((i) => i.events),
    badRows: inputs.flatMap((i) => i.badRows),
    refusals: inputs.flatMap((i) => i.refusals ?? []),
    cmcd: inputs.flatMap((i) => i.cmcd ?? []),
    checkpoints: inputs.flatMap((i) => i.checkpoints),
  };
}
