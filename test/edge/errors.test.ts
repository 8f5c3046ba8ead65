import { describe, expect, it } from 'vitest';
import {
  BadRowWriteError,
  EdgeError,
  RecordTooLargeError,
  StreamUnavailableError,
} from '../../edge/errors.js';

describe('edge errors', () => {
  const cause = new Error('socket hang up');
  const errors = [
    [
      new StreamUnavailableError('no stream', [1, 2], 3, 'InternalFailure', { cause }),
      'StreamUnavailableError',
    ],
    [
      new BadRowWriteError('firehose down', 2, 'ServiceUnavailableException', { cause }),
      'BadRowWriteError',
    ],
    [new RecordTooLargeError(1_100_000, 1_048_576), 'RecordTooLargeError'],
  ] as const;

  it.each(errors)('%s is an EdgeError named after its class', (err, name) => {
    expect(err).toBeInstanceOf(EdgeError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
  });

  it('keeps the data a caller needs and the SDK error as cause', () => {
    const [[unavailable], [badRows], [tooLarge]] = errors;
    expect([
      unavailable.failedIndexes,
      unavailable.attempts,
      unavailable.lastErrorCode,
    ]).toStrictEqual([[1, 2], 3, 'InternalFailure']);
    expect(unavailable.cause).toBe(cause);
    expect([badRows.failedCount, badRows.cause]).toStrictEqual([2, cause]);
    expect(tooLarge.message).toBe('record of 1100000 bytes exceeds the 1048576-byte limit');
  });
});
