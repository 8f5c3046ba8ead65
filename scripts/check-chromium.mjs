// `node scripts/check-chromium.mjs`: fails (exit 1) unless Chromium runs from the very path the
// browser tests and the sdk-cost benchmark launch. CI calls it after installing Chromium, so a
// browser installed somewhere else (on PATH, but not where the tests look) fails CI at once
// instead of letting the browser tests skip. The path is read from bench/chromium.ts itself,
// bundled here with esbuild as bench/run.mjs bundles the benchmarks, so it cannot drift.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** CHROMIUM_PATH as bench/chromium.ts computes it in this environment. */
export async function chromiumPath() {
  const out = await build({
    entryPoints: [path.join(root, 'bench', 'chromium.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
  });
  const source = out.outputFiles[0].text;
  const mod = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
  return mod.CHROMIUM_PATH;
}

/**
 * Whether Chromium at `file` exists, is executable and answers `--version`.
 * @returns `{ ok: true, version }` or `{ ok: false, reason }`.
 */
function checkChromium(file) {
  if (!fs.existsSync(file)) return { ok: false, reason: `no Chromium at ${file}` };
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    return { ok: false, reason: `${file} is not executable` };
  }
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0)
    return {
      ok: false,
      reason: `${file} --version failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr.trim()}`,
    };
  return { ok: true, version: r.stdout.trim() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = await chromiumPath();
  const result = checkChromium(file);
  if (result.ok) {
    console.log(`Chromium for the browser tests: ${file} (${result.version})`);
  } else {
    console.error(
      `Chromium check failed: ${result.reason}. The browser tests launch ${file} (bench/chromium.ts; CHROMIUM_PATH overrides it): apt-get install -y chromium`,
    );
    process.exit(1);
  }
}
