/**
 * The demo's HTTP handler and static build, without a browser: routes, content types, no way out
 * of the served folders, and the static build holding every file the page loads.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo, PAGE_FILES } from '../../demo/build.mjs';
import { DEMO_PAGE_FILES, demoFileFor, serveDemo } from '../../demo/serve.js';
import { REPO_ROOT } from '../../local/config.js';

let server: http.Server;
let base: { host: string; port: number };

/** Raw GET (no URL normalisation, so `..` reaches the handler as sent). */
function get(
  pathname: string,
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...base, path: pathname, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (!serveDemo(req, res, { repoRoot: REPO_ROOT })) res.writeHead(418).end('not the demo');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('serveDemo without a build', () => {
  it('answers 503 not_built for the page script and the SDK, naming npm run build', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-unbuilt-'));
    const unbuilt = http.createServer((req, res) => {
      if (!serveDemo(req, res, { repoRoot: root })) res.writeHead(418).end();
    });
    await new Promise<void>((r) => unbuilt.listen(0, '127.0.0.1', r));
    const at = { host: '127.0.0.1', port: (unbuilt.address() as AddressInfo).port };
    const answer = (p: string) =>
      new Promise<{ status: number; body: unknown }>((resolve, reject) => {
        http
          .get({ ...at, path: p }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body: JSON.parse(Buffer.concat(chunks).toString()),
              }),
            );
          })
          .on('error', reject);
      });
    try {
      for (const rel of ['demo.js', 'demo.js.map', 'vendor/beacon-edge.iife.js']) {
        expect(await answer(`/demo/${rel}`)).toStrictEqual({
          status: 503,
          body: {
            error: 'not_built',
            detail: `/demo/${rel} is missing: run \`npm run build\` (or \`npm install\`) first`,
          },
        });
      }
      expect(await answer('/demo/demo.css')).toMatchObject({
        status: 404,
        body: { error: 'not_found' },
      });
    } finally {
      await new Promise<void>((r) => unbuilt.close(() => r()));
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('demoFileFor', () => {
  it.each([
    ['index.html', 'demo/index.html'],
    ['theme.css', 'dashboard/theme.css'],
    ['vendor/hls.min.js', 'node_modules/hls.js/dist/hls.min.js'],
    ['media/cmaf/master.m3u8', 'demo/media/cmaf/master.m3u8'],
    ['media/cmaf/manifest.mpd', 'demo/media/cmaf/manifest.mpd'],
    ['media/cmaf/init-2.mp4', 'demo/media/cmaf/init-2.mp4'],
    ['media/cmaf/seg-2-08.m4s', 'demo/media/cmaf/seg-2-08.m4s'],
  ])('maps %s to %s', (rel, file) => {
    expect(demoFileFor(rel, '/repo')).toBe(path.join('/repo', file));
  });

  it.each([
    '../package.json',
    'media/cmaf/../../serve.ts',
    'media/cmaf/../../../package.json',
    'media/cmaf/%2e%2e/serve.ts',
    'media/cmaf/a/seg-0-01.m4s',
    'media/cmaf/.hidden.m4s',
    'media/cmaf/seg-0-01.m4s.map',
    'media/cmaf/seg-0-01.ts',
    'media/make-stream.sh',
    'vendor/../serve.ts',
    'serve.ts',
    'toString',
    '',
  ])('refuses %j', (rel) => {
    expect(demoFileFor(rel, '/repo')).toBeNull();
  });
});

describe('serveDemo over HTTP', () => {
  it('redirects /demo to /demo/ and keeps the query', async () => {
    const res = await get('/demo?session=abcdefgh1&maxBuffer=2');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/demo/?session=abcdefgh1&maxBuffer=2');
  });

  it.each([
    ['/demo/', 'text/html; charset=utf-8'],
    ['/demo/demo.js', 'text/javascript; charset=utf-8'],
    ['/demo/demo.css', 'text/css; charset=utf-8'],
    ['/demo/vendor/hls.min.js', 'text/javascript; charset=utf-8'],
    ['/demo/media/cmaf/master.m3u8', 'application/vnd.apple.mpegurl'],
    ['/demo/media/cmaf/media_0.m3u8', 'application/vnd.apple.mpegurl'],
    ['/demo/media/cmaf/manifest.mpd', 'application/dash+xml'],
    ['/demo/media/cmaf/init-0.mp4', 'video/mp4'],
    ['/demo/media/cmaf/seg-0-01.m4s', 'video/iso.segment'],
    ['/demo/media/cmaf/seg-3-01.m4s', 'video/iso.segment'],
  ])('serves %s as %s', async (p, type) => {
    const res = await get(p);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.length).toBeGreaterThan(0);
  });

  it('answers HEAD without a body', async () => {
    const res = await get('/demo/media/cmaf/master.m3u8', 'HEAD');
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
  });

  it.each([
    '/demo/media/cmaf/../../serve.ts',
    '/demo/media/cmaf/..%2f..%2fserve.ts',
    '/demo/media/cmaf/%2e%2e/%2e%2e/serve.ts',
    '/demo/nope.html',
    '/demo/media/cmaf/seg-0-99.m4s',
    '/demo/serve.ts',
  ])('answers 404 for %s', async (p) => {
    const res = await get(p);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body.toString())).toMatchObject({ error: 'not_found' });
  });

  it('answers 405 for other methods', async () => {
    const res = await get('/demo/', 'POST');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(res.body.toString())).toStrictEqual({
      error: 'method_not_allowed',
      detail: 'POST is not allowed here; use GET',
    });
  });

  it('leaves other paths alone (dot segments are resolved first: /demo/../x is /x)', async () => {
    for (const p of [
      '/',
      '/demonstration',
      '/dashboard',
      '/v1/events',
      '/demo/media/cmaf/../../../package.json',
    ])
      expect((await get(p)).status).toBe(418);
  });
});

