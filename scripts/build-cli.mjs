// Builds the `beacons` command (local/cli.ts and everything it imports) into dist/cli.mjs: one ES
// module for Node 20 with npm packages left as imports (kinesalite, DuckDB and the AWS SDK are
// loaded from node_modules at run time). bin/beacons.mjs is the shim that loads it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { buildValidators } from './build-validators.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles the CLI.
 * @param {{ outfile?: string }} [opts] a relative `outfile` is resolved against the repository root.
 * @returns {Promise<{ outfile: string, bytes: number }>}
 */
export async function buildCli({ outfile = 'dist/cli.mjs' } = {}) {
  // The core pipeline and the simulator's tests import the generated validators.
  if (!fs.existsSync(path.join(root, 'schemas', 'generated', 'index.js'))) buildValidators();
  const target = path.resolve(root, outfile);
  // The bundle must sit one folder below the repository root, like local/*.ts: paths to
  // dashboard/, scripts/ and node_modules are resolved from import.meta.url.
  if (path.dirname(path.dirname(target)) !== root) throw new Error(`buildCli: ${outfile} must be one folder below the repository root`);
  await esbuild.build({
    entryPoints: [path.join(root, 'local', 'cli.ts')],
    outfile: target,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return { outfile: target, bytes: fs.statSync(target).size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { outfile, bytes } = await buildCli();
  console.log(`cli: ${path.relative(root, outfile)} ${(bytes / 1024).toFixed(1)} KiB`);
}
