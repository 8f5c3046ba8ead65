/** Splitting a batch to a service's per-request limits. */
import { describe, expect, it } from 'vitest';
import { chunkBySize } from '../../common/chunk-by-size.js';

describe('chunkBySize', () => {
  it('chunks by count and by bytes, never leaving an entry out', () => {
    expect(chunkBySize([1, 1, 1, 1, 1], 2, 100)).toStrictEqual([[0, 1], [2, 3], [4]]);
    expect(chunkBySize([60, 50, 40, 70], 10, 100)).toStrictEqual([[0], [1, 2], [3]]);
    expect(chunkBySize([150], 10, 100)).toStrictEqual([[0]]);
    expect(chunkBySize([], 10, 100)).toStrictEqual([]);
  });
});
