/** A sink for the consumer's tests: records each write and fails the ones whose number is in `failOn` (1-based). */
import { SinkWriteError } from '../../core-pipeline/errors.js';
import type { EventSink, WriteBatchInput } from '../../core-pipeline/sinks/sink.js';

export function recordingSink(failOn: number[] = []): EventSink & { writes: WriteBatchInput[] } {
  const writes: WriteBatchInput[] = [];
  return {
    writes,
    writeBatch: async (input) => {
      writes.push(input);
      if (failOn.includes(writes.length)) throw new SinkWriteError('store unavailable');
    },
    loadCheckpoints: async () => [],
    close: async () => undefined,
  };
}
