import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionPool, parseResponse } from '../../../local/sim/http-client.js';

/** The simulator's lean HTTP/1.1 client: response parsing, and keep-alive against a real node:http server. */
const b = (s: string) => Buffer.from(s, 'latin1');

describe('parseResponse', () => {
  it('reads a Content-Length body and waits while it is incomplete', () => {
    const full = b(
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"xyz"}',
    );
    expect(parseResponse(full.subarray(0, 30))).toBeUndefined();
    expect(parseResponse(full.subarray(0, full.length - 1))).toBeUndefined();
    const r = parseResponse(full)!;
    expect({
      status: r.response.status,
      body: r.response.body.toString(),
      close: r.close,
      used: r.used,
    }).toStrictEqual({ status: 200, body: '{"a":"xyz"}', close: false, used: full.length });
  });

  it('reads chunked bodies, 204 without a body, and Connection: close', () => {
    const chunked = b(
      'HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    );
    expect(parseResponse(chunked.subarray(0, chunked.length - 2))).toBeUndefined();
    expect(parseResponse(chunked)!.response.body.toString()).toBe('hello world');
    const noContent = parseResponse(b('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n'))!;
    expect({
      status: noContent.response.status,
      length: noContent.response.body.length,
      close: noContent.close,
    }).toStrictEqual({ status: 204, length: 0, close: true });
  });

  it('keeps the Retry-After of a shed request, and has none when the server sent none', () => {
    const body = '{"error":"overloaded"}';
    const shed = parseResponse(
      b(
        `HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      ),
    )!;
    expect(shed.response).toStrictEqual({ status: 503, body: Buffer.from(body), retryAfter: '2' });
    const plain = parseResponse(b('HTTP/1.1 204 No Content\r\n\r\n'))!;
    expect(plain.response).toStrictEqual({ status: 204, body: Buffer.alloc(0) });
  });

  it('keeps the Retry-After header as sent', () => {
    const date = 'Thu, 01 Jan 2026 12:00:30 GMT';
    expect(
      parseResponse(
        b(`HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: 0\r\n\r\n`),
      )?.response.retryAfter,
    ).toBe('2');
    expect(
      parseResponse(b(`HTTP/1.1 429 Too Many\r\nretry-after: ${date}\r\n\r\n`)),
    ).toBeUndefined();
    expect(
      parseResponse(b(`HTTP/1.1 204 No Content\r\nretry-after: ${date}\r\n\r\n`))?.response
        .retryAfter,
    ).toBe(date);
    expect(
      parseResponse(b('HTTP/1.1 204 No Content\r\n\r\n'))?.response.retryAfter,
    ).toBeUndefined();
  });

  it('refuses what is not an HTTP response', () => {
    expect(() => parseResponse(b('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow('not an HTTP response');
  });
});

describe('createConnectionPool', () => {
  let server: http.Server;
  let port = 0;
  const sockets = new Set<unknown>();
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      sockets.add(req.socket);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (req.url === '/empty') return void res.writeHead(204).end();
        if (req.url === '/close')
          return void res.writeHead(200, { Connection: 'close' }).end(`bye ${body}`);
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write(`${req.method} ${req.url} `);
        res.end(`${req.headers['x-viewer']} ${body}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('sends requests over at most maxSockets kept-alive connections and reads every kind of answer', async () => {
    const pool = createConnectionPool('127.0.0.1', port, 2);
    const head = (path: string, body: string) =>
      `POST ${path} HTTP/1.1\r\nHost: x\r\nX-Viewer: v1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        pool
          .request(head(`/p${i}`, `body${i}`), b(`body${i}`))
          .then((r) => `${r.status} ${r.body.toString()}`),
      ),
    );
    expect(answers).toStrictEqual(
      Array.from({ length: 6 }, (_, i) => `200 POST /p${i} v1 body${i}`),
    );
    expect(sockets.size).toBe(2);
    expect((await pool.request(head('/empty', ''), b(''))).status).toBe(204);
    expect((await pool.request(head('/close', 'x'), b('x'))).body.toString()).toBe('bye x');
    expect((await pool.request(head('/after', 'y'), b('y'))).body.toString()).toBe(
      'POST /after v1 y',
    );
    pool.close();
    await expect(pool.request(head('/late', ''), b(''))).rejects.toThrow('closed');
  });
});

describe('createConnectionPool timeout', () => {
  it('rejects a request without a response in time and closes its connection', async () => {
    const server = http.createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const pool = createConnectionPool('127.0.0.1', port, 1);
    try {
      const head = `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n`;
      await expect(pool.request(head, Buffer.alloc(0), 50)).rejects.toThrow(
        'no response within 50 ms',
      );
    } finally {
      pool.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
