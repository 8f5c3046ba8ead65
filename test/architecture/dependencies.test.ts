/**
 * The dependencies as installed: the lockfile pins every package (exact version and an sha512
 * integrity) and matches package.json, no locked or installed package is marked deprecated, and
 * every run-time dependency is justified in the docs. Needs no network: npm writes a package's
 * deprecation notice into the lockfile when it resolves it (the same field `npm ci` warns from),
 * so this reads what npm's audit service would otherwise be asked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  version?: string;
  integrity?: string;
  link?: boolean;
  /** Shipped inside its parent's tarball (bundleDependencies): the parent's integrity covers it. */
  inBundle?: boolean;
  deprecated?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const root = path.resolve(import.meta.dirname, '../..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
const pkg = readJson('package.json') as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = readJson('package-lock.json') as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};
const locked = Object.entries(lock.packages).filter(([where, e]) => where !== '' && !e.link);

/** Where the run-time dependencies are justified. */
function justificationDocs(): string {
  return fs.readFileSync(path.join(root, 'docs/ARCHITECTURE.md'), 'utf8');
}

describe('dependencies', () => {
  it('are pinned by a lockfile that matches package.json', () => {
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
    expect(lock.packages[''].dependencies).toStrictEqual(pkg.dependencies);
    expect(lock.packages[''].devDependencies).toStrictEqual(pkg.devDependencies);
    expect(locked.length).toBeGreaterThan(0);
    const unpinned = locked
      .filter(([, e]) => !e.inBundle)
      .filter(
        ([, e]) => !/^\d+\.\d+\.\d+/.test(e.version ?? '') || !/^sha512-/.test(e.integrity ?? ''),
      )
      .map(([where]) => where);
    expect(unpinned).toStrictEqual([]);
    for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)])
      expect(lock.packages[`node_modules/${name}`], name).toBeDefined();
  });

  it('include no package marked deprecated, locked or installed', () => {
    const deprecated = (entries: [string, LockEntry][]) =>
      entries
        .filter(([, e]) => e.deprecated !== undefined)
        .map(([w, e]) => `${w}: ${e.deprecated}`);
    expect(deprecated(locked)).toStrictEqual([]);
    // npm's record of what is really in node_modules (absent before the first install).
    const hidden = path.join(root, 'node_modules', '.package-lock.json');
    if (fs.existsSync(hidden)) {
      const installed = JSON.parse(fs.readFileSync(hidden, 'utf8')) as {
        packages: Record<string, LockEntry>;
      };
      expect(deprecated(Object.entries(installed.packages))).toStrictEqual([]);
    }
  });

  it('each run-time dependency is justified in a docs table row', () => {
    const docs = justificationDocs();
    // A table row that starts with the package name, in backticks or not.
    const rows = new Set(
      docs
        .split('\n')
        .map((line) => /^\|\s*`?([^|`]+?)`?\s*\|/.exec(line)?.[1])
        .filter((name) => name !== undefined),
    );
    const missing = Object.keys(pkg.dependencies).filter((name) => !rows.has(name));
    expect(missing).toStrictEqual([]);
  });
});
