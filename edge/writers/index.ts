/**
 * Storage adapters of the edge. `createWriters(config)` picks them from the config: Kinesis for
 * records, Firehose (AWS) or Kinesis (local) for bad rows.
 */
import type { EdgeConfig } from '../config.js';
import type { BadRowSink, RecordWriter } from '../ingest/types.js';
import { FirehoseBadRowSink, KinesisBadRowSink } from './bad-row-sinks.js';
import { KinesisRecordWriter } from './kinesis-writer.js';

/** The writer and sink for a config, plus `destroy` to close their clients. */
export interface EdgeWriters {
  writer: RecordWriter;
  badRows: BadRowSink;
  destroy(): void;
}

/** Builds the writer and bad-rows sink the config describes. Creates no connection yet. */
export function createWriters(config: EdgeConfig): EdgeWriters {
  const writer = KinesisRecordWriter.fromConfig(config);
  const opts = { budgetMs: config.writeBudgetMs, localCredentials: config.localCredentials };
  const badRows =
    config.badRows.kind === 'firehose'
      ? new FirehoseBadRowSink(config.badRows, opts)
      : new KinesisBadRowSink(config.badRows, opts);
  return {
    writer,
    badRows,
    destroy: () => {
      writer.destroy();
      badRows.destroy();
    },
  };
}
