/**
 * A stand-in CMCD event target on its own loopback port, so a page served by the local stack
 * reports to it cross-origin, as a player on a customer's site reports to beacon-edge: Chromium
 * then sends the CORS preflight a real deployment sees. It records every request as it arrived
 * (method, query, headers, body) with the test's label of what the player was doing, and answers
 * with the status the test scripts (default 204), with the CORS headers a collector must send.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the collector saw it. */
export interface CollectedRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  /** Header names in lower case (Node's parsing). */
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The test's label of the player action in progress when the request arrived. */
  phase: string;
  /** The status the collector answered. */
  status: number;
  /** Date.now() when the body had arrived. */
  at: number;
}

/** A running collector. */
export interface CmcdCollector {
  /** Base URL, http://127.0.0.1:<port>. */
  url: string;
  requests: CollectedRequest[];
  /** Labels the requests that arrive from now on. */
  setPhase(phase: string): void;
  /** The status POSTs are answered with from now on (OPTIONS always gets 204). */
  answerWith(status: number, headers?: Record<string, string>): void;
  /** POSTs only. */
  posts(): CollectedRequest[];
  close(): Promise<void>;
}

/** Starts a collector on a free loopback port. */
export async function startCmcdCollector(): Promise<CmcdCollector> {
  const requests: CollectedRequest[] = [];
  let phase = 'load';
  let answer: { status: number; headers: Record<string, string> } = { status: 204, headers: {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const isPost = req.method === 'POST';
      const status = isPost ? answer.status : 204;
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        phase,
        status,
        at: Date.now(),
      });
      res.writeHead(status, {
        'access-control-allow-origin': req.headers.origin ?? '*',
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
        ...(isPost ? answer.headers : {}),
      });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setPhase: (p) => (phase = p),
    answerWith: (status, headers = {}) => (answer = { status, headers }),
    posts: () => requests.filter((r) => r.method === 'POST'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
