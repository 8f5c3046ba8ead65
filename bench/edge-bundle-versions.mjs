// `node bench/edge-bundle-versions.mjs`: the origin-request Lambda@Edge bundle with 1, 2 and 3
// schema versions' validators inside (the first N of schemas/beacon, oldest first), minified as
// deployed, and its size zipped as the Lambda asset holds it (deflate) against Lambda@Edge's
// origin-trigger limit; and the viewer-request CloudFront Function against its 10 KB. Builds into
// a temporary folder; schemas/generated/ and dist/ are left as they are.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { buildValidators } from '../scripts/build-validators.mjs';
import { buildViewerRequest, MAX_FUNCTION_BYTES } from '../scripts/build-viewer-request.mjs';
import { LAMBDA_BUNDLE_OPTIONS } from '../scripts/bundle-node.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Lambda@Edge's package limit for origin-request triggers, zipped (infra/edge/bundles.ts). */
const ORIGIN_TRIGGER_MAX_ZIP_BYTES = 50 * 1024 * 1024;
/** The compiled-in config is the deployment default; only the validators change between builds. */
const CONFIG = {
  ingestPaths: ['/v1/events'],
  allowedOrigins: ['*'],
  maxBodyBytes: 65536,
  maxEvents: 200,
  maxEventAgeMs: 86_400_000,
  streams: [{ region: 'us-east-1', streamName: 'beacon-edge-events' }],
  badRows: { kind: 'kinesis', region: 'us-east-1', streamName: 'beacon-edge-bad-rows' },
  wireFormat: 'beacon-record',
  writeBudgetMs: 3000,
};

const all = fs
  .readdirSync(path.join(root, 'schemas', 'beacon'))
  .filter((f) => /^\d+-\d+-\d+\.json$/.test(f))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-bundle-versions-'));
const rows = [];
try {
  for (let n = 1; n <= all.length; n++) {
    const dir = path.join(tmp, `v${n}`);
    const versions = buildValidators({ versions: all.slice(0, n), outDir: dir });
    const outfile = path.join(dir, 'origin-request.mjs');
    await esbuild.build({
      entryPoints: [path.join(root, 'edge', 'origin-request', 'handler.ts')],
      outfile,
      ...LAMBDA_BUNDLE_OPTIONS,
      define: { __BEACON_EDGE_CONFIG__: JSON.stringify(CONFIG) },
      plugins: [
        {
          name: 'validators-subset',
          setup(b) {
            b.onResolve({ filter: /generated\/index\.js$/ }, () => ({
              path: path.join(dir, 'index.js'),
            }));
          },
        },
      ],
    });
    const code = fs.readFileSync(outfile);
    const validators = fs.statSync(path.join(dir, 'validators.js')).size;
    rows.push({
      versions: versions.join(' '),
      bundle: code.length,
      zip: deflateRawSync(code).length,
      gzip: gzipSync(code).length,
      validatorsUnminified: validators,
    });
  }
  const viewer = await buildViewerRequest({ outfile: path.join(tmp, 'viewer-request.js') });
  console.log('origin-request bundle (minified) per schema versions inside:');
  console.log('versions               bytes   zipped  gzip    share of the 50 MB zipped limit');
  for (const r of rows) {
    const share = ((r.zip / ORIGIN_TRIGGER_MAX_ZIP_BYTES) * 100).toFixed(3);
    console.log(
      `${r.versions.padEnd(22)} ${String(r.bundle).padEnd(7)} ${String(r.zip).padEnd(7)} ${String(r.gzip).padEnd(7)} ${share} %`,
    );
  }
  for (let i = 1; i < rows.length; i++)
    console.log(
      `+ ${rows[i].versions.split(' ').pop()}: +${rows[i].bundle - rows[i - 1].bundle} bytes, +${rows[i].zip - rows[i - 1].zip} zipped`,
    );
  console.log(
    `viewer-request function: ${viewer.bytes} bytes of ${MAX_FUNCTION_BYTES} (${((viewer.bytes / MAX_FUNCTION_BYTES) * 100).toFixed(1)} %)`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
