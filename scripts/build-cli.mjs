// Builds the `beacons` command (local/cli.ts and everything it imports) into dist/cli.mjs: one ES
// module for Node 20 (plus lazily loaded dist/cli-chunk-*.mjs files) with npm packages left as imports (kinesalite, DuckDB and the AWS SDK are
// loaded from node_modules at run time). bin/beacons.mjs is the shim that loads it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ensureValidators } from './build-validators.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles the CLI.
 * @param {{ outfile?: string }} [opts] a relative `outfile` (must end in .mjs) is resolved against the repository root.
 * @returns {Promise<{ outfile: string, bytes: number }>}
 */
export async function buildCli({ outfile = 'dist/cli.mjs' } = {}) {
  // The core pipeline and the simulator's tests import the generated validators.
  ensureValidators();
  const target = path.resolve(root, outfile);
  // The bundle must sit one folder below the repository root, like local/*.ts: paths to
  // dashboard/, scripts/ and node_modules are resolved from import.meta.url.
  if (path.dirname(path.dirname(target)) !== root)
    throw new Error(`buildCli: ${outfile} must be one folder below the repository root`);
  if (!target.endsWith('.mjs')) throw new Error(`buildCli: ${outfile} must end in .mjs`);
  const stem = path.basename(target, '.mjs');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const result = await esbuild.build({
    metafile: true,
    entryPoints: { [path.basename(target, '.mjs')]: path.join(root, 'local', 'cli.ts') },
    // Split so `beacons help` and `beacons simulate` never load DuckDB or the AWS SDK: the CLI
    // imports `dev` lazily, and its code lands in a chunk of its own. Chunks sit next to the
    // entry (same folder depth), since paths are resolved from import.meta.url.
    outdir: path.dirname(target),
    splitting: true,
    chunkNames: `${path.basename(target, '.mjs')}-[name]-[hash]`,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // Chunk names carry content hashes: drop the previous builds' so they do not pile up. Only
  // after this build wrote its own, so a CLI started meanwhile by another test file (which
  // builds the same bundle, to the same names) never finds its chunks gone.
  const written = new Set(Object.keys(result.metafile.outputs).map((f) => path.basename(f)));
  for (const f of fs.readdirSync(path.dirname(target), { withFileTypes: true })) {
    if (
      f.isFile() &&
      f.name.startsWith(`${stem}-`) &&
      /\.mjs(\.map)?$/.test(f.name) &&
      !written.has(f.name)
    )
      fs.rmSync(path.join(path.dirname(target), f.name), { force: true });
  }
  return { outfile: target, bytes: fs.statSync(target).size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { outfile, bytes } = await buildCli();
  console.log(`cli: ${path.relative(root, outfile)} ${(bytes / 1024).toFixed(1)} KiB`);
}
