/**
 * Fault: PutRecords partial failures and throttling, against a real kinesalite behind a proxy
 * that answers as Kinesis does under stress (test/helpers/kinesis-fault-proxy.ts), through the
 * built edge bundle in the CloudFront emulator. Within the write budget only the failed entries are
 * sent again and every acknowledged event is stored once; past the budget the edge answers 503
 * with Retry-After and nothing of that request is in the stream.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { KinesisRecordWriter } from '../../../edge/writers/kinesis-writer.js';
import { localStreamName, localStreamNames } from '../../../local/config.js';
import { LOCAL_CREDENTIALS } from '../../../local/kinesis-local.js';
import type { BeaconBatch } from '../../../schemas/index.js';
import type { EnrichedRecord } from '../../../schemas/record.js';
import { makeBatch, makeEvent } from '../../helpers/batch-factory.js';
import {
  startFaultStack,
  startRestartableKinesis,
  storedBadRows,
  storedEventIds,
  type FaultStack,
  type RestartableKinesis,
} from '../../helpers/fault-stack.js';
import {
  startKinesisFaultProxy,
  type KinesisFaultProxy,
  type PutCall,
  type PutFault,
} from '../../helpers/kinesis-fault-proxy.js';
import { readStream, waitFor } from '../../helpers/kinesis-streams.js';
import { enrichedRecord } from '../../helpers/records.js';
import { deliver } from '../../helpers/retrying-client.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-putfaults-'));
const EVENT_STREAMS = localStreamNames().slice(0, -1);
const BAD_ROW_STREAM = localStreamNames().at(-1) as string;
const FRANKFURT = { 'x-beacon-pop': 'FRA56-C1' };
let kinesis: RestartableKinesis;
let proxy: KinesisFaultProxy;
let stack: FaultStack;

/** The edge request id a call's entry belongs to (record: edge.request_id; bad row: partition key). */
function requestOf(call: PutCall, i: number): string {
  if (call.stream === BAD_ROW_STREAM) return call.entries[i].partitionKey;
  return (JSON.parse(call.entries[i].data.toString('utf8')) as EnrichedRecord).edge.request_id;
}

/** Every record in the event streams. */
async function recordsInStreams(): Promise<EnrichedRecord[]> {
  const out: EnrichedRecord[] = [];
  for (const s of EVENT_STREAMS)
    for (const r of await readStream(kinesis.client, s)) out.push(JSON.parse(r.data));
  return out;
}

/** A batch whose events at `bad` have a type the schema does not know (refused, kept as bad rows). */
function batchWithBadEvents(count: number, bad: number[]): BeaconBatch {
  const batch = makeBatch({ count, types: ['heartbeat'] });
  for (const i of bad) batch.events[i] = { ...batch.events[i], type: 'no_such_type' } as never;
  return batch;
}

beforeAll(async () => {
  kinesis = await startRestartableKinesis(path.join(dir, 'kinesis'));
  proxy = await startKinesisFaultProxy(kinesis.endpoint);
  stack = await startFaultStack({
    dataDir: dir,
    kinesisEndpoint: kinesis.endpoint,
    edgeKinesisEndpoint: proxy.endpoint,
  });
});

afterAll(async () => {
  await stack?.stop();
  await proxy?.close();
  await kinesis?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  proxy.setScript(undefined);
  proxy.calls.length = 0;
});

