/**
 * The simulator's HTTP client: keep-alive connections to the local stack only. Refusing anything
 * but loopback keeps the simulator from ever becoming a load generator against someone else.
 */
import { UsageError } from '../errors.js';
import { createConnectionPool } from './http-client.js';

/** A response as the simulator needs it. */
export interface PostResult {
  status: number;
  body: string;
  /** Set when the request failed before any response (connection refused, reset). */
  error?: string;
  /** The Retry-After header of a 503 or 429, when sent. */
  retryAfter?: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Parses and checks a target URL: http, loopback host.
 * @throws UsageError for anything else.
 */
export function loopbackUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--url must be a URL such as http://127.0.0.1:8787, got "${url}"`);
  }
  if (u.protocol !== 'http:')
    throw new UsageError(`the simulator speaks plain http to the local stack, got ${u.protocol}//`);
  if (!LOOPBACK_HOSTS.has(u.hostname) && !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(u.hostname)) {
    throw new UsageError(
      `the simulator only sends to loopback (127.0.0.1, ::1, localhost), not ${u.hostname}`,
    );
  }
  return u;
}

/** A keep-alive poster bound to one loopback origin. */
export interface Poster {
  /**
   * Sends one POST; never rejects (a failure before any response is status 0 with `error`).
   * @param timeoutMs gives up on a response that has not arrived this long after the write.
   */
  post(
    path: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs?: number,
  ): Promise<PostResult>;
  /** Closes idle sockets. */
  close(): void;
}

/** Creates a poster with at most `maxSockets` keep-alive connections (http-client.ts). */
export function createPoster(base: URL, maxSockets: number): Poster {
  const host = base.hostname.replace(/^\[|\]$/g, '');
  const pool = createConnectionPool(host, Number(base.port || 80), maxSockets);
  const hostHeader = base.host;
  return {
    async post(path, body, headers, timeoutMs) {
      const bytes = Buffer.from(body);
      let head = `POST ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: ${bytes.length}\r\n`;
      for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
      try {
        const res = await pool.request(`${head}\r\n`, bytes, timeoutMs);
        const out: PostResult = { status: res.status, body: res.body.toString() };
        if (res.retryAfter !== undefined) out.retryAfter = res.retryAfter;
        return out;
      } catch (err) {
        return { status: 0, body: '', error: err instanceof Error ? err.message : String(err) };
      }
    },
    close: () => pool.close(),
  };
}

/** Events of a batch the edge accepted, from its response: all on 204, `accepted` on 200, none else. */
export function acceptedCount(result: PostResult, sent: number): number {
  if (result.status === 204) return sent;
  if (result.status === 200) {
    try {
      const n = (JSON.parse(result.body) as { accepted?: unknown }).accepted;
      return typeof n === 'number' ? n : 0;
    } catch {
      return 0;
    }
  }
  return 0;
}
