// Builds the demo player page as static files for any deployment: dist/demo/ holds index.html,
// demo.js (the page script, bundled by esbuild), demo.css, vendor/ (the SDK's IIFE build and
// hls.js) and media/cmaf/ (the test stream), the same files `beacons dev` serves under /demo/
// (demo/serve.ts, which serves the page script from dist/demo/ too). Host the folder anywhere
// below the CDN that serves the ingest path; the page sends to /v1/events unless ?endpoint= says
// otherwise. Needs the SDK built first (scripts/build-player.mjs); builds it when missing.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Page files copied as they are: output path → source, relative to the repository root. The same
 * entries as DEMO_PAGE_FILES in serve.ts (a test holds them equal), less hls.js's source map
 * (large, and only useful for debugging hls.js itself). The page script is built, not copied.
 */
export const PAGE_FILES = {
  'index.html': 'demo/index.html',
  'demo.css': 'demo/demo.css',
  'theme.css': 'dashboard/theme.css',
  'vendor/beacon-edge.iife.js': 'dist/player/beacon-edge.iife.js',
  'vendor/beacon-edge.iife.js.map': 'dist/player/beacon-edge.iife.js.map',
  'vendor/hls.min.js': 'node_modules/hls.js/dist/hls.min.js',
};

/** Source of the page script, relative to the repository root; built to `demo.js` in outDir. */
const PAGE_SCRIPT = 'demo/demo.ts';

/** Browsers from 2020 on, as the SDK (scripts/build-player.mjs). */
const TARGET = ['es2020'];

/**
 * Bundles the page script into one classic script (IIFE) with its source map. It imports only
 * types, so the bundle holds the page's own code: the SDK and hls.js come from their own script
 * tags, as `window.BeaconEdge` and `window.Hls`.
 * @returns {Promise<number>} the number of files written
 */
async function buildPageScript(repoRoot, outDir) {
  const { metafile } = await esbuild.build({
    entryPoints: [path.join(repoRoot, PAGE_SCRIPT)],
    outfile: path.join(outDir, 'demo.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: TARGET,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
  });
  return Object.keys(metafile.outputs).length;
}

/** Media files worth shipping (manifests and segments; the generator script stays behind). */
const MEDIA = /\.(m3u8|mpd|mp4|m4s)$/;

function copyMedia(from, to) {
  fs.mkdirSync(to, { recursive: true });
  let n = 0;
  for (const name of fs.readdirSync(from)) {
    if (!MEDIA.test(name)) continue;
    fs.copyFileSync(path.join(from, name), path.join(to, name));
    n++;
  }
  return n;
}

/**
 * Writes the static demo.
 * @param {{ outDir?: string, repoRoot?: string }} [options] outDir defaults to dist/demo.
 * @returns {Promise<{ outDir: string, files: number, bytes: number }>}
 */
export async function buildDemo({
  outDir = path.join(root, 'dist', 'demo'),
  repoRoot = root,
} = {}) {
  if (!fs.existsSync(path.join(repoRoot, PAGE_FILES['vendor/beacon-edge.iife.js']))) {
    const { buildPlayer } = await import(path.join(repoRoot, 'scripts', 'build-player.mjs'));
    await buildPlayer({ types: false });
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  let files = 0;
  for (const [out, src] of Object.entries(PAGE_FILES)) {
    const from = path.join(repoRoot, src);
    if (!fs.existsSync(from)) {
      if (out.endsWith('.map')) continue; // source maps are a convenience
      throw new Error(`demo build: ${src} is missing`);
    }
    fs.mkdirSync(path.dirname(path.join(outDir, out)), { recursive: true });
    fs.copyFileSync(from, path.join(outDir, out));
    files++;
  }
  files += await buildPageScript(repoRoot, outDir);
  files += copyMedia(
    path.join(repoRoot, 'demo', 'media', 'cmaf'),
    path.join(outDir, 'media', 'cmaf'),
  );
  let bytes = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else bytes += fs.statSync(p).size;
    }
  };
  walk(outDir);
  return { outDir, files, bytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildDemo()
    .then((r) =>
      console.log(
        `demo   ${r.files} files, ${(r.bytes / 1024).toFixed(0)} KiB → ${path.relative(process.cwd(), r.outDir) || '.'}`,
      ),
    )
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
