/**
 * One edge worker thread of the local CloudFront: loads the built viewer-request function and
 * origin-request bundle, and runs {@link emulateRequest} for the requests the main thread hands
 * it. Several workers run side by side, as CloudFront runs many function and Lambda@Edge instances
 * at once; each has its own AWS clients and connections, like a Lambda container.
 *
 * Bundled at stack start (edge-build.ts) into the build folder, next to the edge artefacts.
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { emulateRequest, type EmulatorOptions, type OriginRequestHandler } from './emulator.js';
import {
  ownedCopy,
  type EdgeWorkerData,
  type FromWorker,
  type ToWorker,
  type WireBody,
} from './edge-protocol.js';
import type { ReadBody } from './body.js';
import { loadCloudFrontFunction } from './function-sandbox.js';
import { LocalKeyValueStore } from './kvs.js';

const data = workerData as EdgeWorkerData;
if (!parentPort) throw new Error('edge-worker runs only as a worker thread');
const port = parentPort;
const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const log = (line: string) => send({ type: 'log', line });

/** Bodies asked of the main thread, by request id. */
const waiting = new Map<number, { resolve: (b: ReadBody) => void; reject: (e: Error) => void }>();

function toReadBody(w: WireBody): ReadBody {
  return {
    body: Buffer.from(w.body.buffer, w.body.byteOffset, w.body.byteLength),
    cut: w.cut,
    overCap: w.overCap,
  };
}

/**
 * Over-budget runs are summed up and reported at most every 10 s, and only when they are at least
 * 1 % of the runs: the time is wall clock, so a GC pause or a busy machine can push a single run
 * over, which says nothing about the function.
 */
function budgetReporter(
  budgetMs: number,
  warmupRuns: number,
): { onRun: () => void; onOverBudget: (ms: number) => void } {
  let runs = 0;
  let windowRuns = 0;
  let over = 0;
  let slowest = 0;
  let windowStart = Date.now();
  return {
    onRun: () => {
      runs += 1;
      if (runs > warmupRuns) windowRuns += 1;
    },
    onOverBudget: (ms) => {
      if (runs <= warmupRuns) return;
      over += 1;
      slowest = Math.max(slowest, ms);
      const now = Date.now();
      if (now - windowStart < 10_000) return;
      if (over >= windowRuns / 100) {
        log(
          `[viewer-request] ${over} of ${windowRuns} runs took longer than CloudFront's ${budgetMs} ms compute budget (slowest ${slowest.toFixed(1)} ms, wall clock)`,
        );
      }
      windowStart = now;
      windowRuns = 0;
      over = 0;
      slowest = 0;
    },
  };
}

async function load(): Promise<EmulatorOptions> {
  const budget = budgetReporter(data.viewerBudgetMs, data.viewerWarmupRuns);
  // Each worker reads the file itself, as each CloudFront edge location has its own copy.
  const kvs = data.kvsFile
    ? LocalKeyValueStore.open(data.kvsFile, {
        checkEveryMs: data.kvsCheckEveryMs,
        log: (line) => log(`[kvs] ${line}`),
      })
    : undefined;
  const viewer = loadCloudFrontFunction(fs.readFileSync(data.viewerRequestFile, 'utf8'), {
    kvs,
    filename: 'viewer-request.js',
    // No per-call watchdog thread: the pool's ping notices a hung function and replaces the worker.
    timeoutMs: 0,
    budgetMs: data.viewerBudgetMs,
    onOverBudget: budget.onOverBudget,
    onLog: (line) => log(`[viewer-request] ${line}`),
  });
  const mod = (await import(pathToFileURL(data.originRequestFile).href)) as { handler?: unknown };
  if (typeof mod.handler !== 'function')
    throw new Error(`${data.originRequestFile} exports no handler function`);
  return {
    viewerFunction: {
      run: (event, location) => {
        budget.onRun();
        return viewer.run(event, location);
      },
    },
    originHandler: mod.handler as OriginRequestHandler,
    distributionId: data.distributionId,
    distributionDomainName: data.distributionDomainName,
    lambdaTimeoutMs: data.lambdaTimeoutMs,
    onError: (where, err) => log(`[${where}] ${err instanceof Error ? err.message : String(err)}`),
  };
}

async function handle(
  opts: EmulatorOptions,
  m: Extract<ToWorker, { type: 'request' }>,
): Promise<void> {
  const result = await emulateRequest(opts, {
    method: m.method,
    target: m.target,
    remoteAddress: m.remoteAddress,
    rawHeaders: m.rawHeaders,
    readBody: () => {
      if (m.body) return Promise.resolve(toReadBody(m.body));
      return new Promise<ReadBody>((resolve, reject) => {
        waiting.set(m.id, { resolve, reject });
        send({ type: 'need-body', id: m.id });
      });
    },
  });
  const body = ownedCopy(result.body);
  send({ type: 'result', id: m.id, result: { ...result, body } }, [body.buffer as ArrayBuffer]);
}

try {
  const opts = await load();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'request') {
      // emulateRequest never rejects; a bug here still must not leave the client hanging.
      handle(opts, m).catch((err) => {
        log(`[edge-worker] request failed: ${err instanceof Error ? err.message : String(err)}`);
        const body = ownedCopy(
          Buffer.from(
            JSON.stringify({
              error: 'emulator_error',
              detail: 'the local CloudFront emulator failed on this request',
            }),
          ),
        );
        send(
          {
            type: 'result',
            id: m.id,
            result: { status: 502, headers: [['Content-Type', 'application/json']], body },
          },
          [body.buffer as ArrayBuffer],
        );
      });
    } else if (m.type === 'body') {
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (w && m.body) w.resolve(toReadBody(m.body));
      else w?.reject(new Error(m.error ?? 'no body'));
    } else if (m.type === 'ping') {
      send({ type: 'pong', seq: m.seq });
    }
  });
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
