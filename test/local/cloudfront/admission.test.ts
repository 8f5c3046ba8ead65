import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AimdLimit,
  overloadedResult,
  withAdmission,
  type Admission,
  type EdgeHandler,
} from '../../../local/cloudfront/admission.js';

/**
 * Admission control over a real node:http server: requests past the bound are answered 503
 * overloaded with Retry-After at once, without reading their body, and the bound frees again
 * when admitted requests end (however they end).
 */
const servers: http.Server[] = [];
const agent = new http.Agent({ keepAlive: true });

/** Releases of every gate a test opened: a test that fails early must not leave requests hanging. */
const releases: (() => void)[] = [];

afterEach(async () => {
  for (const release of releases.splice(0)) release();
  agent.destroy();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** An edge handler that holds every request until `release()`; it reads the body first. */
function gatedHandler(): { handler: EdgeHandler; release: () => void; started: () => number } {
  let open: (() => void)[] = [];
  let started = 0;
  let released = false;
  const handler: EdgeHandler = async (req, res) => {
    for await (const _ of req) void _;
    started += 1;
    if (!released) await new Promise<void>((r) => open.push(r));
    res.writeHead(204).end();
  };
  const release = () => {
    released = true;
    for (const r of open) r();
    open = [];
  };
  releases.push(release);
  return { handler, started: () => started, release };
}

async function serve(admission: Admission): Promise<string> {
  const server = http.createServer((req, res) => {
    Promise.resolve(admission.handler(req, res, new URL(req.url ?? '/', 'http://local'))).catch(
      () => res.writeHead(500).end(),
    );
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function post(base: string, body: string, chunked = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'text/plain' };
    if (chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = String(Buffer.byteLength(body));
    const req = http.request(`${base}/v1/events`, { method: 'POST', headers, agent });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const until = async (what: () => boolean) => {
  const deadline = Date.now() + 10_000;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('condition not reached in 10 s');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('withAdmission', () => {
  it('sheds requests past the bound with 503 overloaded and Retry-After, then admits again', async () => {
    const gate = gatedHandler();
    const admission = withAdmission(gate.handler, {
      maxInFlight: 2,
      retryAfterSeconds: 3,
      now: () => 1_764_288_000_000,
    });
    const base = await serve(admission);
    const held = [post(base, '{"a":1}'), post(base, '{"a":2}')];
    await until(() => gate.started() === 2);

    const shed = await post(base, '{"a":3}');
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBe('3');
    expect(shed.headers['content-type']).toBe('application/json');
    expect(shed.headers['x-cache']).toBe('LambdaLimitExceeded from cloudfront');
    expect(JSON.parse(shed.body)).toStrictEqual({
      error: 'overloaded',
      detail:
        'the edge is over capacity and did not process this request; nothing was stored, retry after 3 s',
    });
    expect(gate.started()).toBe(2); // the shed request never reached the edge code
    expect(admission.stats()).toStrictEqual({
      inFlight: 2,
      maxInFlight: 2,
      limit: 2,
      admitted: 2,
      shed: 1,
      lastShedAt: 1_764_288_000_000,
      errors: 0,
      recentErrors: 0,
      errorWindowMs: 10_000,
      lastErrorAt: null,
    });

    gate.release();
    expect((await Promise.all(held)).map((a) => a.status)).toStrictEqual([204, 204]);
    expect((await post(base, '{"a":4}')).status).toBe(204);
    expect(admission.stats()).toMatchObject({ inFlight: 0, admitted: 3, shed: 1 });
  });

  it('closes the connection of a shed request whose body has no declared length', async () => {
    const gate = gatedHandler();
    const admission = withAdmission(gate.handler, { maxInFlight: 1, retryAfterSeconds: 2 });
    const base = await serve(admission);
    const held = post(base, 'x');
    await until(() => gate.started() === 1);
    const shedSmall = await post(base, 'small, declared');
    const shedChunked = await post(base, 'x'.repeat(2_000), true);
    expect([shedSmall.status, shedChunked.status]).toStrictEqual([503, 503]);
    expect(shedSmall.headers.connection).toBe('keep-alive');
    expect(shedChunked.headers.connection).toBe('close');
    gate.release();
    await held;
  });

  it('sheds while the oldest request in flight is older than the latency target', async () => {
    const gate = gatedHandler();
    const admission = withAdmission(gate.handler, {
      maxInFlight: 10,
      latencyTargetMs: 200,
      retryAfterSeconds: 2,
    });
    const base = await serve(admission);
    const held = post(base, '{"a":1}');
    await until(() => gate.started() === 1);
    // Young: a second request is admitted although the first has not finished.
    const second = post(base, '{"a":2}');
    await until(() => gate.started() === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect((await post(base, '{"a":3}')).status).toBe(503);
    expect(admission.stats()).toMatchObject({ inFlight: 2, admitted: 2, shed: 1 });
    gate.release();
    await Promise.all([held, second]);
    // Both were slower than the target: the limit was cut, and the slot is free again.
    expect(admission.stats().limit).toBeLessThan(10);
    expect((await post(base, '{"a":4}')).status).toBe(204);
  });

  it('frees the slot when the edge handler fails', async () => {
    let calls = 0;
    const admission = withAdmission(
      async () => {
        calls += 1;
        throw new Error('edge code failed');
      },
      { maxInFlight: 1, retryAfterSeconds: 2 },
    );
    const base = await serve(admission);
    expect((await post(base, '{}')).status).toBe(500);
    expect((await post(base, '{}')).status).toBe(500);
    expect(calls).toBe(2);
    expect(admission.stats()).toMatchObject({ inFlight: 0, admitted: 2, shed: 0 });
  });
});

describe('withAdmission and slow clients', () => {
  it('does not shed while an admitted upload stalls: its age starts when its body has arrived', async () => {
    const gate = gatedHandler();
    gate.release(); // every request is answered as soon as its body is read
    const admission = withAdmission(gate.handler, {
      maxInFlight: 10,
      latencyTargetMs: 200,
      retryAfterSeconds: 2,
    });
    const base = await serve(admission);
    // Declares 1000 bytes, sends 10, then stalls (a real socket, held open).
    const { port } = new URL(base);
    const stalled = net.connect(Number(port), '127.0.0.1');
    stalled.write(
      'POST /v1/events HTTP/1.1\r\nHost: local\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n0123456789',
    );
    try {
      await until(() => admission.stats().inFlight === 1);
      await new Promise((r) => setTimeout(r, 400)); // well past the latency target
      expect((await post(base, '{"a":1}')).status).toBe(204);
      expect(admission.stats()).toMatchObject({ inFlight: 1, admitted: 2, shed: 0, limit: 10 });
    } finally {
      stalled.destroy();
    }
    await until(() => admission.stats().inFlight === 0);
    // The stalled upload never arrived: it neither cut the limit nor counted as an edge error.
    expect(admission.stats()).toMatchObject({ limit: 10, errors: 0 });
  });

  it('starts the clock of a request when its body ends, not when it is admitted', async () => {
    const holds: (() => void)[] = [];
    const admission = withAdmission(
      async (req, res) => {
        await new Promise<void>((r) => holds.push(r)); // the client is still sending
        for await (const _ of req) void _;
        await new Promise<void>((r) => holds.push(r)); // the edge works on it
        res.statusCode = 204;
      },
      { maxInFlight: 10, latencyTargetMs: 100, retryAfterSeconds: 2 },
    );
    const req = new PassThrough() as unknown as IncomingMessage;
    Object.assign(req, { headers: { 'content-length': '2' }, complete: false });
    const res = { statusCode: 200 } as ServerResponse;
    const done = admission.handler(req, res, new URL('http://local/v1/events'));
    await until(() => holds.length === 1);
    (req as unknown as PassThrough).end('{}');
    await new Promise((r) => setTimeout(r, 250)); // a slow client: past the target, before the end
    holds[0]?.();
    await until(() => holds.length === 2);
    holds[1]?.();
    await done;
    expect(admission.stats()).toMatchObject({ limit: 10, inFlight: 0, errors: 0 });
  });
});

describe('withAdmission and the edge errors', () => {
  it('counts the 5xx answers of admitted requests, in all and within the window', async () => {
    let clock = 1_764_288_000_000;
    const admission = withAdmission(
      async (req, res) => {
        let body = '';
        for await (const c of req) body += String(c);
        res.writeHead(body === 'fail' ? 503 : 204).end();
      },
      { maxInFlight: 1, retryAfterSeconds: 2, errorWindowMs: 10_000, now: () => clock },
    );
    const base = await serve(admission);
    const answers = [await post(base, 'fail'), await post(base, 'fail'), await post(base, 'ok')];
    expect(answers.map((a) => a.status)).toStrictEqual([503, 503, 204]);
    expect(admission.stats()).toMatchObject({
      errors: 2,
      recentErrors: 2,
      lastErrorAt: clock,
      shed: 0,
    });
    clock += 11_000;
    expect(admission.stats()).toMatchObject({ errors: 2, recentErrors: 0 });
  });
});

describe('AimdLimit', () => {
  it('cuts by a quarter on a slow request, once per quarter of the target, down to the minimum', () => {
    const limit = new AimdLimit(64, 4, 1_000);
    limit.record(1_500, 10_000);
    expect(limit.current).toBe(48);
    limit.record(1_500, 10_200); // within a quarter of the target: no second cut
    expect(limit.current).toBe(48);
    for (let t = 11_000; t < 40_000; t += 1_000) limit.record(5_000, t);
    expect(limit.current).toBe(4);
  });

  it('grows back by about one per limit of fast requests, up to the maximum', () => {
    const limit = new AimdLimit(16, 4, 1_000);
    for (let t = 0; t < 20_000; t += 1_000) limit.record(5_000, t);
    expect(limit.current).toBe(4);
    for (let i = 0; i < 5; i++) limit.record(10, 30_000); // 4 → 4.25 → … → 5.1
    expect(limit.current).toBe(5);
    for (let i = 0; i < 1_000; i++) limit.record(10, 30_000);
    expect(limit.current).toBe(16);
  });
});

describe('overloadedResult', () => {
  it('is the documented error body with Retry-After', () => {
    const r = overloadedResult(2);
    expect(r.status).toBe(503);
    expect(r.headers).toStrictEqual([
      ['Content-Type', 'application/json'],
      ['Retry-After', '2'],
      ['Cache-Control', 'no-store'],
      ['X-Cache', 'LambdaLimitExceeded from cloudfront'],
    ]);
    expect(JSON.parse(r.body.toString()).error).toBe('overloaded');
  });
});
