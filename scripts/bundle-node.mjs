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

/**
 * esbuild options every Lambda bundle shares (the origin-request handler, the consumer): one
 * minified ES module for Node 20 with its dependencies inside. ES module builds of dependencies are
 * preferred; one that is CommonJS only needs a real `require` for Node built-ins inside an ES
 * module, which the banner provides.
 */
export const LAMBDA_BUNDLE_OPTIONS = Object.freeze({
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  banner: {
    js: "import { createRequire as __beaconCreateRequire } from 'node:module'; const require = __beaconCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
