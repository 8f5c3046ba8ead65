/**
 * The local stack's HTTP server, one port for everything, as CloudFront cache behaviours would
 * split one distribution: `/` landing page, `/dashboard` static files, `/api/v1/*` the dashboard
 * API, mounted path families (the demo page), and every other path to the CloudFront emulator
 * (whose viewer-request function answers the ingest paths and turns the rest away with its 404).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthGuard, refuseForeignHost, type AuthGuard } from './api-auth.js';
import { DEV_DEFAULTS } from './config.js';
import { PortInUseError } from './errors.js';
import { landingPage } from './landing.js';
import { applySecurityHeaders, clearSecurityHeaders } from './security-headers.js';
import { dashboardFiles, sendFile, sendJson } from './static.js';

/** A handler for one route family. */
export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => Promise<void> | void;

/** Options of {@link startLocalServer}. */
export interface LocalServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The CloudFront emulator. */
  edge: RouteHandler;
  /** The /api/v1 handler. */
  api: RouteHandler;
  /** First ingest path, shown on the landing page. */
  ingestPath: string;
  /**
   * Handlers for whole path families (e.g. the demo page under /demo), tried in order after the
   * API: each answers and returns true when the request is its own, else returns false.
   */
  mounts?: ((req: IncomingMessage, res: ServerResponse) => boolean)[];
  /** Told about unexpected handler errors. */
  onError?: (err: unknown) => void;
  /**
   * When set, `/`, the dashboard and the API need this token (see ./api-auth.ts); the ingest
   * paths and mounts never do. Check it with `checkBinding` first.
   */
  apiToken?: string;
  /** Connections the kernel may hold before they are accepted; Node's default (511) when absent. */
  backlog?: number;
}

/** A started server. */
export interface LocalServer {
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (at most `graceMs`), then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

/** Starts the server. Rejects with {@link PortInUseError} when the port is taken. */
export async function startLocalServer(opts: LocalServerOptions): Promise<LocalServer> {
  const files = dashboardFiles();
  // Made on the first request, once the port is known: the token cookie is named after it.
  let guard: AuthGuard | undefined;
  const route: RouteHandler = async (req, res, url) => {
    applySecurityHeaders(res, url.pathname);
    if (opts.apiToken !== undefined) {
      guard ??= createAuthGuard(opts.apiToken, (server.address() as AddressInfo).port);
      if (!guard(req, res, url)) return;
    } else if (refuseForeignHost(req, res, url)) return;
    const method = req.method ?? 'GET';
    const file = files.get(url.pathname);
    const page = url.pathname === '/' ? 'landing' : file ? 'file' : undefined;
    if (page) {
      if (method !== 'GET' && method !== 'HEAD')
        return sendJson(
          res,
          405,
          { error: 'method_not_allowed', detail: `${method} is not allowed here; use GET` },
          { Allow: 'GET, HEAD' },
        );
      if (file) return sendFile(res, file, method);
      const html = landingPage(base(), opts.ingestPath);
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': Buffer.byteLength(html),
        'Cache-Control': 'no-cache',
      });
      return void res.end(method === 'HEAD' ? undefined : html);
    }
    if (url.pathname === '/api/v1' || url.pathname.startsWith('/api/v1/'))
      return opts.api(req, res, url);
    for (const mount of opts.mounts ?? []) if (mount(req, res)) return;
    clearSecurityHeaders(res);
    return opts.edge(req, res, url);
  };

  const server = http.createServer((req, res) => {
    // Node's parser lets through request targets the WHATWG parser rejects (e.g. `//a%`, an
    // invalid authority); a throw here would have no handler and end the whole stack.
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://local');
    } catch {
      // The answer is JSON, so it gets the API's policy whatever the path was.
      applySecurityHeaders(res, '/api/v1');
      return sendJson(res, 400, {
        error: 'bad_request',
        detail: 'the request target is not a valid URL path',
      });
    }
    Promise.resolve(route(req, res, url)).catch((err) => {
      opts.onError?.(err);
      if (!res.headersSent)
        sendJson(res, 500, {
          error: 'internal_error',
          detail: 'the local server failed on this request',
        });
      else res.destroy();
    });
  });
  // A stalled upload is cut after the Lambda@Edge origin-request timeout, as CloudFront would cut it.
  server.requestTimeout = server.headersTimeout = DEV_DEFAULTS.lambdaTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(opts.host, opts.port, err) : err),
    );
    server.listen({ port: opts.port, host: opts.host, backlog: opts.backlog }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':')
    ? `[${opts.host}]`
    : opts.host === '0.0.0.0'
      ? '127.0.0.1'
      : opts.host;
  const base = () => `http://${host}:${port}`;
  return {
    url: base(),
    port,
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
