// The local CloudFront Functions sandbox the viewer-request tests and the emulator rely on:
// code generation really throws inside it, host objects do not leak in, bad code or bad handler
// results surface as named errors, runs over CloudFront's compute budget are reported, and the
// associated KeyValueStore is served through cloudfront-js-2.0's `cf.kvs()` helpers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CloudFrontFunctionExecutionError,
  CloudFrontFunctionLoadError,
} from '../../../local/cloudfront/errors.js';
import {
  isGeneratedResponse,
  loadCloudFrontFunction,
} from '../../../local/cloudfront/function-sandbox.js';
import { formatKvsFile, LOCAL_KVS_ID, LocalKeyValueStore } from '../../../local/cloudfront/kvs.js';
import { makeViewerRequestEvent } from '../../../local/cloudfront/viewer-event.js';

const LOC = { name: 'FRA', region: 'eu-central-1' };

/** A function that tries each probe inside the runtime and reports what happened. */
const PROBES = `import cf from 'cloudfront';
function attempt(f) {
  try { return 'ran: ' + String(f()); } catch (e) { return 'threw ' + e.name; }
}
function handler(event) {
  const results = {
    eval: attempt(() => eval('1 + 1')),
    indirectEval: attempt(() => (0, globalThis.eval)('1 + 1')),
    newFunction: attempt(() => new Function('return 1')()),
    globalThisFunction: attempt(() => globalThis.Function('return 1')()),
    arrowConstructor: attempt(() => (() => 0).constructor('return 1')()),
    asyncConstructor: attempt(() => Object.getPrototypeOf(async function () {}).constructor('return 1')),
    generatorConstructor: attempt(() => Object.getPrototypeOf(function* () {}).constructor('yield 1')),
    globalConstructor: attempt(() => globalThis.constructor.constructor('return typeof process')()),
    eventConstructor: attempt(() => event.constructor.constructor('return typeof process')()),
    cfConstructor: attempt(() => cf.constructor.constructor('return typeof process')()),
    edgeLocationConstructor: attempt(() => cf.edgeLocation.constructor.constructor('return 1')()),
    consoleConstructor: attempt(() => console.log.constructor('return 1')()),
    require: typeof require,
    process: typeof process,
    setTimeout: typeof setTimeout,
    module: typeof module,
  };
  return { statusCode: 200, body: { encoding: 'text', data: JSON.stringify(results) } };
}`;

