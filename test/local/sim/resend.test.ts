/**
 * The simulator resends a batch as the SDK does: the same bytes, after at least the server's
 * Retry-After, until a 2xx, a never-retry status, or its bounds. Real sockets against a scripted
 * loopback server; timing assertions are lower bounds only, which a slow machine cannot break.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createPoster, loopbackUrl, type Poster } from '../../../local/sim/http.js';
import { postWithRetry, type ResendPolicy } from '../../../local/sim/resend.js';
import { type ScriptedServer, startScriptedServer } from '../../helpers/scripted-server.js';

const BODY = JSON.stringify({ session_id: 's-1', events: [{ id: 's-1-0' }, { id: 's-1-1' }] });
const QUICK: ResendPolicy = {
  backoff: { baseMs: 20, maxMs: 20 },
  maxRetries: 5,
  budgetMs: 60_000,
  requestTimeoutMs: 30_000,
};
const UNAVAILABLE = {
  status: 503,
  headers: { 'retry-after': '1', 'content-type': 'application/json' },
  body: '{"error":"stream_unavailable"}',
};

describe('postWithRetry', () => {
  let server: ScriptedServer | undefined;
  let poster: Poster | undefined;
  afterEach(async () => {
    poster?.close();
    await server?.close();
  });
  const start = async (answer: Parameters<typeof startScriptedServer>[0]) => {
    server = await startScriptedServer(answer);
    poster = createPoster(loopbackUrl(server.url), 4);
    return { server, poster };
  };

  it('resends the same bytes after at least Retry-After, then counts the 204', async () => {
    const { server, poster } = await start((n) => (n === 0 ? UNAVAILABLE : { status: 204 }));
    const d = await postWithRetry(poster, '/v1/events', BODY, {}, { policy: QUICK });
    expect(d.outcome).toBe('acknowledged');
    expect(d.retries).toBe(1);
    expect(d.result.status).toBe(204);
    expect(server.requests.map((r) => r.body.toString())).toStrictEqual([BODY, BODY]);
    expect(server.requests[1].body.equals(server.requests[0].body)).toBe(true);
    // Node may fire a timer up to a millisecond early; Retry-After 1 means at least 1000 ms.
    expect(server.requests[1].arrivedAt - server.requests[0].answeredAt).toBeGreaterThanOrEqual(
      998,
    );
  });

  it('gives up when the time budget would be overrun, with the same bytes every time', async () => {
    const { server, poster } = await start(() => UNAVAILABLE);
    const policy = { ...QUICK, maxRetries: 100, budgetMs: 2_500 };
    const d = await postWithRetry(poster, '/v1/events', BODY, {}, { policy });
    expect(d.outcome).toBe('failed');
    expect(d.result.status).toBe(503);
    // Attempts at about 0, 1 and 2 s; the next would start after 3 s, past the budget.
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
    expect(server.requests.length).toBeLessThanOrEqual(3);
    expect(d.retries).toBe(server.requests.length - 1);
    expect(new Set(server.requests.map((r) => r.body.toString()))).toStrictEqual(new Set([BODY]));
  });

  it('gives up after its retry count', async () => {
    const { server, poster } = await start(() => ({
      status: 429,
      headers: { 'retry-after': '0' },
    }));
    const d = await postWithRetry(
      poster,
      '/v1/events',
      BODY,
      {},
      {
        policy: { ...QUICK, maxRetries: 2 },
      },
    );
    expect(d).toMatchObject({ outcome: 'failed', retries: 2, result: { status: 429 } });
    expect(server.requests).toHaveLength(3);
  });

  it('resends after a dropped connection', async () => {
    const { server, poster } = await start((n) => (n === 0 ? { destroy: true } : { status: 204 }));
    const d = await postWithRetry(poster, '/v1/events', BODY, {}, { policy: QUICK });
    expect(d).toMatchObject({ outcome: 'acknowledged', retries: 1 });
    expect(server.requests.map((r) => r.body.toString())).toStrictEqual([BODY, BODY]);
  });

  it.each([400, 413, 410])('never resends a %i', async (status) => {
    const { server, poster } = await start(() => ({ status, body: '{"error":"x"}' }));
    const d = await postWithRetry(poster, '/v1/events', BODY, {}, { policy: QUICK });
    expect(d).toMatchObject({ outcome: 'refused', retries: 0, result: { status } });
    expect(server.requests).toHaveLength(1);
  });

  it('stops waiting and gives up when the signal aborts', async () => {
    const { server, poster } = await start(() => ({
      status: 503,
      headers: { 'retry-after': '60' },
    }));
    const abort = new AbortController();
    const pending = postWithRetry(
      poster,
      '/v1/events',
      BODY,
      {},
      {
        policy: QUICK,
        signal: abort.signal,
        onAttempt: () => abort.abort(),
      },
    );
    await expect(pending).resolves.toMatchObject({ outcome: 'failed', retries: 0 });
    expect(server.requests).toHaveLength(1);
  });
});