describe('PutRecords faults within the write budget', () => {
  it('retries each faulted record alone and stores every acknowledged event once', async () => {
    // The first attempt of every request's record meets one of the faults, in turn; the
    // attempts after it go through. Bad rows fail two of their entries on the first call.
    const kinds: PutFault[] = [
      { kind: 'fail-entries', entries: [0] },
      { kind: 'throttle' },
      { kind: 'internal-error' },
      { kind: 'write-then-internal-error' },
    ];
    const seen = new Set<string>();
    let n = 0;
    proxy.setScript(({ stream, entries }) => {
      const key =
        stream === BAD_ROW_STREAM
          ? `bad:${entries[0].partitionKey}`
          : (JSON.parse(entries[0].data.toString('utf8')) as EnrichedRecord).edge.request_id;
      if (seen.has(key)) return undefined;
      seen.add(key);
      if (stream === BAD_ROW_STREAM) return { kind: 'fail-entries', entries: [0, 2] };
      return kinds[n++ % kinds.length];
    });
    const plain = Array.from({ length: 100 }, () => makeBatch({ count: 10, types: ['heartbeat'] }));
    const mixed = Array.from({ length: 30 }, () => batchWithBadEvents(10, [1, 4, 7]));
    const batches = [...plain, ...mixed];
    const answered = new Map<string, number>();
    const report = await deliver({
      url: stack.ingestUrl,
      batches,
      concurrency: 12,
      headers: FRANKFURT,
      deadline: Date.now() + 100_000,
      onAnswer: (status, _batch, requestId) => {
        if (requestId) answered.set(requestId, status);
      },
    });
    const isRefused = (e: { type: string }) => e.type === 'no_such_type';
    const good = new Set(
      batches.flatMap((b) => b.events.filter((e) => !isRefused(e)).map((e) => e.id)),
    );
    const refused = batches.flatMap((b) => b.events.filter(isRefused).map((e) => e.id));
    // One final answer per batch. A 503 (the budget ran out, on a loaded machine) only sent the
    // client back; on an idle one there is none.
    const { 204: accepted, 200: partial, 503: unavailable = 0, ...others } = report.statuses;
    expect({ accepted, partial, others }).toStrictEqual({
      accepted: plain.length,
      partial: mixed.length,
      others: {},
    });
    expect(report.acked).toStrictEqual(good);
    expect([...report.refused.keys()].sort()).toStrictEqual([...refused].sort());
    const acked = [...answered].filter(([, status]) => status < 300).map(([id]) => id);

    // Record calls: one record each; the first faulted, every later one the same bytes, and
    // none after a clean write. An acknowledged request ends with a clean write.
    const recordCalls = proxy.calls.filter((c) => c.stream !== BAD_ROW_STREAM);
    const perRequest = new Map<string, PutCall[]>();
    for (const c of recordCalls) {
      expect(c.entries).toHaveLength(1); // one request = one record
      const id = requestOf(c, 0);
      perRequest.set(id, [...(perRequest.get(id) ?? []), c]);
    }
    expect(perRequest.size).toBe(answered.size);
    const clean = (c: PutCall) => c.fault === undefined && c.written.length === 1;
    for (const calls of perRequest.values()) {
      expect(calls[0].fault).toBeDefined();
      expect(calls.slice(1).every((c) => c.entries[0].data.equals(calls[0].entries[0].data))).toBe(
        true,
      );
      expect(calls.slice(0, -1).some(clean)).toBe(false);
    }
    for (const id of acked) expect(clean(perRequest.get(id)?.at(-1) as PutCall)).toBe(true);

    // Bad-row calls of the 200s: three rows in one call, two failed, then only those two again.
    const badPerRequest = new Map<string, PutCall[]>();
    for (const c of proxy.calls.filter((x) => x.stream === BAD_ROW_STREAM)) {
      const id = requestOf(c, 0);
      badPerRequest.set(id, [...(badPerRequest.get(id) ?? []), c]);
    }
    const partials = [...answered].filter(([, status]) => status === 200).map(([id]) => id);
    expect(partials).toHaveLength(mixed.length);
    for (const id of partials) {
      const [first, retry] = badPerRequest.get(id) ?? [];
      expect(first.entries).toHaveLength(3);
      expect(first.written).toStrictEqual([1]);
      expect(retry.entries.map((e) => e.data.toString())).toStrictEqual(
        [first.entries[0], first.entries[2]].map((e) => e.data.toString()),
      );
    }

    // Acknowledged means written: each acknowledged request's record is in the stream. Where the
    // answer to a write was lost the edge wrote again; the store keeps the events once anyway.
    const inStream = new Set((await recordsInStreams()).map((r) => r.edge.request_id));
    expect(acked.filter((id) => !inStream.has(id))).toStrictEqual([]);
    const lostAnswers = recordCalls.filter((c) => c.fault?.kind === 'write-then-internal-error');

    await waitFor(
      'the consumer to store every event and bad row',
      async () =>
        (await storedEventIds(stack.store)).size >= good.size &&
        (await storedBadRows(stack.store)).length >= refused.length,
      30_000,
    );
    const stored = await storedEventIds(stack.store);
    expect(new Set(stored.keys())).toStrictEqual(good);
    expect([...stored.values()].every((x) => x === 1)).toBe(true);
    // One bad row per refused event; a 503 leaves one stream_unavailable row with its body.
    const bad = await storedBadRows(stack.store);
    const perEvent = bad.filter((b) => b.event_id !== null);
    expect(perEvent.map((b) => b.event_id).sort()).toStrictEqual([...refused].sort());
    expect(perEvent.every((b) => b.reason === 'invalid_event')).toBe(true);
    expect(bad.length - perEvent.length).toBeLessThanOrEqual(unavailable);
    console.info(
      `PutRecords faults: ${batches.length} requests, ${good.size + refused.length} events, ${recordCalls.length} record calls (${lostAnswers.length} answers lost after the write), ${unavailable} answered 503, acknowledged ${report.acked.size}, stored ${stored.size}, bad rows ${bad.length}`,
    );
  }, 180_000);

  it('the record writer resends only the failed entries of a multi-record call', async () => {
    const writer = new KinesisRecordWriter({ budgetMs: 3000, localCredentials: LOCAL_CREDENTIALS });
    const stream = localStreamName('us-east-1');
    const records = Array.from({ length: 10 }, (_, i) =>
      enrichedRecord({
        events: [makeEvent('heartbeat')],
        edge: { ...enrichedRecord().edge, request_id: `multi-${i}`, stream_region: 'us-east-1' },
      }),
    );
    let first = true;
    proxy.setScript(({ stream: s }) => {
      if (s !== stream || !first) return undefined;
      first = false;
      return { kind: 'fail-entries', entries: [2, 5, 7] };
    });
    try {
      await writer.write(records, [
        { region: 'us-east-1', streamName: stream, endpoint: proxy.endpoint },
      ]);
    } finally {
      writer.destroy();
    }
    const ids = (c: PutCall) => c.entries.map((_, i) => requestOf(c, i));
    expect(proxy.calls.map(ids)).toStrictEqual([
      records.map((r) => r.edge.request_id),
      ['multi-2', 'multi-5', 'multi-7'],
    ]);
    const inStream = (await readStream(kinesis.client, stream)).map(
      (r) => (JSON.parse(r.data) as EnrichedRecord).edge.request_id,
    );
    expect(inStream.filter((id) => id.startsWith('multi-')).sort()).toStrictEqual(
      records.map((r) => r.edge.request_id).sort(),
    );
  });
});

