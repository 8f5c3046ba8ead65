/**
 * The simulator's HTTP client: keep-alive connections to the local stack only. Refusing anything
 * but loopback keeps the simulator from ever becoming a load generator against someone else.
 */
import http from 'node:http';
import { UsageError } from '../errors.js';

/** A response as the simulator needs it. */
export interface PostResult {
  status: number;
  body: string;
  /** Set when the request failed before any response (connection refused, reset). */
  error?: string;
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
  if (u.protocol !== 'http:') throw new UsageError(`the simulator speaks plain http to the local stack, got ${u.protocol}//`);
  if (!LOOPBACK_HOSTS.has(u.hostname) && !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(u.hostname)) {
    throw new UsageError(`the simulator only sends to loopback (127.0.0.1, ::1, localhost), not ${u.hostname}`);
  }
  return u;
}

/** A keep-alive poster bound to one loopback origin. */
export interface Poster {
  post(path: string, body: string, headers: Record<string, string>): Promise<PostResult>;
  /** Closes idle sockets. */
  close(): void;
}

/** Creates a poster with at most `maxSockets` connections. */
export function createPoster(base: URL, maxSockets: number): Poster {
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  return {
    post(path, body, headers) {
      return new Promise((resolve) => {
        const req = http.request(
          {
            agent,
            host: base.hostname.replace(/^\[|\]$/g, ''),
            port: base.port || 80,
            method: 'POST',
            path,
            headers: { 'Content-Type': 'text/plain;charset=UTF-8', 'Content-Length': Buffer.byteLength(body), ...headers },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
            res.on('error', (err) => resolve({ status: 0, body: '', error: err.message }));
          },
        );
        req.on('error', (err) => resolve({ status: 0, body: '', error: err.message }));
        req.end(body);
      });
    },
    close: () => agent.destroy(),
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
