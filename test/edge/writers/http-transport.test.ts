/**
 * The edge's HTTP transport over real loopback sockets: keep-alive reuse (a warm container does
 * not reconnect per beacon), closing idle sockets on destroy, and the abort and timeout errors
 * the retry loop reads. Its answers for every AWS reply shape, compared with the SDK's, are in
 * aws-json-client.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeTransport, type HttpTransport } from '../../../edge/writers/http-transport.js';

let server: http.Server | undefined;
let transport: HttpTransport | undefined;

/** A loopback server answering with `answer`, counting what it saw (its own counters only). */
async function start(answer: (res: http.ServerResponse) => void) {
  const seen = { connections: 0, closed: 0, requests: 0 };
  const s = http.createServer((req, res) => {
    seen.requests++;
    req.resume();
    req.on('end', () => answer(res));
  });
  s.on('connection', (socket) => {
    seen.connections++;
    socket.on('close', () => seen.closed++);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  server = s;
  return { url: new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`), seen };
}

afterEach(async () => {
  transport?.destroy();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const post = (url: URL, signal?: AbortSignal) =>
  (transport as HttpTransport).send(
    { url, method: 'POST', headers: { 'content-type': 'text/plain' }, body: Buffer.from('hi') },
    signal,
  );

/** Waits until `check` holds (sockets close asynchronously). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

describe('nodeTransport', () => {
  it('returns the whole response and keeps one connection for consecutive requests', async () => {
    const { url, seen } = await start((res) => res.writeHead(201, { 'x-a': 'b' }).end('body'));
    transport = nodeTransport({ requestTimeoutMs: 2000, connectTimeoutMs: 1000 });
    for (let i = 0; i < 3; i++) {
      const res = await post(url);
      expect([res.status, res.headers['x-a'], res.body.toString()]).toStrictEqual([
        201,
        'b',
        'body',
      ]);
    }
    expect(seen.requests).toBe(3);
    expect(seen.connections).toBe(1);
  });

  it('closes its idle sockets on destroy', async () => {
    const { url, seen } = await start((res) => res.end('ok'));
    transport = nodeTransport({ requestTimeoutMs: 2000, connectTimeoutMs: 1000 });
    await post(url);
    expect(seen.closed).toBe(0);
    transport.destroy();
    await until(() => seen.closed === 1);
  });

  it('sends nothing for an already aborted signal (AbortError)', async () => {
    const { url, seen } = await start((res) => res.end('ok'));
    transport = nodeTransport({ requestTimeoutMs: 2000, connectTimeoutMs: 1000 });
    const c = new AbortController();
    c.abort();
    await expect(post(url, c.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.requests).toBe(0);
  });

  it('gives up on a silent server after the request timeout (TimeoutError) and drops the socket', async () => {
    const { url, seen } = await start(() => undefined);
    transport = nodeTransport({ requestTimeoutMs: 100, connectTimeoutMs: 100 });
    await expect(post(url)).rejects.toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
    await until(() => seen.closed === 1);
  });
});