describe('PutRecords faults past the write budget', () => {
  it('answers 503 with Retry-After, writes nothing of the request, and keeps it as a bad row', async () => {
    const edgeLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const throttled = new Set<string>();
    let throttle = true;
    proxy.setScript(({ stream }) => {
      if (!throttle || stream === BAD_ROW_STREAM) return undefined;
      return { kind: 'throttle' };
    });
    const batches = Array.from({ length: 6 }, () => makeBatch({ count: 5, types: ['heartbeat'] }));
    const ids = new Set(batches.flatMap((b) => b.events.map((e) => e.id)));
    try {
      const delivery = deliver({
        url: stack.ingestUrl,
        batches,
        concurrency: 6,
        headers: FRANKFURT,
        deadline: Date.now() + 100_000,
        onAnswer: (status, _b, requestId) => {
          if (status === 503 && requestId) throttled.add(requestId);
        },
      });
      await waitFor('every request to be refused once', () => throttled.size >= batches.length);
      // Nothing of a refused request reached the stream, however often the edge tried.
      const tried = proxy.calls.filter((c) => c.stream !== BAD_ROW_STREAM);
      expect(tried.length).toBeGreaterThan(batches.length);
      expect(tried.every((c) => c.written.length === 0 && c.entries.length === 1)).toBe(true);
      const before = await recordsInStreams();
      expect(before.filter((r) => throttled.has(r.edge.request_id))).toStrictEqual([]);
      throttle = false;
      const report = await delivery;

      expect(report.unavailableWithoutRetryAfter).toBe(0);
      expect(report.statuses[503]).toBeGreaterThanOrEqual(batches.length);
      expect(report.acked).toStrictEqual(ids);
      await waitFor('the consumer to store the retried events', async () => {
        const stored = await storedEventIds(stack.store);
        return [...ids].every((id) => stored.has(id));
      });
      const stored = await storedEventIds(stack.store);
      expect([...ids].map((id) => stored.get(id))).toStrictEqual([...ids].map(() => 1));
      // Each refused request is one stream_unavailable bad row holding its whole body.
      const bad = (await storedBadRows(stack.store)).filter((b) => throttled.has(b.request_id));
      expect(bad).toHaveLength(throttled.size);
      expect(bad.every((b) => b.reason === 'stream_unavailable')).toBe(true);
      expect(bad.every((b) => batches.some((batch) => b.payload === JSON.stringify(batch)))).toBe(
        true,
      );
    } finally {
      throttle = false;
      edgeLog.mockRestore();
    }
  }, 180_000);
});

