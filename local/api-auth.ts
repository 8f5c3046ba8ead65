/**
 * The API token of `beacons dev`: which hosts may be bound without one, what a token looks like,
 * and the guard that asks for it on the dashboard, the landing page and the API. The ingest paths
 * and the demo page never ask (a CDN origin takes beacons from anyone).
 *
 * A request proves it knows the token by `Authorization: Bearer <token>` (scripts, curl) or by the
 * cookie a browser gets from opening a page once with `?token=<token>` (the 401 page has a form
 * that does exactly that). The cookie holds an HMAC of the token, not the token, is HttpOnly and
 * SameSite=Strict, and is named after the port, so two stacks on one host keep their own.
 *
 * A stack without a token checks the `Host` header on the same paths instead (see
 * {@link refuseForeignHost}), so DNS rebinding cannot turn a web page into a reader of them.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UsageError } from './errors.js';
import { tokenPage } from './api-auth-page.js';

/** The environment variable `beacons dev` reads the token from when `--api-token` is absent. */
export const API_TOKEN_ENV = 'BEACONS_API_TOKEN';

/** URL-safe characters only, so a token works unchanged in a header, a cookie and a query string. */
const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{16,256}$/;

/** True for host names that only this machine can reach: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return (
    h === 'localhost' ||
    h === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

/**
 * Checks the token and the host together: a token must be 16–256 URL-safe characters, and any
 * host but loopback needs one (else the dashboard and API would answer the whole network).
 * Returns the token (undefined when none); throws {@link UsageError} with the fix otherwise.
 */
export function checkBinding(host: string, token: string | undefined): string | undefined {
  if (token !== undefined && !TOKEN_PATTERN.test(token))
    throw new UsageError(
      `the API token must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ - (got ${token.length} characters${token.length >= 16 ? ' with others among them' : ''}); make one with: openssl rand -hex 32`,
    );
  if (token === undefined && !isLoopbackHost(host))
    throw new UsageError(
      `--host ${host} would let other machines read the dashboard and API, so it needs an API token: set ${API_TOKEN_ENV} (e.g. ${API_TOKEN_ENV}=$(openssl rand -hex 32)) or pass --api-token. Without --host the stack listens on 127.0.0.1 only.`,
    );
  return token;
}

/** True for the paths that need the token when one is set: `/`, the dashboard and the API. */
export function isProtectedPath(pathname: string): boolean {
  return (
    pathname === '/' ||
    pathname === '/dashboard' ||
    pathname.startsWith('/dashboard/') ||
    isApiPath(pathname)
  );
}

function isApiPath(pathname: string): boolean {
  return pathname === '/api/v1' || pathname.startsWith('/api/v1/');
}

/** The host name of a `Host` header without its port (`[::1]:8787` → `[::1]`); undefined if malformed. */
function hostName(header: string | undefined): string | undefined {
  return /^(\[[^\]]*\]|[^:[\]]*)(?::\d*)?$/.exec(header?.trim() ?? '')?.[1];
}

/**
 * The DNS-rebinding check of a stack without a token (which only ever listens on loopback): a
 * protected path answers only when the `Host` header names a loopback host, because a web page on
 * a domain re-pointed at 127.0.0.1 is same-origin with that domain and could otherwise read the
 * dashboard and the API. It answers 421 Misdirected Request rather than 403: nothing about the
 * client is forbidden, the request names an authority this server does not serve. The ingest
 * paths and the demo page take any `Host`, as a CDN origin does. Returns true when it answered.
 */
export function refuseForeignHost(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (!isProtectedPath(url.pathname)) return false;
  const name = hostName(req.headers.host);
  if (name !== undefined && isLoopbackHost(name)) return false;
  const text = JSON.stringify({
    error: 'misdirected_request',
    detail:
      'this stack has no API token, so its dashboard and API answer only to a loopback Host (localhost, 127.0.0.1, [::1]); set an API token to reach them by another name',
  });
  res.writeHead(421, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : text);
  return true;
}

/** SHA-256 of `s`: equal-length inputs for timingSafeEqual, whatever the caller sent. */
function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time equality of two strings (their digests are compared, so lengths leak nothing). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The value of cookie `name` in a Cookie header, if present. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Decides one request: true lets it through, false means the guard has answered it. */
export type AuthGuard = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;

/**
 * The guard for `token` on a server listening on `port`. Every protected path accepts the bearer
 * header or the cookie; a page (not the API) also accepts `?token=`, answered with the cookie and
 * a redirect to the same URL without the token, so it leaves the address bar and the history.
 * Loopback requests need the token too: a local reverse proxy would make every request loopback.
 */
export function createAuthGuard(token: string, port: number): AuthGuard {
  const cookieName = `beacons-token-${port}`;
  const cookieSecret = createHmac('sha256', token).update('beacons dashboard cookie').digest('hex');
  return (req, res, url) => {
    if (!isProtectedPath(url.pathname)) return true;
    const auth = req.headers.authorization;
    const bearer = auth && /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
    if (bearer && sameSecret(bearer, token)) return true;
    const cookie = cookieValue(req.headers.cookie, cookieName);
    if (cookie && sameSecret(cookie, cookieSecret)) return true;

    const api = isApiPath(url.pathname);
    const offered = api ? null : url.searchParams.get('token');
    const method = req.method ?? 'GET';
    if (offered !== null && (method === 'GET' || method === 'HEAD') && sameSecret(offered, token)) {
      url.searchParams.delete('token');
      res.writeHead(303, {
        Location: url.pathname + url.search,
        'Set-Cookie': `${cookieName}=${cookieSecret}; Path=/; HttpOnly; SameSite=Strict`,
        'Cache-Control': 'no-store',
        'Content-Length': 0,
      });
      res.end();
      return false;
    }
    const wrong = Boolean(bearer) || offered !== null;
    const headers = {
      'WWW-Authenticate': 'Bearer realm="beacons"',
      'Cache-Control': 'no-store',
    };
    if (api) {
      const text = JSON.stringify({
        error: 'unauthorized',
        detail: wrong
          ? 'the API token does not match this stack'
          : 'this stack needs its API token: send "Authorization: Bearer <token>"',
      });
      res.writeHead(401, {
        ...headers,
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
      return false;
    }
    const html = tokenPage(url.pathname, wrong);
    res.writeHead(401, {
      ...headers,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(html),
    });
    res.end(method === 'HEAD' ? undefined : html);
    return false;
  };
}
