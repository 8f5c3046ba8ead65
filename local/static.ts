/**
 * Serves the dashboard's static files and the uPlot build from node_modules. Files are looked up
 * in a fixed table (never by joining a request path onto the disk), so no request can read
 * anything else.
 */
import fs from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { REPO_ROOT } from './config.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Directory of the installed uPlot build. */
function uplotDist(): string {
  const require = createRequire(path.join(REPO_ROOT, 'package.json'));
  return path.join(path.dirname(require.resolve('uplot/package.json')), 'dist');
}

/** URL path → file on disk for everything under /dashboard. */
export function dashboardFiles(
  dashboardDir = path.join(REPO_ROOT, 'dashboard'),
): Map<string, string> {
  const uplot = uplotDist();
  return new Map([
    ['/dashboard', path.join(dashboardDir, 'index.html')],
    ['/dashboard/', path.join(dashboardDir, 'index.html')],
    ['/dashboard/index.html', path.join(dashboardDir, 'index.html')],
    ['/dashboard/app.js', path.join(dashboardDir, 'app.js')],
    ['/dashboard/styles.css', path.join(dashboardDir, 'styles.css')],
    ['/dashboard/vendor/uPlot.iife.min.js', path.join(uplot, 'uPlot.iife.min.js')],
    ['/dashboard/vendor/uPlot.min.css', path.join(uplot, 'uPlot.min.css')],
  ]);
}

/**
 * Sends `file` with its content type. Read on every request (no cache) so edits to the dashboard
 * show on reload while `beacons dev` runs. Answers 404 if the file is gone.
 */
export async function sendFile(res: ServerResponse, file: string, method: string): Promise<void> {
  let body: Buffer;
  try {
    body = await fs.readFile(file);
  } catch {
    sendJson(res, 404, {
      error: 'not_found',
      detail: `${path.basename(file)} is missing from this installation`,
    });
    return;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(method === 'HEAD' ? undefined : body);
}

/** Sends a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}
