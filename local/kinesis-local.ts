/**
 * The local Kinesis API: the real `kinesalite` server on loopback, with its data in a folder (or in
 * memory for tests), plus helpers to create the streams the product expects. One implementation
 * for the local stack, the tests and the benchmarks.
 *
 * kinesalite runs in a worker thread (kinesis-worker.cjs), for two reasons:
 * - a shutdown that cannot crash the process: kinesalite's own close() shuts LevelDB at once,
 *   while a request a client already gave up on (an aborted GetRecords) may still be reading, and
 *   leveldown then reads a closed database and the process dies with SIGSEGV. The worker stops
 *   taking requests and waits for the running ones first.
 * - its LevelDB and JSON work gets its own event loop (and core) instead of competing with the
 *   emulator, the consumer and DuckDB on the main thread.
 * A LevelDB that cannot be opened (another process holds its lock) rejects `startKinesalite`;
 * it never surfaces as an unhandled 'error' event.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ResourceInUseException,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { REPO_ROOT } from './config.js';

/** Credentials kinesalite accepts (it checks none). Not a secret; never used against AWS. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** A running kinesalite. */
export interface LocalKinesis {
  /** e.g. http://127.0.0.1:4567 */
  endpoint: string;
  port: number;
  /** Stops taking requests, lets running ones finish, closes LevelDB. Idempotent; never rejects for a worker that is already gone. */
  close(): Promise<void>;
}

/** Options of {@link startKinesalite}. */
export interface KinesaliteOptions {
  /** Data folder (LevelDB); omit for in-memory. */
  path?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Young-generation limit of the worker's V8 heap (memory vs. GC frequency); V8's default when absent. */
  maxYoungGenerationSizeMb?: number;
  /** Told about a failure after start (the worker died); silent when absent. */
  onError?: (err: Error) => void;
}

type WorkerMessage =
  | { type: 'listening'; port: number }
  | { type: 'closed' }
  | { type: 'error'; message: string; code?: string };

/**
 * Starts kinesalite on 127.0.0.1 in a worker thread.
 * @throws Error (with `code` when Node gives one, e.g. EADDRINUSE) when the port or the LevelDB
 *   folder cannot be taken; a held LevelDB lock says so in the message ("lock").
 * @example const k = await startKinesalite({ path: 'data/kinesis' }); ...; await k.close();
 */
export async function startKinesalite(opts: KinesaliteOptions = {}): Promise<LocalKinesis> {
  const require = createRequire(path.join(REPO_ROOT, 'package.json'));
  const worker = new Worker(path.join(REPO_ROOT, 'local', 'kinesis-worker.cjs'), {
    workerData: {
      kinesalitePath: require.resolve('kinesalite'),
      path: opts.path,
      port: opts.port ?? 0,
    },
    ...(opts.maxYoungGenerationSizeMb
      ? { resourceLimits: { maxYoungGenerationSizeMb: opts.maxYoungGenerationSizeMb } }
      : {}),
  });
  let exited = false;
  const inbox: WorkerMessage[] = [];
  const waiters: ((m: WorkerMessage) => void)[] = [];
  const deliver = (m: WorkerMessage) => {
    const w = waiters.shift();
    if (w) w(m);
    else inbox.push(m);
  };
  worker.on('message', deliver);
  // Always listened to: an 'error' event without a listener would take the whole process down.
  worker.on('error', (err) => {
    if (exited) return;
    deliver({ type: 'error', message: err.message, code: (err as NodeJS.ErrnoException).code });
    opts.onError?.(err);
  });
  worker.on('exit', (code) => {
    exited = true;
    deliver({ type: 'error', message: `kinesalite worker exited with code ${code}` });
  });
  const next = () =>
    new Promise<WorkerMessage>((resolve) => {
      const queued = inbox.shift();
      if (queued !== undefined) resolve(queued);
      else waiters.push(resolve);
    });

  const first = await next();
  if (first.type !== 'listening') {
    await worker.terminate();
    const err = new Error(
      first.type === 'error' ? first.message : `unexpected ${first.type}`,
    ) as NodeJS.ErrnoException;
    if (first.type === 'error' && first.code) err.code = first.code;
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${first.port}`,
    port: first.port,
    close: () =>
      (closing ??= (async () => {
        if (exited) return;
        const done = next();
        worker.postMessage({ type: 'close' });
        const m = await done;
        if (!exited) await new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        if (m.type === 'error' && !/exited with code 0$/.test(m.message))
          throw new Error(`closing kinesalite failed: ${m.message}`);
      })()),
  };
}

/**
 * A Kinesis client for kinesalite. The SDK's default HTTP/2 handler fails against it
 * (ERR_HTTP2_ERROR), so this uses HTTP/1.1 with keep-alive.
 */
export function localKinesisClient(endpoint: string, region = 'us-east-1'): KinesisClient {
  return new KinesisClient({
    region,
    endpoint,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 10000 }),
    maxAttempts: 3,
  });
}

/** Creates each stream if missing and waits until all are ACTIVE. */
export async function ensureStreams(
  client: KinesisClient,
  names: string[],
  shardCount = 2,
): Promise<void> {
  for (const StreamName of names) {
    try {
      await client.send(new CreateStreamCommand({ StreamName, ShardCount: shardCount }));
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  }
  const deadline = Date.now() + 10000;
  for (const StreamName of names) {
    for (;;) {
      const s = await client.send(new DescribeStreamSummaryCommand({ StreamName }));
      if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      if (Date.now() > deadline) throw new Error(`stream ${StreamName} did not become ACTIVE`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
