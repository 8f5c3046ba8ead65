/**
 * The local CloudFront on several cores: the main thread keeps HTTP (and the consumer, DuckDB and
 * the API), while a small pool of worker threads (edge-worker.ts) runs the built viewer-request
 * function and origin-request handler, each with its own AWS clients, as CloudFront runs many
 * function and Lambda@Edge instances at once. Same built code, same event shapes, same Kinesis
 * API as the in-thread emulator (emulator.ts); only where it runs differs.
 *
 * A worker that stops answering pings (a synchronous endless loop in edge code: the per-call
 * `vm` watchdog is off for speed) is terminated and replaced; its open requests get a 503, which
 * is what CloudFront answers when a function fails.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';
import { readBody, type ReadBody } from './body.js';
import { writeResult } from './emulator.js';
import {
  ownedCopy,
  type EdgeWorkerData,
  type FromWorker,
  type ToWorker,
  type WireBody,
  type WireResult,
} from './edge-protocol.js';
import { ORIGIN_BODY_LIMIT } from './origin-event.js';
import { errorResult, type HttpResult } from './responses.js';

/** Options of {@link startEdgePool}. */
export interface EdgePoolOptions {
  /** The bundled edge-worker.ts. */
  workerFile: string;
  /** Worker threads (≥ 1). */
  workers: number;
  data: EdgeWorkerData;
  /** Young-generation limit of each worker's V8 heap; V8's default when absent. */
  maxYoungGenerationSizeMb?: number;
  /** A worker that leaves a ping unanswered this long is stuck and gets replaced. Default 10 s. */
  stuckAfterMs?: number;
  log?: (line: string) => void;
}

/** A running pool. */
export interface EdgePool {
  /** The node:http adapter for the ingest routes, like createCloudFrontEmulator's. */
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Terminates the workers; requests still open get a 503. Idempotent. */
  close(): Promise<void>;
}

interface Pending {
  req: IncomingMessage;
  resolve: (r: HttpResult) => void;
  overCap: boolean;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, Pending>;
  ping?: { seq: number; sentAt: number };
}

const toWire = (b: ReadBody): { wire: WireBody; transfer: ArrayBuffer[] } => {
  const body = ownedCopy(b.body);
  return { wire: { body, cut: b.cut, overCap: b.overCap }, transfer: [body.buffer as ArrayBuffer] };
};
const fromWire = (r: WireResult): HttpResult => ({
  ...r,
  body: Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength),
});
const unavailable = (detail: string) => errorResult(503, 'edge_unavailable', detail);

/**
 * Starts `workers` edge workers and resolves once all have loaded the built code.
 * @throws Error when a worker cannot load the edge code.
 */
