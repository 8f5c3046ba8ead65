/**
 * A simulation's summary tells what happened to its batches: acknowledged (possibly after
 * resends), given up after its retries, or refused with a 4xx. A scripted loopback server plays
 * the edge over real sockets; the assertions are counts, not durations.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runSimulation, type SimulationOptions } from '../../../local/sim/simulation.js';
import { type ScriptedServer, startScriptedServer } from '../../helpers/scripted-server.js';

const RUN: Omit<SimulationOptions, 'url'> = {
  viewers: 3,
  durationSeconds: 1,
  seed: 11,
  resend: {
    backoff: { baseMs: 20, maxMs: 50 },
    maxRetries: 3,
    budgetMs: 30_000,
    requestTimeoutMs: 30_000,
  },
};
const UNAVAILABLE = { status: 503, headers: { 'retry-after': '0' } };

describe('runSimulation', () => {
  let server: ScriptedServer | undefined;
  afterEach(() => server?.close());

  it('resends each batch the edge could not take, and counts it accepted once taken', async () => {
    const firstSeen = new Set<string>();
    server = await startScriptedServer((_, body) => {
      const key = body.toString();
      if (firstSeen.has(key)) return { status: 204 };
      firstSeen.add(key);
      return UNAVAILABLE;
    });
    const s = await runSimulation({ ...RUN, url: server.url });
    expect(s.requests).toBeGreaterThan(0);
    expect(s).toMatchObject({
      eventsAccepted: s.events,
      retries: s.requests,
      batchesFailed: 0,
      eventsFailed: 0,
      batchesRefused: 0,
      eventsRefused: 0,
    });
    expect(s.statuses).toStrictEqual({ 503: s.requests, 204: s.requests });
    // Every batch went over the wire exactly twice, byte for byte the same.
    const bodies = server.bodies();
    expect(bodies.size).toBe(s.requests);
    expect(new Set(bodies.values())).toStrictEqual(new Set([2]));
    const events = [...bodies.keys()].flatMap(
      (b) => (JSON.parse(b) as { events: { id: string }[] }).events,
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(s.events);
  });

  it('counts a batch that never gets through as failed, apart from refusals', async () => {
    server = await startScriptedServer(() => UNAVAILABLE);
    const s = await runSimulation({ ...RUN, url: server.url });
    expect(s.requests).toBeGreaterThan(0);
    expect(s).toMatchObject({
      eventsAccepted: 0,
      retries: s.requests * 3,
      batchesFailed: s.requests,
      eventsFailed: s.events,
      batchesRefused: 0,
    });
    expect(s.statuses).toStrictEqual({ 503: s.requests * 4 });
  });

  it('counts a 4xx as a refusal and never resends it', async () => {
    server = await startScriptedServer(() => ({ status: 400, body: '{"error":"invalid_batch"}' }));
    const s = await runSimulation({ ...RUN, url: server.url });
    expect(s.requests).toBeGreaterThan(0);
    expect(s).toMatchObject({
      eventsAccepted: 0,
      retries: 0,
      batchesFailed: 0,
      batchesRefused: s.requests,
      eventsRefused: s.events,
    });
    expect(s.statuses).toStrictEqual({ 400: s.requests });
    expect(server.requests).toHaveLength(s.requests);
  });

  it('stops a session on a 410 and sends nothing more for it, as the SDK does', async () => {
    // The edge retires schema 1-0-0; the newer SDK release's 2-0-0 sessions go on.
    server = await startScriptedServer((_, body) =>
      (JSON.parse(body.toString()) as { schema_version: string }).schema_version === '1-0-0'
        ? { status: 410, body: '{"error":"schema_retired"}' }
        : { status: 204 },
    );
    const s = await runSimulation({ ...RUN, url: server.url, viewers: 6, durationSeconds: 12 });
    type Seen = { version: string; sent: number[]; refusedAt?: number };
    const perSession = new Map<string, Seen>();
    for (const r of server.requests) {
      const b = JSON.parse(r.body.toString()) as { session_id: string; schema_version: string };
      const seen = perSession.get(b.session_id) ?? { version: b.schema_version, sent: [] };
      seen.sent.push(r.arrivedAt);
      if (b.schema_version === '1-0-0') seen.refusedAt ??= r.answeredAt;
      perSession.set(b.session_id, seen);
    }
    const retired = [...perSession.values()].filter((x) => x.version === '1-0-0');
    const live = [...perSession.values()].filter((x) => x.version === '2-0-0');
    expect(retired.length).toBeGreaterThan(0);
    // Sessions send several batches in this window (the live ones show it), so a retired session
    // that sent nothing after its first 410 stopped. A batch already on its way when the answer
    // came (two in one tick) may still arrive just after it; the next flush would be seconds later.
    expect(Math.max(...live.map((x) => x.sent.length))).toBeGreaterThan(1);
    const sentAfter = retired.map((x) => x.sent.filter((t) => t > (x.refusedAt ?? 0) + 200).length);
    expect(sentAfter).toStrictEqual(retired.map(() => 0));
    expect(s.sessionsStopped).toBe(retired.length);
  });

  it('sends each event when its scripted time comes, and counts in the truth exactly what was acknowledged', async () => {
    // Every third batch: its first event refused in a 200, as the edge answers an invalid event.
    server = await startScriptedServer((n) =>
      n % 3 === 0
        ? {
            status: 200,
            body: JSON.stringify({
              accepted: 0,
              rejected: [{ index: 0, reason: 'invalid_event', detail: 'x' }],
            }),
          }
        : { status: 204 },
    );
    const s = await runSimulation({
      ...RUN,
      viewers: 20,
      durationSeconds: 3,
      truth: true,
      url: server.url,
    });
    const batches = server.requests.map(
      (r) =>
        JSON.parse(r.body.toString()) as {
          sent_at: number;
          events: { id: string; ts: number; seq: number }[];
        },
    );
    const sent = batches.flatMap((b) => b.events);
    expect(sent.length).toBe(s.events);
    expect(s.eventsAccepted).toBe(s.events - batches.filter((_, i) => i % 3 === 0).length);
    expect(s.truth?.eventsAcknowledged).toBe(s.eventsAccepted);
    for (const b of batches) {
      for (const e of b.events) {
        // Stamped with its scripted time: never after the send, never before the run.
        expect(e.ts).toBeLessThanOrEqual(b.sent_at);
        expect(e.ts).toBeGreaterThanOrEqual(s.startedAt);
      }
      // Batched as the SDK does: within a few seconds of the oldest event.
      expect(b.sent_at - b.events[0].ts).toBeLessThan(5_000);
    }
  });
});
