/**
 * Fault: the stream stops answering. kinesalite is stopped while clients send, then started again
 * on the same port and LevelDB folder. The built edge must answer 503 with Retry-After for what it
 * could not write and acknowledge nothing else; clients retrying as the SDK does deliver
 * everything once the stream is back, and every acknowledged event is stored exactly once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localStreamNames } from '../../../local/config.js';
import type { EnrichedRecord } from '../../../schemas/record.js';
import { makeBatch } from '../../helpers/batch-factory.js';
import {
  startFaultStack,
  startRestartableKinesis,
  storedBadRows,
  storedEventIds,
  type FaultStack,
  type RestartableKinesis,
} from '../../helpers/fault-stack.js';
import { readStream, waitFor } from '../../helpers/kinesis-streams.js';
import { deliver } from '../../helpers/retrying-client.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-outage-'));
let kinesis: RestartableKinesis;
let stack: FaultStack;

beforeAll(async () => {
  kinesis = await startRestartableKinesis(path.join(dir, 'kinesis'));
  // A short write budget keeps each refused request (and the test) short; the rule is the same.
  stack = await startFaultStack({
    dataDir: dir,
    kinesisEndpoint: kinesis.endpoint,
    edge: { writeBudgetMs: 1000 },
  });
});

afterAll(async () => {
  await stack?.stop();
  await kinesis?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the stream stops answering mid-load', () => {
  it('answers 503 with Retry-After, acknowledges only what it wrote, and loses nothing', async () => {
    // The built edge logs every failed write on stderr, as it would to CloudWatch.
    const edgeLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const batches = Array.from({ length: 300 }, () =>
      makeBatch({ count: 8, types: ['heartbeat'] }),
    );
    const sent = new Set(batches.flatMap((b) => b.events.map((e) => e.id)));
    const refusedRequests = new Set<string>();
    const ackedRequests = new Set<string>();
    let ok = 0;
    let unavailable = 0;
    const delivery = deliver({
      url: stack.ingestUrl,
      batches,
      concurrency: 16,
      headers: { 'x-beacon-pop': 'FRA56-C1' },
      deadline: Date.now() + 100_000,
      onAnswer: (status, _batch, requestId) => {
        if (status === 204) {
          ok += 1;
          if (requestId) ackedRequests.add(requestId);
        }
        if (status === 503) {
          unavailable += 1;
          if (requestId) refusedRequests.add(requestId);
        }
      },
    });
    try {
      await waitFor('a first share acknowledged', () => ok >= 60, 30_000);
      await kinesis.stop();
      const okAtStop = ok;
      await waitFor('the edge to refuse requests', () => unavailable >= 20, 30_000);
      await kinesis.start();
      const report = await delivery;

      // Every batch got through in the end, and every 503 said when to come back.
      expect(report.undelivered).toHaveLength(0);
      expect(report.unavailableWithoutRetryAfter).toBe(0);
      expect(report.statuses[503]).toBeGreaterThanOrEqual(20);
      expect(report.acked).toStrictEqual(sent);
      expect(ok).toBeGreaterThan(okAtStop);

      // Stored: each acknowledged event exactly once, and nothing that was never sent.
      await waitFor(
        'the consumer to store every event',
        async () => (await storedEventIds(stack.store)).size >= sent.size,
        30_000,
      );
      const stored = await storedEventIds(stack.store);
      expect(new Set(stored.keys())).toStrictEqual(sent);
      expect([...stored.values()].every((n) => n === 1)).toBe(true);

      // Acknowledged means written: every request answered 204 has its record in a stream.
      // (A refused request may have been written too, when kinesalite finished a write after
      // the edge's deadline; the client's retry then travels twice and is stored once.)
      const written = new Set<string>();
      for (const stream of localStreamNames().slice(0, -1))
        for (const r of await readStream(kinesis.client, stream))
          written.add((JSON.parse(r.data) as EnrichedRecord).edge.request_id);
      expect([...ackedRequests].filter((id) => !written.has(id))).toStrictEqual([]);
      const writtenRefused = [...refusedRequests].filter((id) => written.has(id)).length;

      // A refused body is kept as a stream_unavailable bad row when the bad-row stream could take
      // it; during the outage it could not, so only the reason is checked.
      const bad = await storedBadRows(stack.store);
      expect(bad.every((b) => b.reason === 'stream_unavailable')).toBe(true);
      expect(edgeLog.mock.calls.some((c) => String(c[0]).includes('record write failed'))).toBe(
        true,
      );
      console.info(
        `stream outage: ${batches.length} batches, ${sent.size} events, ${report.attempts} requests, statuses ${JSON.stringify(report.statuses)}, acknowledged ${report.acked.size}, stored ${stored.size}, bad rows ${bad.length}, refused but written ${writtenRefused}`,
      );
    } finally {
      edgeLog.mockRestore();
      await kinesis.start();
      await delivery;
    }
  }, 180_000);
});
