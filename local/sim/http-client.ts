/**
 * A lean HTTP/1.1 client for the simulator and the load generator: keep-alive connections to one
 * loopback origin, one request at a time per connection, each request written in one piece and
 * each response parsed just enough (status, Content-Length or chunked body, Connection: close).
 *
 * Why not node:http: its client costs much more CPU per request, and the load generator shares
 * the machine's cores with the stack it measures, so its own cost must stay small (see
 * docs/BENCHMARKS.md, e2e-load notes). The requests on the wire are ordinary HTTP/1.1.
 */
import net from 'node:net';

/** A response as the simulator needs it. */
export interface RawResponse {
  status: number;
  body: Buffer;
  /** The Retry-After header as sent, when there is one (a shed or throttled request; the simulator's retries honour it). */
  retryAfter?: string;
}

/** Keep-alive connections to one host:port. */
export interface ConnectionPool {
  /**
   * Sends one request; rejects when the connection fails before a whole response arrived, or when
   * `timeoutMs` (counted from the write) passes first; the connection is then closed.
   */
  request(head: string, body: Buffer, timeoutMs?: number): Promise<RawResponse>;
  /** Closes every connection; requests in flight reject. */
  close(): void;
}

interface Waiting {
  resolve: (r: RawResponse) => void;
  reject: (e: Error) => void;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * An idle connection older than this is closed rather than reused: a server closes idle
 * keep-alive connections (node:http after 5 s), and a request written just as its close arrives
 * is reset. Staying under the server's timeout keeps that race away.
 */
const IDLE_REUSE_MS = 1_000;

/** Parses one response from `buf`; undefined while it is incomplete. */
export function parseResponse(
  buf: Buffer,
): { response: RawResponse; close: boolean; used: number } | undefined {
  const end = buf.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]);
  if (!m) throw new Error(`not an HTTP response: ${lines[0].slice(0, 40)}`);
  const status = Number(m[2]);
  let length = -1;
  let chunked = false;
  let close = m[1] === '0';
  let retryAfter: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const raw = lines[i].slice(colon + 1).trim();
    const value = raw.toLowerCase();
    if (name === 'content-length') length = Number(value);
    else if (name === 'retry-after') retryAfter = raw;
    else if (name === 'transfer-encoding') chunked = value.includes('chunked');
    else if (name === 'connection')
      close = value === 'close' ? true : value === 'keep-alive' ? false : close;
  }
  const extra = retryAfter === undefined ? {} : { retryAfter };
  const start = end + 4;
  if (status === 204 || status === 304 || (status >= 100 && status < 200))
    return { response: { status, body: Buffer.alloc(0), ...extra }, close, used: start };
  if (chunked) {
    const parts: Buffer[] = [];
    let at = start;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
      if (Number.isNaN(size)) throw new Error('bad chunk size');
      if (buf.length < lineEnd + 2 + size + 2) return undefined;
      if (size === 0)
        return {
          response: { status, body: Buffer.concat(parts), ...extra },
          close,
          used: lineEnd + 4,
        };
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  // Without a length the body runs to the end of the connection.
  if (length < 0) return undefined;
  if (buf.length < start + length) return undefined;
  return {
    response: { status, body: Buffer.from(buf.subarray(start, start + length)), ...extra },
    close,
    used: start + length,
  };
}

/** A pool of at most `maxSockets` connections; extra requests wait for a free one. */
export function createConnectionPool(
  host: string,
  port: number,
  maxSockets: number,
): ConnectionPool {
  const idle: net.Socket[] = [];
  const idleSince = new WeakMap<net.Socket, number>();
  const queue: { head: string; body: Buffer; timeoutMs?: number; waiting: Waiting }[] = [];
  const all = new Set<net.Socket>();
  let closed = false;

  const run = (
    socket: net.Socket,
    head: string,
    body: Buffer,
    waiting: Waiting,
    timeoutMs?: number,
  ) => {
    let buf: Buffer = Buffer.alloc(0);
    let finished = false;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => done(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    const done = (err: Error | undefined, r?: RawResponse, close = false) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (err || !r) {
        socket.destroy();
        waiting.reject(err ?? new Error('connection ended without a response'));
      } else {
        if (close) socket.destroy();
        else release(socket);
        waiting.resolve(r);
      }
    };
    const onData = (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      try {
        const parsed = parseResponse(buf);
        if (parsed) done(undefined, parsed.response, parsed.close);
      } catch (err) {
        done(err as Error);
      }
    };
    const onClose = () => {
      // A body without a length ends with the connection.
      const end = buf.indexOf(HEADER_END);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(0, Math.max(0, end)).toString('latin1'));
      if (end >= 0 && m)
        done(undefined, { status: Number(m[1]), body: Buffer.from(buf.subarray(end + 4)) }, true);
      else done(new Error('connection closed before a response'));
    };
    const onError = (err: Error) => done(err);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onError);
    socket.write(
      body.length > 0
        ? Buffer.concat([Buffer.from(head, 'latin1'), body])
        : Buffer.from(head, 'latin1'),
    );
  };

  const release = (socket: net.Socket) => {
    const next = queue.shift();
    if (next) run(socket, next.head, next.body, next.waiting, next.timeoutMs);
    else {
      idleSince.set(socket, performance.now());
      idle.push(socket);
    }
  };

  const connect = (): net.Socket => {
    const socket = net.connect({ host, port, noDelay: true });
    all.add(socket);
    socket.once('close', () => {
      all.delete(socket);
      const i = idle.indexOf(socket);
      if (i >= 0) idle.splice(i, 1);
    });
    // An idle connection the server closed reports its error here, not to a request.
    socket.on('error', () => undefined);
    return socket;
  };

  return {
    request(head, body, timeoutMs) {
      if (closed) return Promise.reject(new Error('connection pool closed'));
      return new Promise<RawResponse>((resolve, reject) => {
        const waiting = { resolve, reject };
        const stale = (s: net.Socket) =>
          s.destroyed || !s.writable || performance.now() - (idleSince.get(s) ?? 0) > IDLE_REUSE_MS;
        let socket = idle.pop();
        while (socket && stale(socket)) {
          socket.destroy();
          socket = idle.pop();
        }
        if (!socket && all.size < maxSockets) socket = connect();
        if (socket) run(socket, head, body, waiting, timeoutMs);
        else queue.push({ head, body, timeoutMs, waiting });
      });
    },
    close() {
      closed = true;
      for (const q of queue.splice(0)) q.waiting.reject(new Error('connection pool closed'));
      for (const s of all) s.destroy();
    },
  };
}
