/**
 * Messages between the CloudFront emulator's main-thread front (edge-pool.ts) and its edge worker
 * threads (edge-worker.ts). Kept in one file so both sides agree on the shapes.
 *
 * One request: `request` (with the body when the main thread already has it) → optionally
 * `need-body` / `body` when the edge code reads a body the main thread has not read yet →
 * `result`. Bodies travel as exact-size Uint8Arrays whose buffers are transferred, not copied.
 */
import type { HttpResult } from './responses.js';

/** What a worker needs to start: the built artefacts and how to run them. */
export interface EdgeWorkerData {
  viewerRequestFile: string;
  originRequestFile: string;
  distributionId: string;
  distributionDomainName: string;
  /** CloudFront Functions' compute budget the viewer function is checked against (ms). */
  viewerBudgetMs: number;
  /** Runs of the viewer function not checked against the budget while the JIT warms up. */
  viewerWarmupRuns: number;
  /** Lambda@Edge origin-request timeout (ms). */
  lambdaTimeoutMs: number;
  /** The KeyValueStore file associated with the viewer function (kvs.ts); none when absent. */
  kvsFile?: string;
  /** Longest time between two looks at `kvsFile`. */
  kvsCheckEveryMs?: number;
}

/** A request body as the emulator keeps it (see body.ts). */
export interface WireBody {
  body: Uint8Array;
  cut: boolean;
  overCap?: boolean;
}

/** Main → worker. */
export type ToWorker =
  | {
      type: 'request';
      id: number;
      method: string;
      target: string;
      remoteAddress: string | undefined;
      rawHeaders: string[];
      /** Present when the main thread read the body before dispatching. */
      body?: WireBody;
    }
  | { type: 'body'; id: number; body?: WireBody; error?: string }
  | { type: 'ping'; seq: number };

/** An HttpResult whose body is a plain Uint8Array (what structured clone delivers). */
export type WireResult = Omit<HttpResult, 'body'> & { body: Uint8Array };

/** Worker → main. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'need-body'; id: number }
  | { type: 'result'; id: number; result: WireResult }
  | { type: 'log'; line: string }
  | { type: 'pong'; seq: number };

/** An exact-size copy of `bytes` that owns its buffer, so the buffer can be transferred. */
export function ownedCopy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