export async function startEdgePool(opts: EdgePoolOptions): Promise<EdgePool> {
  const log = opts.log ?? (() => undefined);
  const stuckAfterMs = opts.stuckAfterMs ?? 10_000;
  let closed = false;
  let nextId = 0;
  let pingSeq = 0;

  const failAll = (slot: Slot, detail: string) => {
    for (const p of slot.pending.values()) p.resolve(unavailable(detail));
    slot.pending.clear();
  };

  const spawn = (): Slot => {
    const young = opts.maxYoungGenerationSizeMb;
    const worker = new Worker(opts.workerFile, {
      workerData: opts.data,
      ...(young ? { resourceLimits: { maxYoungGenerationSizeMb: young } } : {}),
    });
    const slot: Slot = { worker, pending: new Map(), ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'result') {
          const p = slot.pending.get(m.id);
          slot.pending.delete(m.id);
          p?.resolve(fromWire(m.result));
        } else if (m.type === 'need-body') {
          const p = slot.pending.get(m.id);
          if (p) void sendBody(slot, m.id, p);
        } else if (m.type === 'pong') {
          if (slot.ping?.seq === m.seq) slot.ping = undefined;
        } else if (m.type === 'log') {
          log(m.line);
        } else if (m.type === 'ready') {
          resolve();
        } else if (m.type === 'failed') {
          reject(new Error(`edge worker could not load the edge code: ${m.message}`));
        }
      });
      worker.once('error', (err) => {
        log(`[edge-pool] worker failed: ${err.message}`);
        reject(err);
      });
      worker.once('exit', (code) => {
        reject(new Error(`edge worker exited with code ${code}`));
        failAll(slot, 'the local edge worker stopped');
        if (!closed) replace(slot, `exited with code ${code}`);
      });
    });
    // Awaited by whoever dispatches to it; keep an early failure from being unhandled meanwhile.
    slot.ready.catch(() => undefined);
    return slot;
  };

  const slots: Slot[] = Array.from({ length: Math.max(1, opts.workers) }, spawn);
  await Promise.all(slots.map((s) => s.ready)).catch(async (err) => {
    closed = true;
    await Promise.all(slots.map((s) => s.worker.terminate()));
    throw err;
  });

  function replace(old: Slot, why: string): void {
    const i = slots.indexOf(old);
    if (i < 0 || closed) return;
    log(`[edge-pool] replacing an edge worker that ${why}`);
    slots[i] = spawn();
    slots[i].ready.catch((err: Error) => log(`[edge-pool] replacement failed: ${err.message}`));
  }

  async function sendBody(slot: Slot, id: number, p: Pending): Promise<void> {
    let message: ToWorker;
    let transfer: ArrayBuffer[] = [];
    try {
      const b = await readBody(p.req);
      p.overCap = b.overCap === true;
      const w = toWire(b);
      message = { type: 'body', id, body: w.wire };
      transfer = w.transfer;
    } catch (err) {
      message = { type: 'body', id, error: err instanceof Error ? err.message : String(err) };
    }
    if (slot.pending.has(id)) slot.worker.postMessage(message, transfer);
  }

  // Liveness: one ping per worker at a time; a worker stuck in synchronous code never answers.
  const watchdog = setInterval(() => {
    for (const slot of [...slots]) {
      if (!slot.ping) {
        slot.ping = { seq: ++pingSeq, sentAt: Date.now() };
        slot.worker.postMessage({ type: 'ping', seq: slot.ping.seq } satisfies ToWorker);
      } else if (Date.now() - slot.ping.sentAt > stuckAfterMs) {
        failAll(
          slot,
          'the local edge worker stopped responding (endless loop in edge code?) and was restarted',
        );
        replace(slot, `did not answer for ${stuckAfterMs} ms`);
        void slot.worker.terminate();
      }
    }
  }, 1000);
  watchdog.unref();

  /** The least busy worker: fewest open requests. */
  const pick = (): Slot =>
    slots.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const id = ++nextId;
    const pending: Pending = { req, resolve: () => undefined, overCap: false };
    const message: Extract<ToWorker, { type: 'request' }> = {
      type: 'request',
      id,
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      remoteAddress: req.socket.remoteAddress,
      rawHeaders: req.rawHeaders,
    };
    let transfer: ArrayBuffer[] = [];
    // A small body with a declared length is read before dispatch: one message instead of a round
    // trip. Anything else is read only if the edge code asks for it, as the in-thread emulator does.
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) <= ORIGIN_BODY_LIMIT && Number(declared) > 0) {
      try {
        const b = await readBody(req);
        pending.overCap = b.overCap === true;
        const w = toWire(b);
        message.body = w.wire;
        transfer = w.transfer;
      } catch {
        return void res.destroy(); // the client went away mid-body: nobody to answer
      }
    }
    let result: HttpResult;
    if (closed) {
      result = unavailable('the local stack is stopping');
    } else {
      const slot = pick();
      const up = await slot.ready.then(
        () => true,
        () => false,
      );
      result = !up
        ? unavailable('the local edge worker could not start; see the log')
        : await new Promise<HttpResult>((resolve) => {
            pending.resolve = resolve;
            slot.pending.set(id, pending);
            slot.worker.postMessage(message, transfer);
          });
    }
    if (!res.headersSent && !res.destroyed) writeResult(res, result, pending.overCap);
    if (pending.overCap) res.once('finish', () => req.socket.destroy());
  };

  return {
    handler,
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(watchdog);
      for (const s of slots) failAll(s, 'the local stack is stopping');
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
