/**
 * kinesalite for the long-running local stack, with a shutdown that cannot crash the process.
 *
 * Why not `startKinesalite` from kinesis-local.ts: kinesalite's `server.close()` closes its
 * LevelDB at once, while a request a client already gave up on (the consumer aborts its
 * in-flight GetRecords when it stops) may still be running its database read; leveldown then
 * reads a closed database and the process dies with SIGSEGV (GetWorker::DoExecute). This
 * starter counts requests until kinesalite answers them and closes only when none is running.
 * Options match kinesis-local.ts so both behave the same otherwise.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalKinesis } from './kinesis-local.js';

const require = createRequire(import.meta.url);
const kinesalite = require('kinesalite') as (opts: Record<string, unknown>) => Server;

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Longest wait for running requests at shutdown before closing anyway. */
const DRAIN_LIMIT_MS = 10_000;

/**
 * Starts kinesalite on 127.0.0.1 with its data in `path` (in memory when absent).
 * @param opts.port 0 picks a free port.
 */
export async function startKinesisServer(opts: { path?: string; port?: number } = {}): Promise<LocalKinesis> {
  const server = kinesalite({ path: opts.path, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  let running = 0;
  let closing = false;
  let waiters: (() => void)[] = [];
  const settle = () => {
    running -= 1;
    if (running === 0) for (const w of waiters.splice(0)) w();
  };
  const [handler] = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (closing) {
      res.writeHead(503, { Connection: 'close' }).end();
      return;
    }
    running += 1;
    let settled = false;
    const once = () => {
      if (!settled) {
        settled = true;
        settle();
      }
    };
    // kinesalite answers every request it read completely with res.end(), after its database work.
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      once();
      return end(...args);
    }) as ServerResponse['end'];
    // A request cut off before its body ended never reaches the database.
    req.once('close', () => {
      if (!req.complete) once();
    });
    handler.call(server, req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const idle = () =>
    running === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, DRAIN_LIMIT_MS);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      // No new work from here on: stop listening (the plain http close; kinesalite's own close would
      // shut the database now), refuse requests on open keep-alive connections, let running ones end.
      closing = true;
      Object.getPrototypeOf(server).close.call(server);
      server.closeIdleConnections();
      await idle();
      server.closeAllConnections();
      // kinesalite's close: the database, then the http close, which reports the server as already
      // stopped (it is, since above).
      await new Promise<void>((resolve, reject) =>
        server.close((err) => (err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING' ? reject(err) : resolve())),
      );
      waiters = [];
    },
  };
}
