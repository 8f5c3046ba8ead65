/**
 * The API token on the whole local stack (`beacons dev` in-process, loopback, a token set): the
 * dashboard, `/` and the API answer 401 without it, take it as a bearer header or (pages only) as
 * `?token=` swapped for a cookie, while beacons and the demo page stay open. A non-loopback host
 * without a token is refused before anything starts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevStack } from '../../local/dev.js';
import { UsageError } from '../../local/errors.js';
import { API_CSP, DEMO_CSP, PAGE_CSP } from '../../local/security-headers.js';
import { makeBatch } from '../helpers/batch-factory.js';
import { rawRequest } from '../helpers/raw-http.js';

const TOKEN = 'e2e-token-0123456789abcdef-0123456789';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-auth-'));
let dev: DevStack | undefined;

function get(p: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${dev!.url}${p}`, { headers, redirect: 'manual' });
}

beforeAll(async () => {
  dev = await startDev({ port: 0, dataDir: path.join(root, 'data'), apiToken: TOKEN });
});

afterAll(async () => {
  await dev?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('beacons dev with an API token', () => {
  it('refuses to listen beyond loopback without a token, before it touches the data directory', async () => {
    const dataDir = path.join(root, 'never');
    const err = await startDev({ port: 0, host: '0.0.0.0', dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^--host 0\.0\.0\.0 would let other machines/);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('answers the API 401 without the token, also from loopback, and 200 with it as a bearer', async () => {
    const none = await get('/api/v1/health');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="beacons"');
    expect(await none.json()).toStrictEqual({
      error: 'unauthorized',
      detail: 'this stack needs its API token: send "Authorization: Bearer <token>"',
    });
    const wrong = await get('/api/v1/health', { authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { detail: string }).detail).toBe(
      'the API token does not match this stack',
    );
    const right = await get('/api/v1/health', { authorization: `bearer ${TOKEN}` });
    expect(right.status).toBe(200);
    expect(((await right.json()) as { status: string }).status).toBe('ok');
    // The API never takes the token from the URL, where logs and histories would keep it.
    expect((await get(`/api/v1/health?token=${TOKEN}`)).status).toBe(401);
  });

  it('gives a browser a page with a form, then a cookie for ?token= and a redirect without it', async () => {
    const page = await get('/dashboard');
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<form method="get" action="/dashboard">');
    expect(html).toContain('name="token" type="password"');
    expect(html).not.toMatch(/<script|<style|style=/);

    const wrong = await get('/dashboard?token=not-the-token-0000000');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That token does not match this stack.');

    const swap = await get(`/dashboard?range=1h&token=${TOKEN}`);
    expect(swap.status).toBe(303);
    expect(swap.headers.get('location')).toBe('/dashboard?range=1h');
    const setCookie = swap.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(
      new RegExp(`^beacons-token-${dev!.port}=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict$`),
    );
    // The cookie holds a derived value, never the token itself.
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0];
    expect((await get('/dashboard', { cookie })).status).toBe(200);
    expect((await get('/', { cookie })).status).toBe(200);
    expect((await get('/api/v1/health', { cookie: `other=1; ${cookie}` })).status).toBe(200);
    // Another port's cookie name, or a tampered value, is no proof.
    const [name, value] = cookie.split('=');
    expect((await get('/api/v1/health', { cookie: `beacons-token-1=${value}` })).status).toBe(401);
    expect((await get('/api/v1/health', { cookie: `${name}=${'0'.repeat(64)}` })).status).toBe(401);
  });

  it('keeps ingest and the demo page open, as a CDN origin', async () => {
    const res = await fetch(`${dev!.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(makeBatch()),
    });
    expect(res.status).toBe(204);
    expect((await get('/demo/')).status).toBe(200);
    expect((await get('/demo/vendor/hls.min.js')).status).toBe(200);
  });

  it('sends the security headers on pages, the API and the 401s, and leaves ingest answers alone', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const cases: [string, Record<string, string>, number, string][] = [
      ['/', auth, 200, PAGE_CSP],
      ['/dashboard', auth, 200, PAGE_CSP],
      ['/dashboard/app.js', auth, 200, PAGE_CSP],
      ['/dashboard', {}, 401, PAGE_CSP],
      ['/api/v1/health', auth, 200, API_CSP],
      ['/api/v1/health', {}, 401, API_CSP],
      ['/api/v1/nope', auth, 404, API_CSP],
      ['/demo/', {}, 200, DEMO_CSP],
      ['/demo/nope', {}, 404, DEMO_CSP],
    ];
    for (const [p, headers, status, csp] of cases) {
      const res = await get(p, { ...headers, origin: 'https://elsewhere.example' });
      expect(res.status, p).toBe(status);
      expect(res.headers.get('content-security-policy'), p).toBe(csp);
      expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), p).toBe('DENY');
      expect(res.headers.get('referrer-policy'), p).toBe('no-referrer');
      // No CORS at all: another site's script can never read the dashboard's data.
      expect(res.headers.get('access-control-allow-origin'), p).toBeNull();
      await res.arrayBuffer();
    }
    const ingest = await fetch(`${dev!.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{not json',
    });
    expect(ingest.status).toBe(400);
    expect(ingest.headers.get('content-security-policy')).toBeNull();
    expect(ingest.headers.get('x-frame-options')).toBeNull();
  });

  // Raw requests, so the targets reach the server exactly as written (fetch would normalise them).
  it.each([
    ['HEAD', '/api/v1/health', 401],
    ['OPTIONS', '/api/v1/health', 401],
    ['OPTIONS', '/dashboard', 401],
    ['DELETE', '/api/v1/sessions', 401],
    ['GET', '/dashboard/../api/v1/health', 401],
    ['GET', '/dashboard/%2E%2E/api/v1/health', 401],
    ['GET', '/dashboard/%2e%2e/api/v1/health', 401],
    ['GET', '/demo/../api/v1/health', 401],
    ['GET', '/v1/events/../../api/v1/health', 401],
    ['GET', '/api\\v1\\health', 401],
    ['GET', '/dashboard\\..\\api\\v1\\health', 401],
    ['GET', '//evil.example/api/v1/health', 401],
    ['GET', 'http://evil.example/api/v1/health', 401],
    ['GET', '/api/v1/health;x=1', 401],
    ['GET', '/api/v1/health?token=x', 401],
    ['GET', '/api/v1/%2E%2E/health', 404],
    ['GET', '/api%2Fv1/health', 404],
    ['GET', '/api/v1%2Fhealth', 404],
    ['GET', '/%61pi/v1/health', 404],
    ['GET', '/API/v1/health', 404],
    ['GET', '/\\api/v1/health', 404],
  ] as const)(
    'answers %s %s without the token %i, with nothing of the API in it',
    async (method, target, status) => {
      const res = await rawRequest(dev!.port, method, target, { Host: `localhost:${dev!.port}` });
      expect(res.status).toBe(status);
      expect(res.body).not.toMatch(/"status"\s*:|"sessions"|uptime|kinesis|duckdb/i);
      if (status === 401) expect(res.headers['www-authenticate']).toBe('Bearer realm="beacons"');
    },
  );

  it.each([
    ['a wrong bearer', { authorization: `Bearer ${TOKEN.toUpperCase()}` }],
    ['a bearer with more after it', { authorization: `Bearer ${TOKEN} x` }],
    ['the token as Basic credentials', { authorization: `Basic ${TOKEN}` }],
    ['the token without a scheme', { authorization: TOKEN }],
    ['the token itself as the cookie', { cookie: `beacons-token-PORT=${TOKEN}` }],
    ['an empty cookie', { cookie: 'beacons-token-PORT=' }],
    ['a cookie without a name', { cookie: `=${TOKEN}` }],
  ])('refuses %s', async (_what, headers) => {
    const port = String(dev!.port);
    const sent = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v.replace('PORT', port)]),
    );
    const res = await rawRequest(dev!.port, 'GET', '/api/v1/health', {
      Host: 'localhost',
      ...sent,
    });
    expect(res.status).toBe(401);
  });

  it('refuses a tampered cookie: every one-character change of the real one', async () => {
    const swap = await get(`/dashboard?token=${TOKEN}`);
    const [name, value] = (swap.headers.get('set-cookie') ?? '').split(';')[0]!.split('=') as [
      string,
      string,
    ];
    expect((await get('/api/v1/health', { cookie: `${name}=${value}` })).status).toBe(200);
    for (const at of [0, 31, value.length - 1]) {
      const flipped = value[at] === '0' ? '1' : '0';
      const cookie = `${name}=${value.slice(0, at)}${flipped}${value.slice(at + 1)}`;
      expect((await get('/api/v1/health', { cookie })).status, cookie).toBe(401);
    }
    expect((await get('/api/v1/health', { cookie: `${name}=${value.toUpperCase()}` })).status).toBe(
      401,
    );
    expect((await get('/api/v1/health', { cookie: `${name}=${value}0` })).status).toBe(401);
  });

  it('serves any Host name once the token is given (a stack reached as http://myhost:PORT)', async () => {
    for (const Host of ['myhost', `myhost:${dev!.port}`, `192.0.2.10:${dev!.port}`]) {
      const auth = { Host, authorization: `Bearer ${TOKEN}` };
      expect((await rawRequest(dev!.port, 'GET', '/api/v1/health', auth)).status, Host).toBe(200);
      expect((await rawRequest(dev!.port, 'GET', '/dashboard', auth)).status, Host).toBe(200);
      // Without it, the answer is the token's 401, not the tokenless stack's 421.
      expect((await rawRequest(dev!.port, 'GET', '/dashboard', { Host })).status, Host).toBe(401);
    }
  });
});
