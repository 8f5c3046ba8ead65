/**
 * In-memory writer and sink: real implementations of the interfaces that keep what they are
 * given. Used by unit tests (as recording fakes) and by the benchmark (no network in the loop).
 */
import type { StreamTarget } from '../config.js';
import { BadRowWriteError, StreamUnavailableError } from '../errors.js';
import type { BadRowSink, RecordWriter, StreamRecord } from '../ingest/types.js';
import type { CmcdRecord } from '../../schemas/cmcd.js';
import { isCmcdRecord } from '../cmcd/records.js';
import type {
  BadRow,
  EnrichedRecord,
  RefusalRecord,
  RolloutRefusal,
} from '../../schemas/record.js';

/** Keeps records (deep-copied through JSON, as Kinesis would) with the stream they went to. */
export class MemoryRecordWriter implements RecordWriter {
  /** What was stored, in order. */
  readonly stored: { record: StreamRecord; stream: StreamTarget }[] = [];
  /** When true, every write fails as an unavailable stream would. */
  failing = false;

  /** Stores on the first stream of the route. */
  async write(records: StreamRecord[], route: StreamTarget[]): Promise<void> {
    if (this.failing || route.length === 0) {
      throw new StreamUnavailableError(
        'memory writer set to fail',
        records.map((_, i) => i),
        1,
        'Simulated',
      );
    }
    for (const r of records)
      this.stored.push({
        record: JSON.parse(JSON.stringify(r)) as StreamRecord,
        stream: route[0],
      });
  }

  /** The stored beacon records only. */
  get records(): EnrichedRecord[] {
    return this.stored.flatMap((s) => (isCmcdRecord(s.record) ? [] : [s.record]));
  }

  /** The stored CMCD records only. */
  get cmcdRecords(): CmcdRecord[] {
    return this.stored.flatMap((s) => (isCmcdRecord(s.record) ? [s.record] : []));
  }
}

/** Keeps bad rows and rollout refusals apart, as the store does (deep-copied through JSON). */
export class MemoryBadRowSink implements BadRowSink {
  readonly rows: BadRow[] = [];
  readonly refusals: RolloutRefusal[] = [];
  /** When true, every write fails. */
  failing = false;

  /** Stores the rows, or throws BadRowWriteError when set to fail. */
  async write(rows: RefusalRecord[]): Promise<void> {
    if (this.failing)
      throw new BadRowWriteError('memory sink set to fail', rows.length, 'Simulated');
    for (const r of rows) {
      const copy = JSON.parse(JSON.stringify(r)) as RefusalRecord;
      if ('kind' in copy && copy.kind === 'rollout_refusal') this.refusals.push(copy);
      else this.rows.push(copy as BadRow);
    }
  }
}
