// `npm run fuzz`: bundles fuzz/main.ts (as the benchmarks are bundled) to dist/fuzz.mjs, one folder
// below the root like its sources, so it finds schemas/ from its own URL, and runs it with the
// arguments given (`--count N --seed S`, or `--replay <base64>`).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleNode } from '../scripts/bundle-node.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = await bundleNode(
  path.join(root, 'fuzz', 'main.ts'),
  path.join(root, 'dist', 'fuzz.mjs'),
);
const res = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_NO_WARNINGS: '1' },
});
process.exit(res.status ?? 1);
