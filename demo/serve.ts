/**
 * Serves the demo player page under `/demo` for the local stack: the page's own files (its script
 * as `demo/build.mjs` built it into dist/demo/), the two scripts it needs (the SDK's IIFE build and
 * hls.js, both from this installation) and the committed CMAF test stream (HLS playlists and a
 * DASH manifest over the same fMP4 segments). Page files come from fixed tables and media names
 * must match a strict pattern (one folder, no dots but the extension's), so no request can reach a
 * file outside those folders.
 *
 * The same file list drives the static build (`demo/build.mjs`), so what `/demo/` serves locally
 * is what a deployment gets.
 */
import fs from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

/** Options of {@link serveDemo}. */
interface DemoServeOptions {
  /** Repository root (holds demo/, dist/player/, dist/demo/ and node_modules/). */
  repoRoot: string;
}

/** Content types of everything the demo serves. */
const DEMO_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mpd': 'application/dash+xml',
  // Initialization segments are complete (if empty) MP4 files; media segments are not.
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
};

/** Where the demo's media lives on disk, relative to the repository root. */
const DEMO_MEDIA_DIR = path.join('demo', 'media', 'cmaf');

/**
 * Page files served from their source: path below `/demo/` → file relative to the repository
 * root. `vendor/` holds the built SDK (scripts/build-player.mjs) and hls.js from node_modules.
 */
export const DEMO_PAGE_FILES: Readonly<Record<string, string>> = {
  'index.html': path.join('demo', 'index.html'),
  'demo.css': path.join('demo', 'demo.css'),
  // The look every beacon-edge page shares; the dashboard owns it.
  'theme.css': path.join('dashboard', 'theme.css'),
  'vendor/beacon-edge.iife.js': path.join('dist', 'player', 'beacon-edge.iife.js'),
  'vendor/beacon-edge.iife.js.map': path.join('dist', 'player', 'beacon-edge.iife.js.map'),
  'vendor/hls.min.js': path.join('node_modules', 'hls.js', 'dist', 'hls.min.js'),
  'vendor/hls.min.js.map': path.join('node_modules', 'hls.js', 'dist', 'hls.min.js.map'),
};

/**
 * The page script and its source map, served from the static build (demo/build.mjs bundles the
 * page script into dist/demo/): path below `/demo/` → file relative to the repository root.
 */
const DEMO_SCRIPT_FILES: Readonly<Record<string, string>> = {
  'demo.js': path.join('dist', 'demo', 'demo.js'),
  'demo.js.map': path.join('dist', 'demo', 'demo.js.map'),
};

/** `media/cmaf/<name>.{m3u8,mpd,mp4,m4s}`: one folder, names without dots. */
const MEDIA_PATH = /^media\/cmaf\/([A-Za-z0-9_-]{1,64}\.(?:m3u8|mpd|mp4|m4s))$/;

/** The table's own entry for `rel` (never an inherited property such as `toString`). */
function tableEntry(table: Readonly<Record<string, string>>, rel: string): string | undefined {
  return Object.hasOwn(table, rel) ? table[rel] : undefined;
}

/**
 * Maps a path below `/demo/` to a file on disk, or null when the demo has no such file. Pure: it
 * never touches the disk, so it can be tested for traversal attempts directly.
 * @example demoFileFor('media/cmaf/seg-0-01.m4s', '/repo') // '/repo/demo/media/cmaf/seg-0-01.m4s'
 */
export function demoFileFor(rel: string, repoRoot: string): string | null {
  const page = tableEntry(DEMO_PAGE_FILES, rel) ?? tableEntry(DEMO_SCRIPT_FILES, rel);
  if (page) return path.join(repoRoot, page);
  const m = MEDIA_PATH.exec(rel);
  if (!m) return null;
  const base = path.join(repoRoot, DEMO_MEDIA_DIR);
  const file = path.join(base, m[1]);
  // Belt and braces: the pattern already rules out `..`, but never serve outside the media folder.
  return file.startsWith(base + path.sep) ? file : null;
}

function sendError(
  res: ServerResponse,
  status: number,
  error: string,
  detail: string,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify({ error, detail });
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

async function sendDemoFile(
  res: ServerResponse,
  file: string,
  rel: string,
  method: string,
): Promise<void> {
  let body: Buffer;
  try {
    body = await fs.readFile(file);
  } catch {
    // A build output that is missing is a broken installation (503, as the dashboard answers),
    // not a wrong URL.
    if (rel.startsWith('vendor/beacon-edge') || tableEntry(DEMO_SCRIPT_FILES, rel))
      return sendError(
        res,
        503,
        'not_built',
        `/demo/${rel} is missing: run \`npm run build\` (or \`npm install\`) first`,
      );
    return sendError(res, 404, 'not_found', `/demo/${rel} is missing from this installation`);
  }
  res.writeHead(200, {
    'Content-Type': DEMO_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    // Read on every request, so edits show on reload while `beacons dev` runs.
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(method === 'HEAD' ? undefined : body);
}

/**
 * Handles `/demo`, `/demo/**` (page, vendor scripts, media). Returns true when the request was
 * for the demo (it is then answered, also with a 404/405), false to let other routes have it.
 * `/demo` redirects to `/demo/` so the page's relative URLs resolve below it. Never throws: a
 * failure while answering becomes a 500 or a closed connection.
 * @example if (serveDemo(req, res, { repoRoot: REPO_ROOT })) return;
 */
export function serveDemo(
  req: IncomingMessage,
  res: ServerResponse,
  opts: DemoServeOptions,
): boolean {
  const url = new URL(req.url ?? '/', 'http://local');
  const p = url.pathname;
  if (p !== '/demo' && !p.startsWith('/demo/')) return false;
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    sendError(res, 405, 'method_not_allowed', `${method} is not allowed here; use GET`, {
      Allow: 'GET, HEAD',
    });
    return true;
  }
  if (p === '/demo') {
    res.writeHead(301, { Location: `/demo/${url.search}`, 'Content-Length': 0 });
    res.end();
    return true;
  }
  const rel = p === '/demo/' ? 'index.html' : p.slice('/demo/'.length);
  const file = demoFileFor(rel, opts.repoRoot);
  if (!file) {
    sendError(res, 404, 'not_found', `no demo file ${p}`);
    return true;
  }
  sendDemoFile(res, file, rel, method).catch(() => {
    if (!res.headersSent) sendError(res, 500, 'internal_error', 'the demo file could not be sent');
    else res.destroy();
  });
  return true;
}