describe('cloudfront function runtime', () => {
  it('makes eval, Function and constructor tricks throw, and hides Node globals', async () => {
    const out = await loadCloudFrontFunction(PROBES).run(makeViewerRequestEvent(), LOC);
    expect(isGeneratedResponse(out)).toBe(true);
    const results = JSON.parse((out as { body: { data: string } }).body.data);
    expect(results).toStrictEqual({
      eval: 'threw EvalError',
      indirectEval: 'threw EvalError',
      newFunction: 'threw EvalError',
      globalThisFunction: 'threw EvalError',
      arrowConstructor: 'threw EvalError',
      asyncConstructor: 'threw EvalError',
      generatorConstructor: 'threw EvalError',
      globalConstructor: 'threw EvalError',
      eventConstructor: 'threw EvalError',
      cfConstructor: 'threw EvalError',
      edgeLocationConstructor: 'threw EvalError',
      consoleConstructor: 'threw EvalError',
      require: 'undefined',
      process: 'undefined',
      setTimeout: 'undefined',
      module: 'undefined',
    });
  });

  it('refuses code that evaluates strings at load time', () => {
    expect(() =>
      loadCloudFrontFunction(`const x = eval('1'); function handler(e) { return e.request; }`),
    ).toThrow(CloudFrontFunctionLoadError);
  });

  it.each([
    [
      'no handler',
      `function other(event) { return event.request; }`,
      /no top-level function handler/,
    ],
    [
      'another module',
      `import crypto from 'crypto';\nfunction handler(e) { return e.request; }`,
      /module 'crypto' is not provided/,
    ],
    ['an export', `export function handler(e) { return e.request; }`, /exports nothing/],
    ['a syntax error', `function handler(e) { return e.request;`, /cannot load/],
  ])('refuses code with %s', (_name, code, message) => {
    expect(() => loadCloudFrontFunction(code)).toThrow(message);
  });

  it('accepts comments before the cloudfront import and keeps line numbers', async () => {
    const code = `// comment\n/* block\n comment */\nimport cf from 'cloudfront';\n\nfunction handler(e) {\n  throw new Error('line ' + new Error().stack.split('\\n')[1].split(':').at(-2));\n}`;
    const fn = loadCloudFrontFunction(code, { filename: 'lines.js' });
    await expect(fn.run(makeViewerRequestEvent(), LOC)).rejects.toThrow('line 7');
  });

  it('rejects with CloudFrontFunctionExecutionError when the handler throws or returns nonsense', async () => {
    const throwing = loadCloudFrontFunction(`function handler(e) { throw new TypeError('boom'); }`);
    await expect(throwing.run(makeViewerRequestEvent(), LOC)).rejects.toThrow(
      CloudFrontFunctionExecutionError,
    );
    await expect(throwing.run(makeViewerRequestEvent(), LOC)).rejects.toThrow(
      'handler failed: boom',
    );
    for (const ret of ['undefined', '42', '{ statusCode: "200" }', '{ uri: "/x" }']) {
      const fn = loadCloudFrontFunction(`function handler(e) { return ${ret}; }`);
      await expect(fn.run(makeViewerRequestEvent(), LOC)).rejects.toThrow(
        CloudFrontFunctionExecutionError,
      );
    }
  });

  it('stops a handler that never returns', async () => {
    const fn = loadCloudFrontFunction(`function handler(e) { for (;;) {} }`, { timeoutMs: 50 });
    await expect(fn.run(makeViewerRequestEvent(), LOC)).rejects.toThrow(/timed out/);
  });

  it('awaits async handlers (allowed in cloudfront-js-2.0)', async () => {
    const fn = loadCloudFrontFunction(
      `import cf from 'cloudfront';\nasync function handler(e) { e.request.uri = await Promise.resolve('/' + cf.edgeLocation.name); return e.request; }`,
    );
    expect(await fn.run(makeViewerRequestEvent(), LOC)).toMatchObject({ uri: '/FRA' });
  });

  it('gives the handler a copy: changes never reach the caller’s event', async () => {
    const event = makeViewerRequestEvent();
    const fn = loadCloudFrontFunction(
      `function handler(e) { e.request.headers.x = { value: '1' }; return e.request; }`,
    );
    const out = await fn.run(event, LOC);
    expect(out).toHaveProperty(['headers', 'x'], { value: '1' });
    expect(event.request.headers).not.toHaveProperty('x');
  });

  it('passes console.log lines to onLog', async () => {
    const lines: string[] = [];
    const fn = loadCloudFrontFunction(
      `function handler(e) { console.log('uri', e.request.uri, { n: 1 }); return e.request; }`,
      {
        onLog: (l) => lines.push(l),
      },
    );
    await fn.run(makeViewerRequestEvent({ uri: '/a' }), LOC);
    await fn.run(makeViewerRequestEvent({ uri: '/b' }), LOC);
    expect(lines).toStrictEqual(['uri /a {"n":1}', 'uri /b {"n":1}']);
  });

  it('keeps one context: top-level state survives between calls', async () => {
    const fn = loadCloudFrontFunction(
      `let calls = 0;\nfunction handler(e) { calls++; return { statusCode: 200, statusDescription: String(calls) }; }`,
    );
    for (let i = 1; i <= 3; i++)
      expect(await fn.run(makeViewerRequestEvent(), LOC)).toStrictEqual({
        statusCode: 200,
        statusDescription: String(i),
      });
  });
});

