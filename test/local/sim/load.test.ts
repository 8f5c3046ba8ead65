/**
 * The load generator keeps each request's scheduled send time, so a caller can measure latency
 * from the schedule rather than from when a connection was free (coordinated omission). A loopback
 * server that holds every request for a while, behind one connection, makes the sends fall behind
 * the schedule by construction; the assertions are lower bounds that a slower machine only widens.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad, type LoadResponse } from '../../../local/sim/load.js';
import { startScriptedServer } from '../../helpers/scripted-server.js';

const HOLD_MS = 150;
const EVENTS_PER_SECOND = 400;
const BATCH = 20;
/** A 20-event batch is due every 50 ms; served one at a time, each takes at least 150 ms. */
const SLOT_MS = (BATCH * 1000) / EVENTS_PER_SECOND;

describe('runLoad schedule', () => {
  let server: http.Server;
  let url = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.writeHead(204).end(), HOLD_MS));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reports each request against its scheduled time and says how late the sends were', async () => {
    const responses: LoadResponse[] = [];
    const summary = await runLoad({
      url,
      eventsPerSecond: EVENTS_PER_SECOND,
      durationSeconds: 0.5,
      batchSize: BATCH,
      concurrency: 1,
      viewers: 1_000,
      onResponse: (r) => responses.push(r),
    });
    expect(summary.sent).toBe(responses.length);
    expect(summary.events).toBe(EVENTS_PER_SECOND * 0.5);
    const bySchedule = [...responses].sort((a, b) => a.scheduledAt - b.scheduledAt);
    // The schedule follows the events sent, not the clock: each slot is the previous one plus
    // the previous batch's events at the fixed rate.
    for (let i = 1; i < bySchedule.length; i++) {
      const previous = bySchedule[i - 1];
      expect(bySchedule[i].scheduledAt - previous.scheduledAt).toBeCloseTo(
        (previous.batch.events.length * 1000) / EVENTS_PER_SECOND,
        6,
      );
    }
    // One connection held HOLD_MS per request: request k cannot leave before k × HOLD_MS, while
    // it was due at about k × SLOT_MS.
    const last = bySchedule.at(-1) as LoadResponse;
    const lastLag = last.sentAt - last.scheduledAt;
    expect(lastLag).toBeGreaterThanOrEqual((bySchedule.length - 1) * (HOLD_MS - SLOT_MS) - 1);
    expect(summary.sendLag.max).toBeGreaterThanOrEqual(lastLag);
    expect(summary.sendLag.p95).toBeLessThanOrEqual(summary.sendLag.max);
    expect(summary.sendLag.p50).toBeLessThanOrEqual(summary.sendLag.p95);
    expect(summary.late).toBeGreaterThan(0);
    for (const r of responses) expect(r.sentAt).toBeGreaterThanOrEqual(r.scheduledAt - SLOT_MS);
  });

  it('lets a caller change a batch before it is sent, and reports the batch as sent', async () => {
    const responses: LoadResponse[] = [];
    await runLoad({
      url,
      eventsPerSecond: EVENTS_PER_SECOND,
      durationSeconds: 0.1,
      batchSize: BATCH,
      concurrency: 4,
      prepare: (batch, request) => ({ ...batch, content_id: `tagged-${request}` }),
      onResponse: (r) => responses.push(r),
    });
    expect(responses.map((r) => r.batch.content_id).sort()).toStrictEqual(
      responses.map((_, i) => `tagged-${i}`).sort(),
    );
  });
});

describe('runLoad never resends', () => {
  it('sends each batch once, however the stack answers (a benchmark measures offered load)', async () => {
    const server = await startScriptedServer(() => ({
      status: 503,
      headers: { 'retry-after': '0' },
      body: '{"error":"stream_unavailable"}',
    }));
    try {
      const summary = await runLoad({
        url: server.url,
        eventsPerSecond: 400,
        durationSeconds: 0.25,
        batchSize: 20,
        concurrency: 2,
      });
      expect(summary.sent).toBeGreaterThan(0);
      expect(summary.statuses).toStrictEqual({ 503: summary.sent });
      expect(server.requests).toHaveLength(summary.sent);
      expect(new Set(server.bodies().values())).toStrictEqual(new Set([1]));
    } finally {
      await server.close();
    }
  });
});