describe('buildDemo', () => {
  let outDir: string;
  beforeAll(async () => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-demo-build-'));
    await buildDemo({ outDir });
  });
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('ships the files the local handler serves (less hls.js source map)', () => {
    const served = Object.fromEntries(
      Object.entries(DEMO_PAGE_FILES).map(([k, v]) => [k, v.split(path.sep).join('/')]),
    );
    delete served['vendor/hls.min.js.map'];
    expect(PAGE_FILES).toStrictEqual(served);
  });

  it('holds every script, style and media file the page loads', () => {
    const html = fs.readFileSync(path.join(outDir, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="([^"#:]+)"/g)]
      .map((m) => m[1])
      .filter((r) => !r.startsWith('/'));
    expect(refs).toStrictEqual([
      'theme.css',
      'demo.css',
      'vendor/hls.min.js',
      'vendor/beacon-edge.iife.js',
      'demo.js',
    ]);
    for (const r of refs) expect(fs.existsSync(path.join(outDir, r)), r).toBe(true);
    // Every HLS playlist and the DASH manifest name only files the build shipped.
    const media = path.join(outDir, 'media/cmaf');
    const master = fs.readFileSync(path.join(media, 'master.m3u8'), 'utf8');
    const playlists = [...master.matchAll(/^([^#\s].*\.m3u8)$|URI="([^"]+\.m3u8)"/gm)].map(
      (m) => m[1] ?? m[2],
    );
    expect(playlists.sort()).toStrictEqual([
      'media_0.m3u8',
      'media_1.m3u8',
      'media_2.m3u8',
      'media_3.m3u8',
    ]);
    for (const playlist of playlists) {
      const text = fs.readFileSync(path.join(media, playlist), 'utf8');
      const segments = text.split('\n').filter((l) => l.endsWith('.m4s'));
      expect(segments).toHaveLength(8);
      const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(text)?.[1];
      for (const f of [init ?? 'no EXT-X-MAP', ...segments])
        expect(fs.existsSync(path.join(media, f)), f).toBe(true);
    }
    const mpd = fs.readFileSync(path.join(media, 'manifest.mpd'), 'utf8');
    const reps = [...mpd.matchAll(/<Representation id="(\d+)"[\s\S]*?<\/Representation>/g)];
    expect(reps.map((r) => r[1])).toStrictEqual(['0', '1', '2', '3']);
    for (const [rep, id] of reps) {
      const init = /initialization="([^"]+)"/.exec(rep)?.[1] ?? '';
      const template = /media="([^"]+)"/.exec(rep)?.[1] ?? '';
      // Each <S> of the SegmentTimeline is one segment plus `r` repeats.
      const count = [...rep.matchAll(/<S\b([^>]*)\/>/g)].reduce(
        (n, m) => n + 1 + Number(/\br="(\d+)"/.exec(m[1])?.[1] ?? 0),
        0,
      );
      expect(count, `segments of representation ${id}`).toBe(8);
      const files = [init.replace('$RepresentationID$', id)];
      for (let n = 1; n <= count; n++)
        files.push(
          template
            .replace('$RepresentationID$', id)
            .replace('$Number%02d$', String(n).padStart(2, '0')),
        );
      for (const f of files) expect(fs.existsSync(path.join(media, f)), f).toBe(true);
    }
  });
});
