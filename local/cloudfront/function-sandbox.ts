/**
 * Runs a built CloudFront Function (runtime `cloudfront-js-2.0`) locally, the way CloudFront
 * would: in its own `node:vm` context where code generation from strings (`eval`, `Function`,
 * `(()=>{}).constructor(...)`) throws, with no `require`, `process`, timers or host objects, and
 * with the `cloudfront` module providing `cf.edgeLocation` and, when a KeyValueStore is associated,
 * `cf.kvs()` (its documented `get`/`exists`/`meta`). One context is reused across calls: the local
 * emulator runs this on every request.
 *
 * Values cross the boundary only as JSON strings and primitives, so the function never holds a
 * host-realm object whose `constructor.constructor` would be the host's unrestricted `Function`.
 * This is an emulation harness, not a security sandbox for untrusted code.
 */
import vm from 'node:vm';
import {
  CloudFrontFunctionError,
  CloudFrontFunctionExecutionError,
  CloudFrontFunctionLoadError,
} from './errors.js';
import type { KeyValueStoreSource } from './kvs.js';
import type { EdgeLocation } from './pops.js';
import type {
  CloudFrontFunctionEvent,
  CloudFrontFunctionRequest,
  CloudFrontFunctionValues,
} from './viewer-event.js';

/** A response a viewer-request function generates instead of forwarding the request. */
export interface CloudFrontFunctionResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: CloudFrontFunctionValues;
  cookies?: Record<string, { value: string; attributes?: string }>;
  body?: { encoding: 'text' | 'base64'; data: string };
}

/** A loaded function, ready to run many times. */
export interface CloudFrontFunctionRuntime {
  /**
   * Runs `handler(event)` with `cf.edgeLocation` set. Resolves to the (possibly modified) request
   * or a generated response; rejects with {@link CloudFrontFunctionExecutionError} when the
   * handler throws, times out or returns something CloudFront would not accept (CloudFront then
   * answers the viewer 503).
   */
  run(
    event: CloudFrontFunctionEvent,
    edgeLocation: EdgeLocation,
  ): Promise<CloudFrontFunctionRequest | CloudFrontFunctionResponse>;
}

/** Options for {@link loadCloudFrontFunction}. */
export interface LoadOptions {
  /**
   * Wall-clock limit per synchronous run (0: none); CloudFront's real budget is far below 1 ms.
   * Default 1000. The limit costs a watchdog thread per call, so the local stack turns it off and
   * guards against a hung function from outside (edge-pool.ts), using `budgetMs` to keep the real
   * limit visible.
   */
  timeoutMs?: number;
  /**
   * CloudFront's compute budget to check each run against (ms of synchronous execution); no
   * check when absent. A run over it is reported to `onOverBudget`, never stopped.
   */
  budgetMs?: number;
  /** Told the synchronous execution time of each run over `budgetMs`. */
  onOverBudget?: (ms: number) => void;
  /** Receives each `console.log` line of the function (CloudFront sends them to CloudWatch). */
  onLog?: (line: string) => void;
  /** Shown in stack traces. */
  filename?: string;
  /**
   * The KeyValueStore associated with the function, read before each run; without one,
   * `cf.kvs()` throws as CloudFront's does.
   */
  kvs?: KeyValueStoreSource;
}

/** Narrows a run result to a generated response. */
export function isGeneratedResponse(
  r: CloudFrontFunctionRequest | CloudFrontFunctionResponse,
): r is CloudFrontFunctionResponse {
  return typeof (r as CloudFrontFunctionResponse).statusCode === 'number';
}

