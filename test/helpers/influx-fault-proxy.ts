/**
 * A proxy in front of the real influxd that can turn into a failing store: answer 500, hang
 * without answering, or go down (connections refused). It forwards everything until told to fail,
 * so a test sees a write path that breaks mid-batch and then heals.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the store fails. */
export type FaultMode = '500' | 'hang' | 'down';

/** A running proxy. */
export interface FaultProxy {
  url: string;
  /** Forwards `n` more requests, then fails every request as `mode`. */
  failAfter(n: number, mode: FaultMode): void;
  /** Forwards everything again (listens again after `down`). */
  heal(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a proxy to `target` on a free loopback port. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let budget = Number.POSITIVE_INFINITY;
  let mode: FaultMode = '500';
  const hung = new Set<http.ServerResponse>();
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (budget <= 0) {
      if (mode === '500') {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"injected"}');
      } else if (mode === 'hang') {
        hung.add(res);
      } else {
        req.socket.destroy();
        server.close();
        server.closeAllConnections();
      }
      return;
    }
    budget--;
    const headers: Record<string, string> = {};
    for (const h of ['content-type', 'authorization']) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const up = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const body = Buffer.from(await up.arrayBuffer());
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'text/plain' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const releaseHung = () => {
    for (const res of hung) res.destroy();
    hung.clear();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    failAfter(n, m) {
      budget = n;
      mode = m;
    },
    async heal() {
      budget = Number.POSITIVE_INFINITY;
      releaseHung();
      if (!server.listening) await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    async stop() {
      releaseHung();
      server.closeAllConnections();
      if (server.listening) await new Promise((r) => server.close(r));
    },
  };
}