describe('a stream that stops answering without refusing', () => {
  it('answers 503 at the budget; a write that lands late is stored once all the same', async () => {
    const edgeLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let release: () => void = () => undefined;
    const until = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding = true;
    proxy.setScript(({ stream }) =>
      holding && stream !== BAD_ROW_STREAM ? { kind: 'hold', until } : undefined,
    );
    const refused = new Set<string>();
    const batches = Array.from({ length: 4 }, () => makeBatch({ count: 5, types: ['heartbeat'] }));
    const ids = new Set(batches.flatMap((b) => b.events.map((e) => e.id)));
    try {
      const delivery = deliver({
        url: stack.ingestUrl,
        batches,
        concurrency: 4,
        headers: FRANKFURT,
        deadline: Date.now() + 100_000,
        onAnswer: (status, _b, requestId) => {
          if (status === 503 && requestId) refused.add(requestId);
        },
      });
      await waitFor('every request to be refused once', () => refused.size >= batches.length);
      holding = false;
      // The stream now takes the held writes: records of requests the edge already refused.
      release();
      const report = await delivery;
      expect(report.unavailableWithoutRetryAfter).toBe(0);
      expect(report.acked).toStrictEqual(ids);
      await waitFor('the held writes to land', async () => {
        const late = (await recordsInStreams()).filter((r) => refused.has(r.edge.request_id));
        return late.length >= batches.length;
      });
      await waitFor('the consumer to store the events', async () => {
        const stored = await storedEventIds(stack.store);
        return [...ids].every((id) => stored.has(id));
      });
      // Each event travelled twice (the late write and the client's retry) and is stored once.
      const inStream = (await recordsInStreams()).flatMap((r) => r.events.map((e) => e.id));
      expect(inStream.filter((id) => ids.has(id)).length).toBeGreaterThanOrEqual(2 * ids.size);
      const stored = await storedEventIds(stack.store);
      expect([...ids].map((id) => stored.get(id))).toStrictEqual([...ids].map(() => 1));
    } finally {
      holding = false;
      release();
      edgeLog.mockRestore();
    }
  }, 180_000);
});

describe('the bad-row stream cannot take rows', () => {
  it('answers 503 rather than a refusal it cannot record, then refuses with one bad row', async () => {
    const edgeLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let blocking = true;
    proxy.setScript(({ stream }) =>
      blocking && stream === BAD_ROW_STREAM ? { kind: 'throttle' } : undefined,
    );
    const garbage = `{"not json": ${makeBatch().session_id}`;
    const mixed = batchWithBadEvents(6, [2]);
    const send = (body: string) =>
      fetch(stack.ingestUrl, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...FRANKFURT },
        body,
      });
    try {
      for (const body of [garbage, JSON.stringify(mixed)]) {
        const res = await send(body);
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('2');
        expect(await res.json()).toMatchObject({ error: 'stream_unavailable' });
      }
      blocking = false;
      expect((await send(garbage)).status).toBe(400);
      const partial = await send(JSON.stringify(mixed));
      expect(partial.status).toBe(200);
      expect(await partial.json()).toMatchObject({ accepted: 5 });

      const refusedId = mixed.events[2].id;
      const good = mixed.events.filter((_, i) => i !== 2).map((e) => e.id);
      await waitFor('the refusals and the events to be stored', async () => {
        const bad = await storedBadRows(stack.store);
        const stored = await storedEventIds(stack.store);
        return (
          bad.some((b) => b.event_id === refusedId) &&
          bad.some((b) => b.payload === garbage) &&
          good.every((id) => stored.has(id))
        );
      });
      const bad = await storedBadRows(stack.store);
      expect(bad.filter((b) => b.event_id === refusedId).map((b) => b.reason)).toStrictEqual([
        'invalid_event',
      ]);
      expect(bad.filter((b) => b.payload === garbage).map((b) => b.reason)).toStrictEqual([
        'invalid_json',
      ]);
      // The first attempt wrote the valid events before its refusal could not be recorded; the
      // second wrote them again. Stored once each.
      const stored = await storedEventIds(stack.store);
      expect(good.map((id) => stored.get(id))).toStrictEqual(good.map(() => 1));
      expect(stored.has(refusedId)).toBe(false);
    } finally {
      blocking = false;
      edgeLog.mockRestore();
    }
  }, 120_000);
});
