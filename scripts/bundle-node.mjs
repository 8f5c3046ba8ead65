// Bundles one TypeScript entry into a single ES module for Node 20, npm packages left as imports:
// how the benchmarks (bench/run.mjs) and the fuzzer (fuzz/run.mjs) run their TypeScript.
import { build } from 'esbuild';

/**
 * @param {string} entry absolute path of the .ts entry
 * @param {string} outfile absolute path of the .mjs to write
 * @returns {Promise<string>} outfile
 */
export async function bundleNode(entry, outfile) {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}
