// The BUILT viewer-request CloudFront Function, run in the local CloudFront Functions runtime
// (node:vm, eval/Function disabled), once per configuration mode.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, EDGE_HEADER } from '../../../edge/config.js';
import type { EdgeConfig } from '../../../edge/config.js';
import {
  loadCloudFrontFunction,
  type CloudFrontFunctionRuntime,
} from '../../../local/cloudfront/function-sandbox.js';
import {
  makeViewerRequestEvent,
  type ViewerRequestInput,
} from '../../../local/cloudfront/viewer-event.js';
import { buildViewerRequest, MAX_FUNCTION_BYTES } from '../../../scripts/build-viewer-request.mjs';

const FRA = { name: 'FRA', region: 'eu-central-1', serverIp: '192.0.2.10' };
const SITE = 'https://video.example';
const OTHER = 'https://evil.example';

type Mode = { name: string; config: Partial<EdgeConfig>; allowed: string; denied: string | null };
const MODES: Mode[] = [
  { name: 'defaults (any origin)', config: {}, allowed: OTHER, denied: null },
  {
    name: 'allow-list, two paths, 1 KiB',
    config: {
      allowedOrigins: [SITE, 'http://localhost:8787/'],
      ingestPaths: ['/v1/events', '/i/e'],
      maxBodyBytes: 1024,
    },
    allowed: SITE,
    denied: OTHER,
  },
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'viewer-request-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function error(
  status: number,
  text: string,
  code: string,
  cors: string | null,
  extra: Record<string, string> = {},
) {
  return {
    statusCode: status,
    statusDescription: text,
    headers: {
      ...Object.fromEntries(Object.entries(extra).map(([k, value]) => [k, { value }])),
      'cache-control': { value: 'no-store' },
      ...corsHeaders(cors),
      'content-type': { value: 'application/json' },
    },
    body: { encoding: 'text', data: expect.stringContaining(`"error":"${code}"`) },
  };
}

function corsHeaders(origin: string | null): Record<string, { value: string }> {
  if (!origin) return {};
  return origin === '*'
    ? { 'access-control-allow-origin': { value: '*' } }
    : { 'access-control-allow-origin': { value: origin }, vary: { value: 'Origin' } };
}

