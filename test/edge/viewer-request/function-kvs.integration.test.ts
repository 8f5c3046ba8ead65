// The BUILT viewer-request function reading its CORS allow-list from the KeyValueStore, with the
// local stack's file-backed store associated in the CloudFront Functions sandbox: the store's
// list wins over the compiled one, an edit takes effect on the next request without a rebuild,
// and the compiled list is the fallback when the key is missing or no store is associated.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EDGE_HEADER } from '../../../edge/config.js';
import { KVS_KEYS, type KvsEntry } from '../../../edge/kvs.js';
import { ROLLOUT_HEADERS } from '../../../edge/rollout.js';
import {
  loadCloudFrontFunction,
  type CloudFrontFunctionRuntime,
} from '../../../local/cloudfront/function-sandbox.js';
import { formatKvsFile, LocalKeyValueStore } from '../../../local/cloudfront/kvs.js';
import { makeViewerRequestEvent } from '../../../local/cloudfront/viewer-event.js';
import { buildViewerRequest } from '../../../scripts/build-viewer-request.mjs';

const FRA = { name: 'FRA', region: 'eu-central-1' };
const BUILT_IN = 'https://video.example';
const FROM_STORE = 'https://player.example';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'viewer-kvs-'));
const file = path.join(tmp, 'kvs.json');
let code: string;