/** How the local stack keeps CloudFront's limit visible without a watchdog. */
describe('CloudFront Function compute budget', () => {
  it('reports a run over the budget, with its time, and still returns its result', async () => {
    const seen: number[] = [];
    const fn = loadCloudFrontFunction(
      `function handler(e) { const t = Date.now(); while (Date.now() - t < 5) {} return e.request; }`,
      {
        timeoutMs: 0,
        budgetMs: 1,
        onOverBudget: (ms) => seen.push(ms),
      },
    );
    const out = await fn.run(makeViewerRequestEvent({ uri: '/v1/events' }), LOC);
    expect(out).toMatchObject({ method: 'POST', uri: '/v1/events' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThanOrEqual(4);
  });

  it('says nothing about runs within the budget or without one', async () => {
    const seen: number[] = [];
    const fast = loadCloudFrontFunction(`function handler(e) { return e.request; }`, {
      timeoutMs: 0,
      budgetMs: 1000,
      onOverBudget: (ms) => seen.push(ms),
    });
    const unchecked = loadCloudFrontFunction(
      `function handler(e) { const t = Date.now(); while (Date.now() - t < 3) {} return e.request; }`,
      { timeoutMs: 0, onOverBudget: (ms) => seen.push(ms) },
    );
    await fast.run(makeViewerRequestEvent(), LOC);
    await unchecked.run(makeViewerRequestEvent(), LOC);
    expect(seen).toStrictEqual([]);
  });
});

/** Calls each KeyValueStore helper inside the runtime and reports what it got. */
const KVS_PROBES = `import cf from 'cloudfront';
async function settle(f) {
  try { return { ok: await f() }; } catch (e) { return { threw: e.name + ': ' + e.message }; }
}
async function handler(event) {
  const kvs = cf.kvs();
  const bytes = await kvs.get('text', { format: 'bytes' });
  let escape;
  try { await kvs.get('missing'); } catch (e) {
    try { escape = e.constructor.constructor('return typeof process')(); } catch (x) { escape = x.name; }
  }
  const r = {
    string: await kvs.get('text'),
    explicitString: await kvs.get('text', { format: 'string' }),
    json: await kvs.get('doc', { format: 'json' }),
    bytes: Array.from(bytes),
    bytesType: Object.prototype.toString.call(bytes),
    exists: [await kvs.exists('text'), await kvs.exists('missing')],
    missing: await settle(() => kvs.get('missing')),
    badJson: await settle(() => kvs.get('text', { format: 'json' })),
    badFormat: await settle(() => kvs.get('text', { format: 'xml' })),
    sameStoreById: cf.kvs(${JSON.stringify(LOCAL_KVS_ID)}) === kvs,
    otherId: await settle(() => cf.kvs('8aa76c93-3198-462c-aaf6-example')),
    meta: await kvs.meta(),
    escape,
  };
  return { statusCode: 200, body: { encoding: 'text', data: JSON.stringify(r) } };
}`;

describe('KeyValueStore helpers (cf.kvs())', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-kvs-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const results = async (fn: ReturnType<typeof loadCloudFrontFunction>) =>
    JSON.parse(
      ((await fn.run(makeViewerRequestEvent(), LOC)) as { body: { data: string } }).body.data,
    );

  it('serves get in each format, exists and meta; a missing key rejects', async () => {
    const file = path.join(tmp, 'kvs.json');
    fs.writeFileSync(
      file,
      formatKvsFile([
        { key: 'text', value: 'Grüße' },
        { key: 'doc', value: '{"n":[1,2]}' },
      ]),
    );
    const fn = loadCloudFrontFunction(KVS_PROBES, { kvs: LocalKeyValueStore.open(file) });
    const r = await results(fn);
    expect(r).toStrictEqual({
      string: 'Grüße',
      explicitString: 'Grüße',
      json: { n: [1, 2] },
      bytes: [...Buffer.from('Grüße')],
      bytesType: '[object Uint8Array]',
      exists: [true, false],
      missing: { threw: 'Error: KeyValueStore key not found: missing' },
      badJson: { threw: expect.stringMatching(/^SyntaxError: /) },
      badFormat: { threw: 'TypeError: unknown format xml (string, json or bytes)' },
      sameStoreById: true,
      otherId: {
        threw:
          'Error: KeyValueStore 8aa76c93-3198-462c-aaf6-example is not associated with this function',
      },
      meta: {
        creationDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        lastUpdatedDateTime: fs.statSync(file).mtime.toISOString(),
        keyCount: 2,
      },
      // The store's errors belong to the function's realm: no way out through them.
      escape: 'EvalError',
    });
  });

  it('throws from cf.kvs() when no store is associated, as CloudFront does', async () => {
    const fn = loadCloudFrontFunction(
      `import cf from 'cloudfront';\nfunction handler(e) { try { cf.kvs(); return { statusCode: 200 }; } catch (err) { return { statusCode: 500, statusDescription: err.message }; } }`,
    );
    expect(await fn.run(makeViewerRequestEvent(), LOC)).toStrictEqual({
      statusCode: 500,
      statusDescription: 'no KeyValueStore is associated with this function',
    });
  });
});
