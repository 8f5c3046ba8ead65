// Builds the viewer-request CloudFront Function (edge/viewer-request/function.js) into one
// minified file with its configuration compiled in: CloudFront Functions read no environment
// variables and no files. Fails when the result would not fit CloudFront's 10 KB function limit.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'edge', 'viewer-request', 'function.js');

/** CloudFront's maximum function size (code as uploaded). */
export const MAX_FUNCTION_BYTES = 10240;

// The one import the runtime offers; esbuild would rename `handler` in a module, so the build
// minifies the code as a script (top-level names kept) and puts the import back in front.
const CLOUDFRONT_IMPORT = /^import cf from 'cloudfront';$/m;

// cloudfront-js-2.0 documents ES 5.1 plus these; anything else fails the build instead of failing
// at the edge (esbuild refuses to emit e.g. destructuring or for-of for this target).
const RUNTIME_FEATURES = {
  'const-and-let': true,
  arrow: true,
  'template-literal': true,
  'rest-argument': true,
  'exponent-operator': true,
  'async-await': true,
};

/**
 * DEFAULT_CONFIG and EDGE_HEADER from edge/config.ts (the one place for defaults) and the
 * KeyValueStore key names from edge/kvs.ts. This .mjs cannot import TypeScript, so esbuild
 * compiles those modules in memory first.
 */
async function loadEdgeDefaults() {
  const out = await esbuild.build({
    stdin: {
      contents:
        "export { DEFAULT_CONFIG, EDGE_HEADER } from './edge/config.ts';\n" +
        "export { KVS_KEYS, checkedRollout } from './edge/kvs.ts';\n" +
        "export { ROLLOUT_HEADERS } from './edge/rollout.ts';\n",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  const url = `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`;
  const mod = await import(url);
  return {
    config: mod.DEFAULT_CONFIG,
    edgeHeader: mod.EDGE_HEADER,
    kvsKeys: mod.KVS_KEYS,
    rolloutHeaders: mod.ROLLOUT_HEADERS,
    checkedRollout: mod.checkedRollout,
  };
}

/**
 * The part of an EdgeConfig the function needs, checked and normalised (origins lowercased,
 * without a trailing slash, as browsers send them). Throws on a configuration that cannot work,
 * rollout rules included (edge/kvs.ts checkedRollout).
 */
function viewerConfig(config, defaults) {
  const { edgeHeader, kvsKeys, rolloutHeaders } = defaults;
  const { ingestPaths, allowedOrigins, cmcdPath } = config;
  if (!Array.isArray(ingestPaths) || ingestPaths.length === 0) {
    throw new Error('viewer-request config: ingestPaths must be a non-empty array');
  }
  for (const p of [...ingestPaths, cmcdPath]) {
    if (typeof p !== 'string' || !/^\/[^?#\s]*$/.test(p)) {
      throw new Error(
        `viewer-request config: ingest path ${JSON.stringify(p)} must start with / and have no query`,
      );
    }
  }
  if (!Array.isArray(allowedOrigins))
    throw new Error('viewer-request config: allowedOrigins must be an array');
  const origins = allowedOrigins.map((o) => {
    const origin = typeof o === 'string' ? o.trim().replace(/\/$/, '').toLowerCase() : '';
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new Error(
        `viewer-request config: allowed origin ${JSON.stringify(o)} must be * or scheme://host[:port]`,
      );
    }
    return origin;
  });
  // Without rules in the configuration the headers are removed unless the store has the key.
  const rules = config.rollout === undefined ? undefined : defaults.checkedRollout(config.rollout);
  // Only the keys the function reads: each one costs bytes of the 10 KB.
  return {
    // The CMCD path is gated exactly like the JSON ones; the origin-request handler tells them apart.
    ingestPaths: [...new Set([...ingestPaths, cmcdPath])],
    allowedOrigins: origins,
    edgeHeader,
    kvsKeys: { allowedOrigins: kvsKeys.allowedOrigins },
    rollout: [
      { key: kvsKeys.rolloutSchemas, header: rolloutHeaders.schema, fallback: rules?.schemas },
      { key: kvsKeys.rolloutSdks, header: rolloutHeaders.sdk, fallback: rules?.sdks },
    ],
  };
}

/**
 * Builds the function.
 * @param {{ config?: Partial<import('../edge/config.ts').EdgeConfig>, outfile?: string }} [opts]
 *   `config` is merged over DEFAULT_CONFIG; only ingestPaths, cmcdPath, allowedOrigins and rollout matter here
 *   (the body limit is the origin-request handler's to enforce). A relative `outfile` is
 *   resolved against the repository root.
 * @returns {Promise<{ outfile: string, bytes: number }>} absolute path and size in bytes.
 * @example await buildViewerRequest({ config: { allowedOrigins: ['https://video.example'] } })
 */
export async function buildViewerRequest({
  config = {},
  outfile = 'dist/edge/viewer-request.js',
} = {}) {
  const defaults = await loadEdgeDefaults();
  const injected = viewerConfig({ ...defaults.config, ...config }, defaults);
  const code = fs.readFileSync(source, 'utf8');
  if (!CLOUDFRONT_IMPORT.test(code))
    throw new Error(`${source}: expected the line: import cf from 'cloudfront';`);
  const result = await esbuild.transform(code.replace(CLOUDFRONT_IMPORT, ''), {
    loader: 'js',
    sourcefile: source,
    minify: true,
    target: 'es5',
    supported: RUNTIME_FEATURES,
    define: { __BEACON_VIEWER_CONFIG__: JSON.stringify(injected) },
    logLevel: 'silent',
  });
  const built = `import cf from"cloudfront";${result.code.trim()}\n`;
  if (!/(^|[;}])(async )?function handler\(/.test(built))
    throw new Error('viewer-request build lost the top-level handler function');
  const bytes = Buffer.byteLength(built);
  if (bytes >= MAX_FUNCTION_BYTES) {
    throw new Error(
      `viewer-request function is ${bytes} bytes; CloudFront allows less than ${MAX_FUNCTION_BYTES}`,
    );
  }
  const target = path.resolve(root, outfile);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, built);
  return { outfile: target, bytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildViewerRequest().then(
    ({ outfile, bytes }) =>
      console.log(`viewer-request function: ${bytes} bytes -> ${path.relative(root, outfile)}`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
