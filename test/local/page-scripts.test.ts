import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stalePageScripts } from '../../local/page-scripts.js';

describe('stalePageScripts', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A repository with the given files, each written with its own modification time (s). */
  function repo(files: Record<string, number>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'page-scripts-'));
    dirs.push(root);
    for (const [rel, mtime] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), '');
      fs.utimesSync(path.join(root, rel), mtime, mtime);
    }
    return root;
  }

  /** Sources at t=100 s, both bundles built after them at t=200 s. */
  const BUILT = {
    'dashboard/app.ts': 100,
    'dashboard/api.ts': 100,
    'dist/dashboard/app.js': 200,
    'demo/demo.ts': 100,
    'demo/page/dom.ts': 100,
    'dist/demo/demo.js': 200,
  };

  it('is empty when every bundle is newer than its sources', () => {
    expect(stalePageScripts(repo(BUILT))).toStrictEqual([]);
  });

  it('names a bundle that is missing or older than any one of its sources', () => {
    const { 'dist/demo/demo.js': _, ...noDemoBundle } = BUILT;
    const root = repo({ ...noDemoBundle, 'dashboard/charts.ts': 300 });
    expect(stalePageScripts(root)).toStrictEqual(['dist/dashboard/app.js', 'dist/demo/demo.js']);
  });

  it('ignores files that are not bundled (CSS, HTML)', () => {
    const root = repo({ ...BUILT, 'dashboard/styles.css': 900, 'dashboard/index.html': 900 });
    expect(stalePageScripts(root)).toStrictEqual([]);
  });
});
