/**
 * Fault: PutRecords past the write budget, through the built edge bundle and a fault proxy in
 * front of a real kinesalite (test/helpers/kinesis-fault-env.proxy.ts): a stream that throttles every
 * call, a stream that hangs (its write lands late), and a bad-row stream that cannot take rows.
 * The edge answers 429 (throttled) or 503 with Retry-After, acknowledges nothing it did not write, and every event
 * the client sends again is stored once; a refusal is final only once its bad row is stored.
 */
import { describe, expect, it, vi } from 'vitest';
import { makeBatch } from '../../helpers/batch-factory.js';
import { storedBadRows, storedEventIds } from '../../helpers/fault-stack.js';
import { waitFor } from '../../helpers/kinesis-streams.js';
import {
  BAD_ROW_STREAM,
  batchWithBadEvents,
  useProxiedStack,
} from '../../helpers/proxied-stack.js';
import { deliver } from '../../helpers/retrying-client.js';

const FRANKFURT = { 'x-beacon-pop': 'FRA56-C1' };
const env = useProxiedStack();

describe('PutRecords faults past the write budget', () => {
  it('answers 429 throttled with Retry-After, writes nothing of the request, and keeps it as a bad row', async () => {
    const edgeLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const throttled = new Set<string>();
    let throttle = true;
    env.proxy.setScript(({ stream }) => {
      if (!throttle || stream === BAD_ROW_STREAM) return undefined;
      return { kind: 'throttle' };
    });
    const batches = Array.from({ length: 6 }, () => makeBatch({ count: 5, types: ['heartbeat'] }));
    const ids = new Set(batches.flatMap((b) => b.events.map((e) => e.id)));
    try {
      const delivery = deliver({
        url: env.stack.ingestUrl,
        batches,
        concurrency: 6,
        headers: FRANKFURT,
        deadline: Date.now() + 100_000,
        onAnswer: (status, _b, requestId) => {
          if ((status === 429 || status === 503) && requestId) throttled.add(requestId);
        },
      });
      await waitFor('every request to be refused once', () => throttled.size >= batches.length);
      // Nothing of a refused request reached the stream, however often the edge tried.
      const tried = env.proxy.calls.filter((c) => c.stream !== BAD_ROW_STREAM);
      expect(tried.length).toBeGreaterThan(batches.length);
      expect(tried.every((c) => c.written.length === 0 && c.entries.length === 1)).toBe(true);
      const before = await env.recordsInStreams();
      expect(before.filter((r) => throttled.has(r.edge.request_id))).toStrictEqual([]);
      throttle = false;
      const report = await delivery;

      expect(report.unavailableWithoutRetryAfter).toBe(0);
      // Throttled on every attempt within the budget: 429 (the stream is up). On a loaded machine
      // an attempt may also fail otherwise (a dropped connection), which makes that answer a 503.
      const { 429: slowDown = 0, 503: down = 0 } = report.statuses;
      expect(slowDown + down).toBeGreaterThanOrEqual(batches.length);
      expect(slowDown).toBeGreaterThan(down);
      expect(report.acked).toStrictEqual(ids);
      await waitFor('the consumer to store the retried events', async () => {
        const stored = await storedEventIds(env.stack.store);
        return [...ids].every((id) => stored.has(id));
      });
      const stored = await storedEventIds(env.stack.store);
      expect([...ids].map((id) => stored.get(id))).toStrictEqual([...ids].map(() => 1));
      // Each refused request is one bad row holding its whole body, with the reason it was given.
      const bad = (await storedBadRows(env.stack.store)).filter((b) => throttled.has(b.request_id));
      expect(bad).toHaveLength(throttled.size);
      const reasons = bad.map((b) => b.reason);
      expect(reasons.filter((r) => r === 'throttled').length).toBeGreaterThan(0);
      expect(reasons.every((r) => r === 'throttled' || r === 'stream_unavailable')).toBe(true);
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
    env.proxy.setScript(({ stream }) =>
      holding && stream !== BAD_ROW_STREAM ? { kind: 'hold', until } : undefined,
    );
    const refused = new Set<string>();
    const batches = Array.from({ length: 4 }, () => makeBatch({ count: 5, types: ['heartbeat'] }));
    const ids = new Set(batches.flatMap((b) => b.events.map((e) => e.id)));
    try {
      const delivery = deliver({
        url: env.stack.ingestUrl,
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
        const late = (await env.recordsInStreams()).filter((r) => refused.has(r.edge.request_id));
        return late.length >= batches.length;
      });
      await waitFor('the consumer to store the events', async () => {
        const stored = await storedEventIds(env.stack.store);
        return [...ids].every((id) => stored.has(id));
      });
      // Each event travelled twice (the late write and the client's retry) and is stored once.
      const inStream = (await env.recordsInStreams()).flatMap((r) => r.events.map((e) => e.id));
      expect(inStream.filter((id) => ids.has(id)).length).toBeGreaterThanOrEqual(2 * ids.size);
      const stored = await storedEventIds(env.stack.store);
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
    env.proxy.setScript(({ stream }) =>
      blocking && stream === BAD_ROW_STREAM ? { kind: 'throttle' } : undefined,
    );
    const garbage = `{"not json": ${makeBatch().session_id}`;
    const mixed = batchWithBadEvents(6, [2]);
    const send = (body: string) =>
      fetch(env.stack.ingestUrl, {
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
        const bad = await storedBadRows(env.stack.store);
        const stored = await storedEventIds(env.stack.store);
        return (
          bad.some((b) => b.event_id === refusedId) &&
          bad.some((b) => b.payload === garbage) &&
          good.every((id) => stored.has(id))
        );
      });
      const bad = await storedBadRows(env.stack.store);
      expect(bad.filter((b) => b.event_id === refusedId).map((b) => b.reason)).toStrictEqual([
        'invalid_event',
      ]);
      expect(bad.filter((b) => b.payload === garbage).map((b) => b.reason)).toStrictEqual([
        'invalid_json',
      ]);
      // The first attempt wrote the valid events before its refusal could not be recorded; the
      // second wrote them again. Stored once each.
      const stored = await storedEventIds(env.stack.store);
      expect(good.map((id) => stored.get(id))).toStrictEqual(good.map(() => 1));
      expect(stored.has(refusedId)).toBe(false);
    } finally {
      blocking = false;
      edgeLog.mockRestore();
    }
  }, 120_000);
});
