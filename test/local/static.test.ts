import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../local/config.js';
import { dashboardFiles, sendFile } from '../../local/static.js';

/**
 * The dashboard's file table and sendFile over a real node:http server: sources from
 * dashboard/, the page script from the build directory, and what a missing file answers.
 */
describe('local/static', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-static-'));
  const builtDir = path.join(tmp, 'dist-dashboard');
  const files = dashboardFiles(path.join(REPO_ROOT, 'dashboard'), builtDir);
  // The same table over a dashboard directory without files.
  const noSources = dashboardFiles(path.join(tmp, 'no-dashboard'), builtDir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const file = url.pathname.startsWith('/no-sources/')
      ? noSources.get(url.pathname.replace('/no-sources/', '/dashboard/'))
      : files.get(url.pathname);
    if (file) void sendFile(res, file, req.method ?? 'GET');
    else res.writeHead(418).end();
  });
  let base = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('maps the page script and its source map to the build directory, the rest to sources', () => {
    expect(files.get('/dashboard/app.js')).toStrictEqual({
      path: path.join(builtDir, 'app.js'),
      built: true,
    });
    expect(files.get('/dashboard/app.js.map')).toStrictEqual({
      path: path.join(builtDir, 'app.js.map'),
      built: true,
    });
    expect(files.get('/dashboard')).toStrictEqual({
      path: path.join(REPO_ROOT, 'dashboard', 'index.html'),
      built: false,
    });
  });

  it('answers 503 naming the build command while the page script is not built', async () => {
    const res = await fetch(`${base}/dashboard/app.js`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toStrictEqual({
      error: 'not_built',
      detail: `${path.relative(REPO_ROOT, path.join(builtDir, 'app.js'))} is missing. Run "npm run build" (or "npm install") first.`,
    });
  });

  it('serves the built page script and its source map with their content types', async () => {
    fs.mkdirSync(builtDir, { recursive: true });
    fs.writeFileSync(path.join(builtDir, 'app.js'), '"use strict";\n');
    fs.writeFileSync(path.join(builtDir, 'app.js.map'), '{"version":3}');
    const js = await fetch(`${base}/dashboard/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('"use strict";\n');
    const map = await fetch(`${base}/dashboard/app.js.map`);
    expect(map.status).toBe(200);
    expect(map.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await map.json()).toStrictEqual({ version: 3 });
  });

  it('answers 404 when a source file is missing', async () => {
    const res = await fetch(`${base}/no-sources/styles.css`);
    expect(res.status).toBe(404);
    expect(await res.json()).toStrictEqual({
      error: 'not_found',
      detail: 'styles.css is missing from this installation',
    });
  });
});
