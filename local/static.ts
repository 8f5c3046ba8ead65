/**
 * Serves the dashboard: its static files, the page script built into dist/dashboard/ by
 * `npm run build` (scripts/build-dashboard.mjs), and the uPlot build from node_modules. Files are
 * looked up in a fixed table (never by joining a request path onto the disk), so no request can
 * read anything else.
 */
import fs from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { REPO_ROOT } from './config.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** A file in the table: where it is on disk, and whether `npm run build` makes it. */
interface DashboardFile {
  path: string;
  built: boolean;
}

/** Directory of the installed uPlot build. */
function uplotDist(): string {
  const require = createRequire(path.join(REPO_ROOT, 'package.json'));
  return path.join(path.dirname(require.resolve('uplot/package.json')), 'dist');
}

/** URL path → file for everything under /dashboard. */
export function dashboardFiles(
  dashboardDir = path.join(REPO_ROOT, 'dashboard'),
  builtDir = path.join(REPO_ROOT, 'dist', 'dashboard'),
): Map<string, DashboardFile> {
  const uplot = uplotDist();
  const source = (file: string) => ({ path: file, built: false });
  const built = (file: string) => ({ path: path.join(builtDir, file), built: true });
  const index = source(path.join(dashboardDir, 'index.html'));
  return new Map([
    ['/dashboard', index],
    ['/dashboard/', index],
    ['/dashboard/index.html', index],
    ['/dashboard/app.js', built('app.js')],
    ['/dashboard/app.js.map', built('app.js.map')],
    ['/dashboard/theme.css', source(path.join(dashboardDir, 'theme.css'))],
    ['/dashboard/styles.css', source(path.join(dashboardDir, 'styles.css'))],
    ['/dashboard/vendor/uPlot.iife.min.js', source(path.join(uplot, 'uPlot.iife.min.js'))],
    ['/dashboard/vendor/uPlot.min.css', source(path.join(uplot, 'uPlot.min.css'))],
  ]);
}

/**
 * Sends `file` with its content type. Read on every request (no cache) so edits to the dashboard
 * show on reload while `beacons dev` runs (after a rebuild, for the page script). Answers 503
 * naming the build command when a built file is missing, 404 when any other file is gone.
 */
export async function sendFile(
  res: ServerResponse,
  file: DashboardFile,
  method: string,
): Promise<void> {
  let body: Buffer;
  try {
    body = await fs.readFile(file.path);
  } catch {
    if (file.built)
      sendJson(res, 503, {
        error: 'not_built',
        detail: `${path.relative(REPO_ROOT, file.path)} is missing. Run "npm run build" (or "npm install") first.`,
      });
    else
      sendJson(res, 404, {
        error: 'not_found',
        detail: `${path.basename(file.path)} is missing from this installation`,
      });
    return;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file.path)] ?? 'application/octet-stream',
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
