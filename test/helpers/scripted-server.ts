/**
 * A loopback HTTP server whose answers a test scripts, recording every request's body bytes and
 * the times it arrived and was answered: the counterpart for the simulator's own client, over real
 * sockets, so what a test sees on the server is what went over the wire.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One scripted answer; `destroy` drops the connection without any response, `hang` never
 * answers (until the server closes), `truncate` announces the body's full length but drops the
 * connection after sending only its first `truncate` bytes.
 */
export type ScriptedAnswer =
  | { status: number; headers?: Record<string, string>; body?: string; truncate?: number }
  | { destroy: true }
  | { hang: true };

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  /** Header names in lower case (Node's parsing). */
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** performance.now() when the whole body had arrived. */
  arrivedAt: number;
  /** performance.now() when the answer was written (or the connection dropped). */
  answeredAt: number;
}

/** A running scripted server. */
export interface ScriptedServer {
  /** Base URL, http://127.0.0.1:<port>. */
  url: string;
  requests: SeenRequest[];
  /** Requests per distinct body (decoded as UTF-8). */
  bodies(): Map<string, number>;
  close(): Promise<void>;
}

/**
 * Starts a server that answers request number `n` (0-based, in arrival order) with
 * `answer(n, body)`.
 */
export async function startScriptedServer(
  answer: (n: number, body: Buffer) => ScriptedAnswer,
): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(parts),
        arrivedAt: performance.now(),
        answeredAt: 0,
      };
      const a = answer(requests.length, seen.body);
      requests.push(seen);
      seen.answeredAt = performance.now();
      if ('destroy' in a) req.socket.destroy();
      else if ('hang' in a) return;
      else if (a.truncate !== undefined) {
        const body = Buffer.from(a.body ?? '');
        res.writeHead(a.status, { ...a.headers, 'content-length': String(body.length) });
        res.write(body.subarray(0, a.truncate), () => req.socket.destroy());
      } else res.writeHead(a.status, a.headers).end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    bodies() {
      const m = new Map<string, number>();
      for (const r of requests) m.set(r.body.toString(), (m.get(r.body.toString()) ?? 0) + 1);
      return m;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