beforeAll(async () => {
  const { outfile } = await buildViewerRequest({
    config: { allowedOrigins: [BUILT_IN] },
    outfile: path.join(tmp, 'viewer-request.js'),
  });
  code = fs.readFileSync(outfile, 'utf8');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Writes the store file; a store opened with checkEveryMs 0 sees it on the next request. */
function writeStore(entries: KvsEntry[]): void {
  fs.writeFileSync(file, formatKvsFile(entries));
}
/** A store as seeded (kvsSeed): the allow-list, and no rollout rules. */
const allowList = (value: string): KvsEntry[] => [
  { key: KVS_KEYS.allowedOrigins, value },
  { key: KVS_KEYS.rolloutSchemas, value: '-' },
  { key: KVS_KEYS.rolloutSdks, value: '-' },
];

/** The function with the store file associated (or none), and the lines it logged. */
function load(withStore: boolean): { fn: CloudFrontFunctionRuntime; logs: string[] } {
  const logs: string[] = [];
  const kvs = withStore ? LocalKeyValueStore.open(file, { checkEveryMs: 0 }) : undefined;
  const fn = loadCloudFrontFunction(code, { kvs, onLog: (l) => logs.push(l) });
  return { fn, logs };
}

/** The preflight's Access-Control-Allow-Origin (undefined when refused) and its status. */
async function preflight(fn: CloudFrontFunctionRuntime, origin: string) {
  const out = (await fn.run(
    makeViewerRequestEvent({ method: 'OPTIONS', uri: '/v1/events', headers: { origin } }),
    FRA,
  )) as { statusCode: number; headers: Record<string, { value: string }> };
  return { status: out.statusCode, allow: out.headers['access-control-allow-origin']?.value };
}

/** The verdict the function stamps on a POST from `origin` for Lambda@Edge. */
async function verdict(fn: CloudFrontFunctionRuntime, origin: string): Promise<string> {
  const out = (await fn.run(
    makeViewerRequestEvent({ method: 'POST', uri: '/v1/events', headers: { origin } }),
    FRA,
  )) as { headers: Record<string, { value: string }> };
  return /;o=(.)$/.exec(out.headers[EDGE_HEADER].value)?.[1] ?? 'none';
}

describe('viewer-request function with a KeyValueStore', () => {
  beforeEach(() => writeStore(allowList(FROM_STORE)));

  it('answers preflights and stamps POSTs by the store, not the compiled list', async () => {
    const { fn, logs } = load(true);
    expect(await preflight(fn, FROM_STORE)).toStrictEqual({ status: 204, allow: FROM_STORE });
    expect(await preflight(fn, BUILT_IN)).toStrictEqual({ status: 403, allow: undefined });
    expect(await verdict(fn, FROM_STORE)).toBe('1');
    expect(await verdict(fn, BUILT_IN)).toBe('0');
    expect(logs).toStrictEqual([]);
  });

  it('applies an edited allow-list on the next request, without a rebuild or reload', async () => {
    const { fn } = load(true);
    expect(await verdict(fn, FROM_STORE)).toBe('1');
    writeStore(allowList(`${BUILT_IN} https://other.example`));
    expect(await preflight(fn, FROM_STORE)).toStrictEqual({ status: 403, allow: undefined });
    expect(await verdict(fn, FROM_STORE)).toBe('0');
    expect(await verdict(fn, BUILT_IN)).toBe('1');
    writeStore(allowList('*'));
    expect(await preflight(fn, FROM_STORE)).toStrictEqual({ status: 204, allow: '*' });
    expect(await verdict(fn, 'https://anyone.example')).toBe('*');
  });

  it('reads entries as browsers send origins and ignores what no browser sends', async () => {
    writeStore(allowList('  HTTPS://Player.Example/\n video.example null *.example https://x/y '));
    const { fn } = load(true);
    expect(await verdict(fn, FROM_STORE)).toBe('1');
    for (const origin of ['null', 'https://video.example', 'https://a.example', 'https://x'])
      expect(await verdict(fn, origin), origin).toBe('0');
  });

  it('allows no browser origin when the value lists none', async () => {
    writeStore(allowList(''));
    const { fn } = load(true);
    expect(await preflight(fn, BUILT_IN)).toStrictEqual({ status: 403, allow: undefined });
    expect(await verdict(fn, BUILT_IN)).toBe('0');
  });

  it('falls back to the compiled list when the key is missing, logging it once', async () => {
    writeStore([{ key: 'something.else', value: FROM_STORE }]);
    const { fn, logs } = load(true);
    expect(await preflight(fn, BUILT_IN)).toStrictEqual({ status: 204, allow: BUILT_IN });
    expect(await verdict(fn, FROM_STORE)).toBe('0');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(
      /^KeyValueStore key cors\.allowed-origins unreadable \(Error: .*not found.*\); using the value built in$/,
    );
    // Put back, the store's list applies again on the next request.
    writeStore(allowList(FROM_STORE));
    expect(await verdict(fn, FROM_STORE)).toBe('1');
  });

  it('falls back to the compiled list when no store is associated (cf.kvs() throws)', async () => {
    const { fn, logs } = load(false);
    expect(await preflight(fn, BUILT_IN)).toStrictEqual({ status: 204, allow: BUILT_IN });
    expect(await verdict(fn, FROM_STORE)).toBe('0');
    expect(logs).toStrictEqual([
      expect.stringMatching(/no KeyValueStore is associated with this function/),
    ]);
  });

  it('stamps no verdict and reads no allow-list for a request without an Origin', async () => {
    // Only the rollout keys are read (every POST forwards them): no allow-list read is logged.
    const { fn, logs } = load(false);
    const out = (await fn.run(makeViewerRequestEvent({ method: 'POST' }), FRA)) as {
      headers: Record<string, { value: string }>;
    };
    expect(out.headers[EDGE_HEADER].value).toMatch(/^pop=FRA;region=eu-central-1;t=\d+$/);
    expect(logs).toStrictEqual([expect.stringMatching(/^KeyValueStore key rollout\.schemas /)]);
  });
});

describe('viewer-request function forwarding the rollout rules', () => {
  const SCHEMAS = '1-0-0:deprecated,since=2026-11-30,sunset=2027-03-01 2-0-0:live,sample=0.1';
  const SDKS = 'beacon-edge-web@0.1.0:retired,upgrade=0.3.0';
  const rules = (schemas: string, sdks: string): KvsEntry[] => [
    { key: KVS_KEYS.allowedOrigins, value: FROM_STORE },
    { key: KVS_KEYS.rolloutSchemas, value: schemas },
    { key: KVS_KEYS.rolloutSdks, value: sdks },
  ];
  /** The rollout headers the function passes on for a POST that forged both. */
  async function forwarded(fn: CloudFrontFunctionRuntime, method = 'POST') {
    const out = (await fn.run(
      makeViewerRequestEvent({
        method,
        uri: '/v1/events',
        headers: {
          [ROLLOUT_HEADERS.schema]: ['1-0-0:live', '2-0-0:live'],
          [ROLLOUT_HEADERS.sdk]: '-',
        },
      }),
      FRA,
    )) as { headers: Record<string, { value: string; multiValue?: unknown }> };
    return { schema: out.headers[ROLLOUT_HEADERS.schema], sdk: out.headers[ROLLOUT_HEADERS.sdk] };
  }

  it("passes on the store's values, replacing what a client sent", async () => {
    writeStore(rules(SCHEMAS, SDKS));
    const { fn, logs } = load(true);
    expect(await forwarded(fn)).toStrictEqual({ schema: { value: SCHEMAS }, sdk: { value: SDKS } });
    expect(logs).toStrictEqual([]);
  });

  it('applies an edited value on the next request, without a rebuild or reload', async () => {
    writeStore(rules(SCHEMAS, SDKS));
    const { fn } = load(true);
    expect((await forwarded(fn)).schema).toStrictEqual({ value: SCHEMAS });
    writeStore(rules('1-0-0:retired', '-'));
    expect(await forwarded(fn)).toStrictEqual({
      schema: { value: '1-0-0:retired' },
      sdk: { value: '-' },
    });
  });

  it('removes forged headers when neither the store nor the build has rules', async () => {
    const { fn } = load(false);
    expect(await forwarded(fn)).toStrictEqual({ schema: undefined, sdk: undefined });
    writeStore([{ key: KVS_KEYS.allowedOrigins, value: FROM_STORE }]);
    expect(await forwarded(load(true).fn)).toStrictEqual({ schema: undefined, sdk: undefined });
  });

  it('turns characters a header cannot carry into spaces', async () => {
    writeStore(rules('1-0-0:retired\n2-0-0:live\u00e9', SDKS));
    const { fn } = load(true);
    expect((await forwarded(fn)).schema).toStrictEqual({ value: '1-0-0:retired 2-0-0:live ' });
  });

  it('falls back to the rules compiled in when the store cannot be read', async () => {
    const { outfile } = await buildViewerRequest({
      config: { allowedOrigins: [BUILT_IN], rollout: { schemas: '1-0-0:retired', sdks: '-' } },
      outfile: path.join(tmp, 'viewer-request-rollout.js'),
    });
    const built = fs.readFileSync(outfile, 'utf8');
    const noStore = loadCloudFrontFunction(built, { onLog: () => {} });
    expect(await forwarded(noStore)).toStrictEqual({
      schema: { value: '1-0-0:retired' },
      sdk: { value: '-' },
    });
    writeStore(rules(SCHEMAS, SDKS));
    const withStore = loadCloudFrontFunction(built, {
      kvs: LocalKeyValueStore.open(file, { checkEveryMs: 0 }),
      onLog: () => {},
    });
    expect(await forwarded(withStore)).toStrictEqual({
      schema: { value: SCHEMAS },
      sdk: { value: SDKS },
    });
  });

  it('reads no rule for what it answers itself (a preflight)', async () => {
    writeStore(rules(SCHEMAS, SDKS));
    const { fn } = load(true);
    const out = (await fn.run(
      makeViewerRequestEvent({
        method: 'OPTIONS',
        uri: '/v1/events',
        headers: { origin: FROM_STORE },
      }),
      FRA,
    )) as { statusCode: number; headers: Record<string, unknown> };
    expect(out.statusCode).toBe(204);
    expect(out.headers[ROLLOUT_HEADERS.schema]).toBeUndefined();
  });
});
