// Every file or folder that docs/ARCHITECTURE.md names must exist, so the map cannot go stale
// silently when code moves. A name inside a folder's paragraph may be relative to that folder
// (`ingest/` in the edge/ paragraph is edge/ingest/, `retry.ts` may sit anywhere below it).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOC = path.join(ROOT, 'docs', 'ARCHITECTURE.md');
/** Build output and generated files: named in the map, absent from a clean checkout. */
const BUILT = /^(dist|schemas\/generated|cdk\.out)\b/;
const PATHLIKE = /^[\w.-]+(\/[\w.-]+)*\/?$/;

function allPaths(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', '.git'].includes(e.name)) continue;
    const rel = path.relative(ROOT, path.join(dir, e.name));
    out.push(e.isDirectory() ? `${rel}/` : rel);
    if (e.isDirectory()) out.push(...allPaths(path.join(dir, e.name)));
  }
  return out;
}

/** Path-like names in backticks, each with the folder whose paragraph names it. */
function namedPaths(markdown: string): { name: string; folder: string }[] {
  const out: { name: string; folder: string }[] = [];
  let folder = '';
  for (const line of markdown.split('\n')) {
    const heading = /^\*\*([\w-]+)\/\*\*/.exec(line);
    if (heading) folder = heading[1];
    if (line.startsWith('## ')) folder = '';
    for (const m of line.matchAll(/`([^`]+)`/g)) {
      const name = m[1];
      const looksLikePath =
        name.includes('/') || /\.(ts|js|mjs|cjs|json|md|sh|html|css)$/.test(name);
      if (looksLikePath && PATHLIKE.test(name) && !BUILT.test(name)) out.push({ name, folder });
    }
  }
  return out;
}

describe('docs/ARCHITECTURE.md', () => {
  const tree = allPaths(ROOT);
  const exists = (name: string, folder: string) =>
    tree.includes(name) ||
    (folder !== '' &&
      tree.some(
        (p) => p.startsWith(`${folder}/`) && (p.endsWith(`/${name}`) || p === `${folder}/${name}`),
      ));

  it('names only files and folders that exist', () => {
    const named = namedPaths(fs.readFileSync(DOC, 'utf8'));
    expect(named.length).toBeGreaterThan(50);
    expect(named.filter(({ name, folder }) => !exists(name, folder))).toStrictEqual([]);
  });

  it('names every top-level source folder', () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    const folders = fs
      .readdirSync(ROOT, { withFileTypes: true })
      .filter(
        (e) =>
          e.isDirectory() &&
          !e.name.startsWith('.') &&
          !['node_modules', 'dist', 'cdk.out', 'docs', 'bin', 'test-results'].includes(e.name),
      )
      .map((e) => e.name);
    expect(folders.filter((f) => !doc.includes(`**${f}/**`))).toStrictEqual([]);
  });

  it('the path finder resolves names relative to their paragraph', () => {
    const md = '**edge/** — `ingest/` and `retry.ts`, `edge/missing.ts`\n## Other\n`retry.ts`';
    const named = namedPaths(md);
    expect(named).toStrictEqual([
      { name: 'ingest/', folder: 'edge' },
      { name: 'retry.ts', folder: 'edge' },
      { name: 'edge/missing.ts', folder: 'edge' },
      { name: 'retry.ts', folder: '' },
    ]);
    expect(named.map(({ name, folder }) => exists(name, folder))).toStrictEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});
