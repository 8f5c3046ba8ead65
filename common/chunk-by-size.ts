/**
 * Splitting a batch to a store's or service's per-request limits (count and bytes), shared by the
 * edge's Kinesis writer and bad-row sinks and the core's InfluxDB sink.
 */

/**
 * Splits entry sizes into consecutive groups of at most `maxCount` entries and `maxBytes` bytes
 * (PutRecords / PutRecordBatch limits, lines per InfluxDB write). Returns index groups.
 */
export function chunkBySize(
  sizes: readonly number[],
  maxCount: number,
  maxBytes: number,
): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  sizes.forEach((size, i) => {
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}
