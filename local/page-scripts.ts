/**
 * The dashboard's and the demo's page scripts are TypeScript bundled by `npm run build` into
 * dist/; `beacons dev` serves the bundles. Started on its own after a source edit, it would serve
 * the old bundle without a word, so it checks here whether each bundle is older than its sources.
 */
import fs from 'node:fs';
import path from 'node:path';

/** A built page script and the sources it is bundled from (files, or folders of `.ts` files). */
interface PageScript {
  bundle: string;
  sources: readonly string[];
}

/** The page scripts, relative to the repository root. */
const PAGE_SCRIPTS: readonly PageScript[] = [
  { bundle: 'dist/dashboard/app.js', sources: ['dashboard'] },
  { bundle: 'dist/demo/demo.js', sources: ['demo/demo.ts', 'demo/page'] },
];

function newestSource(root: string, sources: readonly string[]): number {
  let newest = 0;
  for (const rel of sources) {
    const full = path.join(root, rel);
    const stat = fs.statSync(full, { throwIfNoEntry: false });
    if (!stat) continue;
    const files = stat.isDirectory()
      ? fs
          .readdirSync(full)
          .filter((f) => f.endsWith('.ts'))
          .map((f) => path.join(full, f))
      : [full];
    for (const f of files) newest = Math.max(newest, fs.statSync(f).mtimeMs);
  }
  return newest;
}

/**
 * The page-script bundles (relative paths) that are missing or older than a source they are
 * built from; empty when every bundle is current.
 */
export function stalePageScripts(root: string, scripts = PAGE_SCRIPTS): string[] {
  return scripts
    .filter(({ bundle, sources }) => {
      const built = fs.statSync(path.join(root, bundle), { throwIfNoEntry: false });
      return !built || built.mtimeMs < newestSource(root, sources);
    })
    .map(({ bundle }) => bundle);
}
