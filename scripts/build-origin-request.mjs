// Builds the origin-request Lambda@Edge bundle: one minified ESM file with the EdgeConfig compiled
// in (Lambda@Edge has no environment variables). It holds no AWS SDK: the edge calls Kinesis and
// Firehose with its own JSON client (edge/writers/aws-json-client.ts), which keeps the cold start
// small; test/scripts/build-origin-request.test.ts checks that. The local stack builds a second
// bundle from the same source with a local config (kinesalite endpoints, bad rows on Kinesis).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ensureValidators } from './build-validators.mjs';
import { LAMBDA_BUNDLE_OPTIONS } from './bundle-node.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The deployment default, read from edge/config.ts itself (bundled on the fly, since a .mjs
 * cannot import TypeScript), so its values are written down in one place only.
 */
async function loadDefaultConfig() {
  const out = await esbuild.build({
    stdin: {
      contents: "export { DEFAULT_CONFIG } from './edge/config.ts';",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0].text;
  const mod = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  return mod.DEFAULT_CONFIG;
}

/**
 * Bundles edge/origin-request/handler.ts to `outfile` with `config` compiled in.
 * @param {{ config?: import('../edge/config.ts').EdgeConfig, outfile?: string }} [opts]
 * @returns {Promise<{ outfile: string, bytes: number }>}
 */
export async function buildOriginRequest({
  config,
  outfile = 'dist/edge/origin-request.mjs',
} = {}) {
  // The handler imports the generated validators; build them if this step runs on its own.
  ensureValidators();
  const edgeConfig = config ?? (await loadDefaultConfig());
  const target = path.resolve(root, outfile);
  await esbuild.build({
    entryPoints: [path.join(root, 'edge', 'origin-request', 'handler.ts')],
    outfile: target,
    ...LAMBDA_BUNDLE_OPTIONS,
    define: { __BEACON_EDGE_CONFIG__: JSON.stringify(edgeConfig) },
  });
  return { outfile: target, bytes: fs.statSync(target).size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { outfile, bytes } = await buildOriginRequest();
  console.log(`origin-request: ${path.relative(root, outfile)} ${(bytes / 1024).toFixed(1)} KiB`);
}
