/**
 * A loopback HTTP server for the CMCD test page, its player builds and the demo's CMAF media,
 * for the tests that must not route the page through Playwright: with request interception on,
 * Playwright answers CORS preflights itself, so a test of the real preflight a player's report
 * causes serves the page from here instead. Files are looked up in a fixed table.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PAGE_FILES } from './cmcd-page.js';

const MEDIA_DIR = path.resolve('demo/media/cmaf');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mpd': 'application/dash+xml',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
};

/** A running page server: its base URL and how to stop it. */
export interface PageServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the server on a free loopback port. */
export async function startPageServer(): Promise<PageServer> {
  const media = new Set(fs.readdirSync(MEDIA_DIR));
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const name = path.basename(pathname);
    let file: string | undefined;
    if (pathname === `/test-pages/${name}`) file = PAGE_FILES[name];
    else if (pathname === `/demo/media/cmaf/${name}` && media.has(name))
      file = path.join(MEDIA_DIR, name);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
