import { describe, expect, it } from 'vitest';
import {
  CorePipelineError,
  InvalidQueryError,
  InvalidRecordEventError,
  SinkWriteError,
  StoreClosedError,
  UnreadableRecordError,
  UnsupportedRecordVersionError,
} from '../../core-pipeline/errors.js';

describe('core-pipeline errors', () => {
  const cause = new Error('IO Error: disk full');
  const errors = [
    [new UnsupportedRecordVersionError(9), 'UnsupportedRecordVersionError'],
    [new UnreadableRecordError('events', 'must be an array', { cause }), 'UnreadableRecordError'],
    [new InvalidRecordEventError(4, 'ts', 'must be a number'), 'InvalidRecordEventError'],
    [new SinkWriteError('insert failed', { cause }), 'SinkWriteError'],
    [new InvalidQueryError('range', 'must be one of 5m, 1h'), 'InvalidQueryError'],
    [new StoreClosedError(), 'StoreClosedError'],
  ] as const;

  it.each(errors)('%s is a CorePipelineError named after its class', (err, name) => {
    expect(err).toBeInstanceOf(CorePipelineError);
    expect(err.name).toBe(name);
  });

  it('messages name the field, and the reasons are the documented bad-row reasons', () => {
    const [, [unreadable], [invalidEvent], [sink], [query]] = errors;
    expect(unreadable.message).toBe('events: must be an array');
    expect(unreadable.reason).toBe('unreadable_record');
    expect(unreadable.cause).toBe(cause);
    expect(invalidEvent.message).toBe('events[4].ts: must be a number');
    expect(invalidEvent.reason).toBe('invalid_record_event');
    expect(sink.cause).toBe(cause);
    expect([query.message, query.reason]).toStrictEqual([
      'range: must be one of 5m, 1h',
      'invalid_query',
    ]);
  });
});
