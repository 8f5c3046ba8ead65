// The command cdk.json runs: bundles the TypeScript CDK app (infra/app.ts) for Node with esbuild
// and runs it, so `cdk synth` needs neither a global install nor a committed build. npm packages
// stay imports (resolved from node_modules, hence a temporary folder inside the repository), and
// so do the build scripts in scripts/, which find the repository from their own location.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Leaves `scripts/*.mjs` imports as absolute URLs to the real files instead of bundling them. */
const scriptsStayExternal = {
  name: 'scripts-stay-external',
  setup(b) {
    b.onResolve({ filter: /(^|\/)scripts\/[^/]+\.mjs$/ }, (args) => ({
      path: pathToFileURL(path.resolve(args.resolveDir, args.path)).href,
      external: true,
    }));
  },
};

const base = path.join(root, 'cdk.out');
fs.mkdirSync(base, { recursive: true });
const tmp = fs.mkdtempSync(path.join(base, '.app-'));
const outfile = path.join(tmp, 'app.mjs');
try {
  await build({
    entryPoints: [path.join(root, 'infra', 'app.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    plugins: [scriptsStayExternal],
    logLevel: 'warning',
  });
  await import(pathToFileURL(outfile).href);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
