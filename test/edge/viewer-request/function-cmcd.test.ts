// The BUILT viewer-request CloudFront Function on the CMCD path, run in the local CloudFront
// Functions runtime: a player's event report (`application/cmcd`, which is not a CORS-safelisted
// content type) must get through its preflight and reach the origin-request handler stamped, with
// the event-target URL's query intact.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, EDGE_HEADER, type EdgeConfig } from '../../../edge/config.js';
import {
  loadCloudFrontFunction,
  type CloudFrontFunctionRuntime,
} from '../../../local/cloudfront/function-sandbox.js';
import { makeViewerRequestEvent } from '../../../local/cloudfront/viewer-event.js';
import { CMCD_PATH } from '../../../schemas/cmcd.js';
import { buildViewerRequest, MAX_FUNCTION_BYTES } from '../../../scripts/build-viewer-request.mjs';

const FRA = { name: 'FRA', region: 'eu-central-1' };
const PLAYER_PAGE = 'https://player.example';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'viewer-request-cmcd-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function load(config: Partial<EdgeConfig>, name: string) {
  const built = await buildViewerRequest({ config, outfile: path.join(tmp, `${name}.js`) });
  return {
    built,
    fn: loadCloudFrontFunction(fs.readFileSync(built.outfile, 'utf8'), {
      filename: built.outfile,
    }),
  };
}

/** A browser's preflight before hls.js/dash.js POST a report from a page on another origin. */
const preflightFrom = (origin: string, uri = CMCD_PATH) =>
  makeViewerRequestEvent({
    method: 'OPTIONS',
    uri: `${uri}?player=hls.js&player_version=1.7.4`,
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });

const report = (headers: Record<string, string> = {}) =>
  makeViewerRequestEvent({
    method: 'POST',
    uri: `${CMCD_PATH}?player=hls.js&player_version=1.7.4`,
    headers: { 'content-type': 'application/cmcd', 'content-length': '120', ...headers },
  });

describe('viewer-request function: the CMCD path (defaults)', () => {
  let fn: CloudFrontFunctionRuntime;
  let bytes: number;
  beforeAll(async () => {
    ({
      fn,
      built: { bytes },
    } = await load({}, 'default'));
  });

  it('is the default CMCD path of the edge config and still fits the 10 KB limit', () => {
    expect(DEFAULT_CONFIG.cmcdPath).toBe('/v1/cmcd');
    expect(bytes).toBeLessThan(MAX_FUNCTION_BYTES);
  });

  it('passes a report on stamped, with its query string and body headers untouched', async () => {
    const event = report({ origin: PLAYER_PAGE });
    const out = (await fn.run(event, FRA)) as typeof event.request;
    expect(out.method).toBe('POST');
    expect(out.uri).toBe(CMCD_PATH);
    expect(out.querystring).toStrictEqual({
      player: { value: 'hls.js' },
      player_version: { value: '1.7.4' },
    });
    expect(out.headers['content-type']).toStrictEqual({ value: 'application/cmcd' });
    expect(out.headers[EDGE_HEADER].value).toMatch(/^pop=FRA;region=eu-central-1;t=\d+;o=\*$/);
  });

  it('answers the preflight of a report from any origin: POST with Content-Type, cached', async () => {
    expect(await fn.run(preflightFrom(PLAYER_PAGE), FRA)).toStrictEqual({
      statusCode: 204,
      statusDescription: 'No Content',
      headers: {
        'access-control-allow-origin': { value: '*' },
        'access-control-allow-methods': { value: 'POST, OPTIONS' },
        // application/cmcd is not CORS-safelisted: without this the browser never sends the POST.
        'access-control-allow-headers': { value: 'content-type' },
        // Chromium caps this at 7200 s and Firefox at 86400 s; each keeps the answer that long.
        'access-control-max-age': { value: '86400' },
        'cache-control': { value: 'no-store' },
      },
    });
  });

  it.each(['GET', 'PUT', 'DELETE'])('answers %s on the CMCD path with 405', async (method) => {
    const out = (await fn.run(
      makeViewerRequestEvent({ method, uri: CMCD_PATH, headers: { origin: PLAYER_PAGE } }),
      FRA,
    )) as { statusCode: number; headers: Record<string, { value: string }> };
    expect(out.statusCode).toBe(405);
    expect(out.headers.allow).toStrictEqual({ value: 'POST, OPTIONS' });
    expect(out.headers['access-control-allow-origin']).toStrictEqual({ value: '*' });
  });

  it.each(['/v1/cmcd/', '/v1/CMCD', '/v1/cmcd/extra', '/cmcd'])(
    'answers 404 for %s',
    async (uri) => {
      const out = await fn.run(makeViewerRequestEvent({ method: 'POST', uri }), FRA);
      expect(out).toMatchObject({ statusCode: 404 });
    },
  );
});

describe('viewer-request function: the CMCD path (allow-list, own path)', () => {
  let fn: CloudFrontFunctionRuntime;
  beforeAll(async () => {
    ({ fn } = await load({ allowedOrigins: [PLAYER_PAGE], cmcdPath: '/c' }, 'allow-list'));
  });

  it('gates the configured CMCD path, not the default one', async () => {
    const out = await fn.run(preflightFrom(PLAYER_PAGE, '/c'), FRA);
    expect(out).toMatchObject({
      statusCode: 204,
      headers: {
        'access-control-allow-origin': { value: PLAYER_PAGE },
        'access-control-allow-headers': { value: 'content-type' },
        vary: { value: 'Origin' },
      },
    });
    expect(await fn.run(preflightFrom(PLAYER_PAGE, CMCD_PATH), FRA)).toMatchObject({
      statusCode: 404,
    });
  });

  it('refuses the preflight of an origin not on the list, and stamps its POST refused', async () => {
    expect(await fn.run(preflightFrom('https://evil.example', '/c'), FRA)).toMatchObject({
      statusCode: 403,
    });
    const event = makeViewerRequestEvent({
      method: 'POST',
      uri: '/c',
      headers: { origin: 'https://evil.example', 'content-type': 'application/cmcd' },
    });
    const out = (await fn.run(event, FRA)) as typeof event.request;
    // The origin-request handler refuses it 403 and keeps the body as a bad row.
    expect(out.headers[EDGE_HEADER].value).toMatch(/;o=0$/);
  });
});

describe('buildViewerRequest: the CMCD path', () => {
  it.each([
    [{ cmcdPath: 'v1/cmcd' }, 'must start with / and have no query'],
    [{ cmcdPath: '/v1/cmcd?player=x' }, 'must start with / and have no query'],
  ])('rejects the config %j', async (config, message) => {
    await expect(buildViewerRequest({ config, outfile: path.join(tmp, 'bad.js') })).rejects.toThrow(
      message,
    );
  });

  it('lists a CMCD path that is also an ingest path once', async () => {
    const { outfile } = await buildViewerRequest({
      config: { cmcdPath: '/v1/events' },
      outfile: path.join(tmp, 'same.js'),
    });
    expect(fs.readFileSync(outfile, 'utf8')).toContain('ingestPaths:["/v1/events"]');
  });
});