const MODULE_PARAM = '__cloudfront_module__';
// A default import, after any whitespace and comments (the source file starts with comments).
const IMPORT =
  /^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*import\s+([A-Za-z_$][\w$]*)\s+from\s*(["'])([^"']+)\2\s*;?/;

// Evaluated inside the context: a console that only collects strings, the `cloudfront` module
// object, and the per-call entry point, which takes its input as one JSON string and returns
// the result as one (or a promise of one) so that no object crosses between realms.
const BOOTSTRAP = `'use strict';
(() => {
  const logs = [];
  let store = null;
  const text = (a) => (typeof a === 'string' ? a : JSON.stringify(a));
  const log = (...args) => { logs.push(args.map(text).join(' ')); };
  // cloudfront-js-2.0's KeyValueStore helpers: promises; get() rejects for a missing key.
  const utf8 = (s) => Uint8Array.from(unescape(encodeURIComponent(s)), (c) => c.charCodeAt(0));
  const kvsHandle = Object.freeze({
    async get(key, options) {
      const format = (options && options.format) || 'string';
      if (!store.entries.has(key)) throw new Error('KeyValueStore key not found: ' + key);
      const value = store.entries.get(key);
      if (format === 'string') return value;
      if (format === 'json') return JSON.parse(value);
      if (format === 'bytes') return utf8(value);
      throw new TypeError('unknown format ' + format + ' (string, json or bytes)');
    },
    async exists(key) { return store.entries.has(key); },
    async meta() { return Object.assign({}, store.meta); },
  });
  const cloudfront = {
    edgeLocation: undefined,
    kvs(id) {
      if (!store) throw new Error('no KeyValueStore is associated with this function');
      if (id !== undefined && id !== store.id) throw new Error('KeyValueStore ' + id + ' is not associated with this function');
      return kvsHandle;
    },
  };
  let handler;
  const runtime = Object.freeze({
    cloudfront,
    setHandler(fn) {
      if (typeof fn !== 'function') throw new TypeError('no top-level function handler(event)');
      handler = fn;
    },
    setKvs(json) {
      const s = JSON.parse(json);
      store = { id: s.id, entries: new Map(s.entries), meta: Object.freeze(s.meta) };
    },
    invoke(inputJson) {
      const input = JSON.parse(inputJson);
      cloudfront.edgeLocation = Object.freeze(input.edgeLocation);
      const out = handler(input.event);
      return out && typeof out.then === 'function' ? out.then((r) => JSON.stringify(r)) : JSON.stringify(out);
    },
    drainLogs() { return JSON.stringify(logs.splice(0, logs.length)); },
  });
  Object.defineProperty(globalThis, 'console', { value: Object.freeze({ log, info: log, warn: log, error: log, debug: log }) });
  Object.defineProperty(globalThis, '__beacon_runtime__', { value: runtime });
})();`;

/**
 * Loads built CloudFront Function code: an ES module whose only import is
 * `import cf from 'cloudfront'`, with a top-level `function handler(event)`.
 * @throws CloudFrontFunctionLoadError when the code cannot run as a CloudFront Function.
 * @example
 * const fn = loadCloudFrontFunction(fs.readFileSync('dist/edge/viewer-request.js', 'utf8'));
 * const out = await fn.run(makeViewerRequestEvent({ method: 'POST', uri: '/v1/events' }), { name: 'FRA', region: 'eu-central-1' });
 */
export function loadCloudFrontFunction(
  code: string,
  options: LoadOptions = {},
): CloudFrontFunctionRuntime {
  const {
    timeoutMs = 1000,
    onLog,
    filename = 'cloudfront-function.js',
    budgetMs,
    onOverBudget,
    kvs,
  } = options;
  const body = rewriteImports(code);
  // The watchdog costs a thread wake-up per call; 0 turns it off (benchmarks).
  const limit = timeoutMs > 0 ? { timeout: timeoutMs } : {};
  // A null-prototype sandbox: with `{}` as the global, `this.constructor.constructor` would be
  // the host's Function, which code-generation settings of the context do not cover.
  const context = vm.createContext(Object.create(null), {
    name: filename,
    codeGeneration: { strings: false, wasm: false },
  });
  vm.runInContext(BOOTSTRAP, context);
  try {
    // The prefix sits on line 1 so stack traces keep the file's line numbers.
    new vm.Script(
      `__beacon_runtime__.setHandler((function (${MODULE_PARAM}) {'use strict';${body}\n;` +
        `return typeof handler === 'function' ? handler : undefined;})(__beacon_runtime__.cloudfront));`,
      { filename },
    ).runInContext(context, limit);
  } catch (err) {
    throw new CloudFrontFunctionLoadError(`cannot load ${filename}: ${errorText(err)}`, {
      cause: err,
    });
  }
  const invoke = new vm.Script('__beacon_runtime__.invoke(__beacon_input__)', {
    filename: `${filename}#invoke`,
  });
  const drain = new vm.Script('__beacon_runtime__.drainLogs()');
  const setKvs = new vm.Script('__beacon_runtime__.setKvs(__beacon_kvs__)');
  const sandbox = context as Record<string, unknown>;
  let kvsVersion = -1;
  // The store's content crosses into the context as one JSON string, only when it changed.
  const syncKvs = () => {
    const snapshot = kvs?.current();
    if (!snapshot || snapshot.version === kvsVersion) return;
    sandbox.__beacon_kvs__ = snapshot.json;
    try {
      setKvs.runInContext(context);
    } finally {
      delete sandbox.__beacon_kvs__;
    }
    kvsVersion = snapshot.version;
  };

  return {
    async run(event, edgeLocation) {
      syncKvs();
      sandbox.__beacon_input__ = JSON.stringify({
        event,
        edgeLocation: {
          name: edgeLocation.name,
          region: edgeLocation.region,
          serverIp: edgeLocation.serverIp ?? '127.0.0.1',
        },
      });
      try {
        // The input is consumed synchronously, so overlapping async handlers cannot mix inputs.
        const t0 = budgetMs === undefined ? 0 : performance.now();
        const pending = invoke.runInContext(context, limit) as unknown;
        if (budgetMs !== undefined) {
          const ms = performance.now() - t0;
          if (ms > budgetMs) onOverBudget?.(ms);
        }
        delete sandbox.__beacon_input__;
        return checkResult(await pending, filename);
      } catch (err) {
        if (err instanceof CloudFrontFunctionError) throw err;
        throw new CloudFrontFunctionExecutionError(
          `${filename}: handler failed: ${errorText(err)}`,
          { cause: err },
        );
      } finally {
        delete sandbox.__beacon_input__;
        if (onLog)
          for (const line of JSON.parse(drain.runInContext(context) as string) as string[])
            onLog(line);
      }
    },
  };
}

/** Replaces the module's leading imports by bindings to the provided `cloudfront` module. */
function rewriteImports(code: string): string {
  let rest = code;
  let prefix = '';
  for (let m = IMPORT.exec(rest); m; m = IMPORT.exec(rest)) {
    if (m[3] !== 'cloudfront') {
      throw new CloudFrontFunctionLoadError(
        `module '${m[3]}' is not provided by this runtime (only 'cloudfront')`,
      );
    }
    // Keep the newlines the import and comments spanned, so line numbers stay right.
    prefix += `const ${m[1]} = ${MODULE_PARAM};${'\n'.repeat(m[0].split('\n').length - 1)}`;
    rest = rest.slice(m[0].length);
  }
  if (/^\s*(import|export)\b/m.test(rest)) {
    throw new CloudFrontFunctionLoadError(
      'only leading `import x from "cloudfront"` lines are supported; a CloudFront Function exports nothing',
    );
  }
  return prefix + rest;
}

function errorText(err: unknown): string {
  return err !== null && typeof err === 'object' && 'message' in err
    ? String(err.message)
    : String(err);
}

/** CloudFront accepts only the request object or a response with a numeric statusCode. */
function checkResult(
  json: unknown,
  filename: string,
): CloudFrontFunctionRequest | CloudFrontFunctionResponse {
  if (typeof json !== 'string')
    throw new CloudFrontFunctionExecutionError(`${filename}: handler returned no object`);
  const result = JSON.parse(json) as Record<string, unknown> | null;
  const isObject = result !== null && typeof result === 'object';
  const isResponse = isObject && typeof result.statusCode === 'number';
  const isRequest = isObject && typeof result.method === 'string' && typeof result.uri === 'string';
  if (!isResponse && !isRequest) {
    throw new CloudFrontFunctionExecutionError(
      `${filename}: handler must return the request or a response with statusCode`,
    );
  }
  return result as unknown as CloudFrontFunctionRequest | CloudFrontFunctionResponse;
}
