/**
 * DNS rebinding against a stack without an API token (`beacons dev` in-process, loopback): the
 * dashboard, `/` and the API answer only when the `Host` header names a loopback host, so a page
 * on a domain re-pointed at 127.0.0.1 cannot read them; ingest and the demo page take any Host,
 * as a CDN origin does. Requests go over a raw socket so the Host header is exactly as written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevStack } from '../../local/dev.js';
import { PAGE_CSP } from '../../local/security-headers.js';
import { makeBatch } from '../helpers/batch-factory.js';
import { rawRequest } from '../helpers/raw-http.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-host-'));
let dev: DevStack | undefined;

beforeAll(async () => {
  dev = await startDev({ port: 0, dataDir: path.join(root, 'data') });
});

afterAll(async () => {
  await dev?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('beacons dev without an API token', () => {
  it.each([
    ['evil.example'],
    ['evil.example:PORT'],
    ['127.0.0.1.evil.example:PORT'],
    ['localhost.evil.example'],
    ['0.0.0.0:PORT'],
    ['localhost:abc'],
    [''],
  ])('answers the dashboard, / and the API 421 for Host %j', async (host) => {
    const Host = host.replace('PORT', String(dev!.port));
    for (const [method, p] of [
      ['GET', '/api/v1/health'],
      ['GET', '/api/v1/sessions'],
      ['GET', '/dashboard'],
      ['GET', '/dashboard/app.js'],
      ['GET', '/'],
      ['HEAD', '/api/v1/health'],
      ['GET', '/dashboard/../api/v1/health'],
    ] as const) {
      const res = await rawRequest(dev!.port, method, p, { Host });
      expect(res.status, `${method} ${p}`).toBe(421);
      if (method === 'GET')
        expect(JSON.parse(res.body).error, `${method} ${p}`).toBe('misdirected_request');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    const page = await rawRequest(dev!.port, 'GET', '/dashboard', { Host });
    expect(page.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('answers an HTTP/1.0 request without a Host header 421 too', async () => {
    // HTTP/1.1 without Host is refused by Node's parser itself; 1.0 may omit it.
    const res = await rawRequest(dev!.port, 'GET', '/api/v1/health', {}, '', '1.0');
    expect(res.status).toBe(421);
  });

  it.each([
    ['localhost:PORT'],
    ['LOCALHOST:PORT'],
    ['127.0.0.1:PORT'],
    ['127.0.0.1'],
    ['127.1.2.3:PORT'],
    ['[::1]:PORT'],
    ['localhost'],
  ])('serves them for the loopback Host %j', async (host) => {
    const Host = host.replace('PORT', String(dev!.port));
    const api = await rawRequest(dev!.port, 'GET', '/api/v1/health', { Host });
    expect(api.status).toBe(200);
    expect(JSON.parse(api.body).status).toBe('ok');
    expect((await rawRequest(dev!.port, 'GET', '/dashboard', { Host })).status).toBe(200);
    expect((await rawRequest(dev!.port, 'GET', '/', { Host })).status).toBe(200);
  });

  it('takes beacons and serves the demo page whatever the Host', async () => {
    const Host = 'evil.example';
    const ingest = await rawRequest(
      dev!.port,
      'POST',
      '/v1/events',
      { Host, 'Content-Type': 'text/plain' },
      JSON.stringify(makeBatch()),
    );
    expect(ingest.status).toBe(204);
    expect((await rawRequest(dev!.port, 'GET', '/demo/', { Host })).status).toBe(200);
    // Unknown paths still reach the emulator, whose 404 is its own.
    expect((await rawRequest(dev!.port, 'GET', '/nope', { Host })).status).toBe(404);
  });
});
