// Builds the dashboard's page script: dashboard/app.ts and the modules it imports, bundled by
// esbuild into one classic script, dist/dashboard/app.js (plus its source map), which
// local/static.ts serves as /dashboard/app.js. Only type imports reach outside dashboard/, so
// the bundle holds the page's own code; uPlot stays the global of its vendor script.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The same browsers as the player SDK (TARGET in scripts/build-player.mjs). */
const TARGET = ['es2020'];

/**
 * Bundles the page script.
 * @param {{ outDir?: string }} [options] outDir defaults to dist/dashboard.
 * @returns {Promise<{ outfile: string, bytes: number }>}
 */
export async function buildDashboard({ outDir = path.join(root, 'dist', 'dashboard') } = {}) {
  fs.rmSync(outDir, { recursive: true, force: true });
  const outfile = path.join(outDir, 'app.js');
  await esbuild.build({
    entryPoints: [path.join(root, 'dashboard', 'app.ts')],
    outfile,
    bundle: true,
    platform: 'browser',
    target: TARGET,
    format: 'iife',
    // Unminified: a few kB served from localhost, readable in the browser's devtools as is.
    minify: false,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return { outfile, bytes: fs.statSync(outfile).size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { outfile, bytes } = await buildDashboard();
  console.log(`dashboard: ${path.relative(root, outfile)} ${(bytes / 1024).toFixed(1)} KiB`);
}