describe.each(MODES)('viewer-request function: $name', ({ config, allowed, denied }) => {
  const cfg = { ...DEFAULT_CONFIG, ...config };
  const [path0] = cfg.ingestPaths;
  const acao = cfg.allowedOrigins.includes('*') ? '*' : allowed;
  // The verdict stamped for an allowed origin: any (`*`) or this one (`1`).
  const yes = acao === '*' ? '*' : '1';
  let fn: CloudFrontFunctionRuntime;
  let built: { outfile: string; bytes: number };

  beforeAll(async () => {
    built = await buildViewerRequest({
      config,
      outfile: path.join(tmp, `${cfg.allowedOrigins.length}.js`),
    });
    fn = loadCloudFrontFunction(fs.readFileSync(built.outfile, 'utf8'), {
      filename: built.outfile,
    });
  });

  const post = (over: ViewerRequestInput = {}) =>
    makeViewerRequestEvent({
      method: 'POST',
      uri: path0,
      ...over,
      headers: {
        'content-type': 'text/plain;charset=UTF-8',
        'content-length': '812',
        ...over.headers,
      },
    });
  const body = (r: unknown) =>
    JSON.parse((r as { body: { data: string } }).body.data) as { error: string; detail: string };

  it('is built to one file under the 10 KB CloudFront limit, keeping the import and handler', () => {
    const code = fs.readFileSync(built.outfile, 'utf8');
    expect(built.bytes).toBe(Buffer.byteLength(code));
    expect(built.bytes).toBeLessThan(MAX_FUNCTION_BYTES);
    expect(MAX_FUNCTION_BYTES).toBe(10240);
    expect(code.startsWith('import cf from"cloudfront";')).toBe(true);
    expect(code).toMatch(/[;}]async function handler\(/);
    expect(code).not.toContain('__BEACON_VIEWER_CONFIG__');
  });

  it.each(cfg.ingestPaths)(
    'stamps the edge location and receive time on a POST to %s and forwards it',
    async (uri) => {
      const event = post({ uri, headers: { origin: allowed } });
      const before = Date.now();
      const out = await fn.run(event, FRA);
      const after = Date.now();
      const stamp = (out as { headers: Record<string, { value: string }> }).headers[EDGE_HEADER]
        .value;
      const m = /^pop=FRA;region=eu-central-1;t=(\d+);o=(.)$/.exec(stamp);
      expect(m).not.toBeNull();
      expect(m![2]).toBe(yes);
      expect(Number(m![1])).toBeGreaterThanOrEqual(before);
      expect(Number(m![1])).toBeLessThanOrEqual(after);
      expect(out).toStrictEqual({
        ...event.request,
        headers: { ...event.request.headers, [EDGE_HEADER]: { value: stamp } },
      });
    },
  );

  it('overwrites a client-sent edge header, including repeated ones', async () => {
    const event = post({
      headers: { [EDGE_HEADER]: ['pop=EVIL;region=us-east-1;t=0', 'pop=X;region=y;t=1'] },
    });
    expect(event.request.headers[EDGE_HEADER].multiValue).toHaveLength(2);
    const out = (await fn.run(event, { name: 'SIN', region: 'ap-southeast-1' })) as {
      headers: Record<string, unknown>;
    };
    expect(out.headers[EDGE_HEADER]).toStrictEqual({
      value: expect.stringMatching(/^pop=SIN;region=ap-southeast-1;t=\d+$/),
    });
  });

  if (denied)
    it('overwrites a forged allow verdict with its own for an origin not on the list', async () => {
      const event = post({
        headers: { origin: denied, [EDGE_HEADER]: 'pop=FRA;region=eu-central-1;t=1;o=1' },
      });
      const out = (await fn.run(event, FRA)) as { headers: Record<string, { value: string }> };
      expect(out.headers[EDGE_HEADER].value).toMatch(/^pop=FRA;region=eu-central-1;t=\d+;o=0$/);
    });

  it('uses the edge location of each call on the reused context', async () => {
    const a = (await fn.run(post(), FRA)) as { headers: Record<string, { value: string }> };
    const b = (await fn.run(post(), { name: 'IAD', region: 'us-east-1' })) as {
      headers: Record<string, { value: string }>;
    };
    expect(a.headers[EDGE_HEADER].value).toMatch(/^pop=FRA;region=eu-central-1;/);
    expect(b.headers[EDGE_HEADER].value).toMatch(/^pop=IAD;region=us-east-1;/);
  });

  it.each([
    'application/json',
    'APPLICATION/JSON; charset=utf-8',
    'text/plain',
    'text/plain;charset=UTF-8',
    ' Text/Plain ',
  ])('accepts content type %j', async (type) => {
    const out = await fn.run(post({ headers: { 'content-type': type } }), FRA);
    expect(out).toHaveProperty('method', 'POST');
  });

  /** The request as it went in, with the stamp this run put on it (and its CORS verdict). */
  const stamped = (event: ReturnType<typeof post>, out: unknown, verdict: string) => {
    const stamp = (out as { headers?: Record<string, { value: string }> }).headers?.[EDGE_HEADER];
    expect(stamp?.value).toMatch(/^pop=FRA;region=eu-central-1;t=\d+;o=[*10]$/);
    expect(stamp?.value.endsWith(`;o=${verdict}`)).toBe(true);
    return { ...event.request, headers: { ...event.request.headers, [EDGE_HEADER]: stamp } };
  };

  // The function cannot write a bad row, so it refuses no POST: the origin-request handler
  // refuses these with the same status and reason and keeps the body (emulator e2e tests).
  it.each<[string, Record<string, string | undefined>]>([
    ['an unsupported content type', { 'content-type': 'application/xml' }],
    ['a multipart body', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['no content type', { 'content-type': undefined }],
    ['a declared body over the limit', { 'content-length': String(cfg.maxBodyBytes + 1) }],
    ['a huge declared length', { 'content-length': '99999999999999999999' }],
    ['Content-Length: 0', { 'content-length': '0' }],
    [
      'chunked upload (no Content-Length)',
      { 'transfer-encoding': 'chunked', 'content-length': undefined },
    ],
  ])('passes a POST with %s on to the origin-request handler, stamped', async (_name, headers) => {
    const event = post({ headers: { origin: allowed } });
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) delete event.request.headers[name];
      else event.request.headers[name] = { value };
    }
    const out = await fn.run(event, FRA);
    expect(out).not.toHaveProperty('statusCode');
    expect(out).toStrictEqual(stamped(event, out, yes));
  });

  it.each(['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD'])(
    'rejects %s with 405 and an Allow header',
    async (method) => {
      const out = await fn.run(post({ method, headers: { origin: allowed } }), FRA);
      expect(out).toStrictEqual(
        error(405, 'Method Not Allowed', 'method_not_allowed', acao, { allow: 'POST, OPTIONS' }),
      );
      expect(body(out)).toStrictEqual({
        error: 'method_not_allowed',
        detail: `Method ${method} is not allowed; use POST`,
      });
    },
  );

  it.each(['/', '/v1/event', '/v1/events/', '/v1/events/extra', '/V1/EVENTS', '/dashboard'])(
    'answers 404 for %s',
    async (uri) => {
      const out = await fn.run(post({ uri }), FRA);
      expect(out).toStrictEqual(error(404, 'Not Found', 'not_found', null));
      expect(body(out)).toStrictEqual({
        error: 'not_found',
        detail: `No ingest endpoint here; POST beacons to ${path0}`,
      });
    },
  );

  it('answers a CORS preflight from an allowed origin with 204', async () => {
    const event = makeViewerRequestEvent({
      method: 'OPTIONS',
      uri: path0,
      headers: {
        origin: allowed,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(await fn.run(event, FRA)).toStrictEqual({
      statusCode: 204,
      statusDescription: 'No Content',
      headers: {
        'access-control-allow-methods': { value: 'POST, OPTIONS' },
        'access-control-allow-headers': { value: 'content-type' },
        'access-control-max-age': { value: '86400' },
        'cache-control': { value: 'no-store' },
        ...corsHeaders(acao),
      },
    });
  });

  it('answers a plain OPTIONS (no Origin) with 204 and Allow', async () => {
    expect(
      await fn.run(makeViewerRequestEvent({ method: 'OPTIONS', uri: path0 }), FRA),
    ).toStrictEqual({
      statusCode: 204,
      statusDescription: 'No Content',
      headers: { allow: { value: 'POST, OPTIONS' }, 'cache-control': { value: 'no-store' } },
    });
  });

  if (denied)
    it('refuses a preflight from an origin not on the list with 403, and passes its POST on', async () => {
      const pre = await fn.run(
        makeViewerRequestEvent({ method: 'OPTIONS', uri: path0, headers: { origin: denied } }),
        FRA,
      );
      expect(pre).toStrictEqual(error(403, 'Forbidden', 'origin_not_allowed', null));
      expect(body(pre)).toStrictEqual({
        error: 'origin_not_allowed',
        detail: `Origin ${denied} may not send beacons here`,
      });
      // The origin-request handler refuses the POST with 403 and keeps its body as a bad row.
      const event = post({ headers: { origin: denied } });
      const out = await fn.run(event, FRA);
      expect(out).toStrictEqual(stamped(event, out, '0'));
      // What is not a beacon request at all is still answered here, without CORS headers.
      expect(await fn.run(post({ method: 'GET', headers: { origin: denied } }), FRA)).toStrictEqual(
        error(405, 'Method Not Allowed', 'method_not_allowed', null, { allow: 'POST, OPTIONS' }),
      );
    });

  if (denied)
    it('matches configured origins as browsers send them (trailing slash in config ignored)', async () => {
      const out = await fn.run(post({ headers: { origin: 'http://localhost:8787' } }), FRA);
      expect(out).toHaveProperty('method', 'POST');
    });

  if (!denied)
    it('with * allows a preflight from any origin', async () => {
      const out = await fn.run(
        makeViewerRequestEvent({ method: 'OPTIONS', uri: path0, headers: { origin: 'null' } }),
        FRA,
      );
      expect(out).toMatchObject({
        statusCode: 204,
        headers: { 'access-control-allow-origin': { value: '*' } },
      });
    });

  it('sends no CORS headers to requests without an Origin', async () => {
    const out = await fn.run(post({ method: 'GET' }), FRA);
    expect(out).toStrictEqual(
      error(405, 'Method Not Allowed', 'method_not_allowed', null, { allow: 'POST, OPTIONS' }),
    );
  });
});

describe('buildViewerRequest', () => {
  it('fails when the function would reach 10 KB', async () => {
    const allowedOrigins = Array.from(
      { length: 400 },
      (_, i) => `https://customer-${i}.video.example`,
    );
    await expect(
      buildViewerRequest({ config: { allowedOrigins }, outfile: path.join(tmp, 'big.js') }),
    ).rejects.toThrow(/viewer-request function is \d+ bytes; CloudFront allows less than 10240/);
    expect(fs.existsSync(path.join(tmp, 'big.js'))).toBe(false);
  });

  it.each([
    [{ ingestPaths: [] }, 'ingestPaths must be a non-empty array'],
    [{ ingestPaths: ['v1/events'] }, 'must start with / and have no query'],
    [{ allowedOrigins: ['video.example'] }, 'must be * or scheme://host[:port]'],
    [
      { rollout: { schemas: '1-0-0:gone', sdks: '-' } },
      "rollout.schemas: '1-0-0:gone': state must be one of live, deprecated, retired",
    ],
    [
      { rollout: { schemas: '-', sdks: 'beacon-edge-web:retired' } },
      "rollout.sdks: 'beacon-edge-web:retired': an SDK release is <name>@<version>",
    ],
  ])('rejects the config %j', async (config, message) => {
    await expect(buildViewerRequest({ config, outfile: path.join(tmp, 'bad.js') })).rejects.toThrow(
      message,
    );
  });

  it('fits with both compiled rollout values as long as the store allows one', async () => {
    // The store allows about 1 KB per key and value; these values are larger (about 3 KB and
    // 1.2 KB), so the function fits with anything the store can hold compiled in.
    const rule = (i: number) => `beacon-edge-web@0.${i}.0:deprecated,since=2026-11-30`;
    const sdks = Array.from({ length: 60 }, (_, i) => rule(i)).join(' ');
    const schemas = Array.from({ length: 40 }, (_, i) => `${i}-0-0:retired,upgrade=9-0-0`).join(
      ' ',
    );
    const { bytes } = await buildViewerRequest({
      config: { rollout: { schemas, sdks } },
      outfile: path.join(tmp, 'rollout.js'),
    });
    expect(bytes).toBeLessThan(MAX_FUNCTION_BYTES);
  });

  it('compiles the defaults of edge/config.ts into the default build', async () => {
    const { outfile } = await buildViewerRequest({ outfile: path.join(tmp, 'default.js') });
    const code = fs.readFileSync(outfile, 'utf8');
    expect(code).toContain(
      JSON.stringify([...DEFAULT_CONFIG.ingestPaths, DEFAULT_CONFIG.cmcdPath]),
    );
    // The body limit is enforced where a refused body can be kept: the origin-request handler.
    expect(code).not.toContain('maxBodyBytes');
    expect(code).toContain(JSON.stringify(EDGE_HEADER));
  });
});
