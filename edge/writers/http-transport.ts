/**
 * One HTTP request with a whole body in and a whole body out, over keep-alive agents: the edge's
 * calls are small JSON documents, so nothing here streams. `https:` on AWS, `http:` for a local
 * emulator. Errors carry the names the AWS SDK gives the same failures (`TimeoutError`,
 * `AbortError`, or Node's own socket error), so the writers' retry rules read them alike.
 */
import http from 'node:http';
import https from 'node:https';

/** A request to send. */
export interface HttpRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** A whole response. Header names are lower case. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Sends one request; rejects on a network failure, a timeout or `signal`. */
export interface HttpTransport {
  send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse>;
  /** Closes idle keep-alive sockets. */
  destroy(): void;
}

/** Timeouts of the Node transport. */
export interface NodeTransportOptions {
  /** The whole request, from the first byte sent to the last byte received. */
  requestTimeoutMs: number;
  /** TCP (and TLS) connect; a dead endpoint should fail fast so a fallback gets the time. */
  connectTimeoutMs: number;
}

const timeoutError = (message: string, code?: string) =>
  Object.assign(new Error(message), { name: 'TimeoutError' }, code ? { code } : {});

function abortError(signal: AbortSignal): Error {
  const err = new Error('Request aborted', { cause: signal.reason });
  err.name = 'AbortError';
  return err;
}

/**
 * The transport used at the edge: node:https / node:http with keep-alive (a beacon should not pay
 * for a TLS handshake when the container has already made one).
 */
export function nodeTransport(opts: NodeTransportOptions): HttpTransport {
  // Same pool size as the SDK's handler; an edge container serves one request at a time anyway.
  const agents = {
    'https:': new https.Agent({ keepAlive: true, maxSockets: 50 }),
    'http:': new http.Agent({ keepAlive: true, maxSockets: 50 }),
  };
  return {
    send: (req, signal) =>
      new Promise<HttpResponse>((resolve, reject) => {
        if (signal?.aborted) return reject(abortError(signal));
        const isHttps = req.url.protocol === 'https:';
        const request = (isHttps ? https : http).request(req.url, {
          method: req.method,
          headers: { ...req.headers, 'content-length': String(req.body.byteLength) },
          agent: isHttps ? agents['https:'] : agents['http:'],
        });
        let settled = false;
        const fail = (err: Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(whole);
          clearTimeout(connect);
          signal?.removeEventListener('abort', onAbort);
          request.destroy();
          reject(err);
        };
        const onAbort = () => fail(abortError(signal as AbortSignal));
        signal?.addEventListener('abort', onAbort, { once: true });
        const whole = setTimeout(
          () => fail(timeoutError(`no response within ${opts.requestTimeoutMs} ms`, 'ETIMEDOUT')),
          opts.requestTimeoutMs,
        );
        const connect = setTimeout(
          () => fail(timeoutError(`no connection within ${opts.connectTimeoutMs} ms`)),
          opts.connectTimeoutMs,
        );
        request.on('socket', (socket) => {
          if (!socket.connecting) clearTimeout(connect);
          else socket.once(isHttps ? 'secureConnect' : 'connect', () => clearTimeout(connect));
        });
        request.on('error', fail);
        request.on('response', (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          // A connection closed before the announced length is an error, not a short body. The
          // status had arrived, so the error says which, in the SDK's `$metadata`.
          const midBody = (err: Error) =>
            fail(Object.assign(err, { $metadata: { httpStatusCode: res.statusCode } }));
          res.on('error', midBody);
          res.on('close', () => {
            if (!res.complete) midBody(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(whole);
            clearTimeout(connect);
            signal?.removeEventListener('abort', onAbort);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(parts),
            });
          });
        });
        request.end(req.body);
      }),
    destroy: () => {
      agents['https:'].destroy();
      agents['http:'].destroy();
    },
  };
}
