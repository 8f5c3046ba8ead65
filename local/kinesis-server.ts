/**
 * kinesalite for the long-running local stack: in a worker thread, with a shutdown that cannot
 * crash the process. The worker (kinesis-worker.cjs) does the work; this is its typed front.
 *
 * Why not `startKinesalite` from kinesis-local.ts (which tests use):
 * - its `close()` lets kinesalite close LevelDB at once, while a request a client already gave up
 *   on (the consumer aborts its in-flight GetRecords when it stops) may still be reading; leveldown
 *   then reads a closed database and the process dies with SIGSEGV. The worker waits for running
 *   requests first.
 * - on the main thread, kinesalite's LevelDB and JSON work competes with the emulator, the
 *   consumer and DuckDB for one event loop; in a worker it gets the second core.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { REPO_ROOT } from './config.js';
import type { LocalKinesis } from './kinesis-local.js';

type WorkerMessage = { type: 'listening'; port: number } | { type: 'closed' } | { type: 'error'; message: string; code?: string };

/**
 * Starts kinesalite on 127.0.0.1 in a worker thread, with its data in `path` (in memory when absent).
 * @param opts.port 0 picks a free port.
 */
export async function startKinesisServer(opts: { path?: string; port?: number } = {}): Promise<LocalKinesis> {
  const require = createRequire(path.join(REPO_ROOT, 'package.json'));
  const worker = new Worker(path.join(REPO_ROOT, 'local', 'kinesis-worker.cjs'), {
    workerData: { kinesalitePath: require.resolve('kinesalite'), path: opts.path, port: opts.port ?? 0 },
  });
  const next = () =>
    new Promise<WorkerMessage>((resolve, reject) => {
      const onMessage = (m: WorkerMessage) => {
        cleanup();
        resolve(m);
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`kinesalite worker exited with code ${code}`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  const first = await next();
  if (first.type !== 'listening') {
    await worker.terminate();
    const err = new Error(first.type === 'error' ? first.message : `unexpected ${first.type}`) as NodeJS.ErrnoException;
    if (first.type === 'error') err.code = first.code;
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${first.port}`,
    port: first.port,
    close: () =>
      (closing ??= (async () => {
        const done = next().catch(() => ({ type: 'closed' }) as WorkerMessage);
        worker.postMessage({ type: 'close' });
        const m = await done;
        await new Promise<void>((resolve) => {
          if (worker.threadId === -1) return resolve();
          worker.once('exit', () => resolve());
        });
        if (m.type === 'error') throw new Error(`closing kinesalite failed: ${m.message}`);
      })()),
  };
}
