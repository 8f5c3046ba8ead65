/**
 * A recording pass-through in front of the local stack. Playwright does not see requests a page
 * sends while it unloads (sendBeacon is handed to the browser process), so the unload test points
 * the demo's endpoint here: the tap records each request's method, path, headers and body as the
 * server received them, forwards it unchanged to the stack and relays the answer.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the tap received it, with the stack's answer once known. */
interface TappedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Status the stack answered; undefined while the forward is running. */
  status?: number;
}

/** A running tap. */
export interface Tap {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  requests: TappedRequest[];
  close(): Promise<void>;
}

/** Starts a tap forwarding to `target` (a base URL such as the stack's). */
export async function startTap(target: string): Promise<Tap> {
  const upstream = new URL(target);
  const requests: TappedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const entry: TappedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: body.toString('utf8'),
      };
      requests.push(entry);
      const fwd = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: entry.method,
          path: entry.path,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          entry.status = up.statusCode;
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      fwd.on('error', () => {
        entry.status = 502;
        if (!res.headersSent) res.writeHead(502).end();
      });
      fwd.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
