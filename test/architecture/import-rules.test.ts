// The folder import rules of docs/ARCHITECTURE.md, checked over every source file so that the
// map stays true: data flows one way and no folder reaches back up.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE = /\.(ts|mts|js|mjs|cjs)$/;
const SKIP = new Set(['node_modules', 'dist', 'generated', 'media', 'cdk.out']);

interface Rule {
  /** Top-level folders this folder may import at run time. */
  imports: readonly string[];
  /** Folders it may import types from only (`import type`, erased at build). */
  typesFrom?: readonly string[];
  /** May it import Node built-ins (`node:*`)? */
  node: boolean;
  /** May it import npm packages (bare specifiers)? Lists allowed package-name prefixes. */
  packages: readonly string[] | 'any';
}

/** Mirrors docs/ARCHITECTURE.md, "Folders and what they may import". */
const RULES: Record<string, Rule> = {
  common: { imports: [], node: false, packages: [] },
  schemas: { imports: [], node: false, packages: [] },
  // No AWS SDK at the edge: its code and the built-ins it loads were most of the Lambda@Edge cold
  // start; the edge's own JSON client (edge/writers/aws-json-client.ts) calls Kinesis and Firehose.
  edge: {
    imports: ['schemas', 'common'],
    node: true,
    packages: ['cloudfront', 'aws-lambda', '@svta/cml-cmcd'],
  },
  'core-pipeline': {
    imports: ['schemas', 'common'],
    node: true,
    packages: ['@aws-sdk/', '@smithy/', '@duckdb/', 'aws-lambda', '@aws-lambda-powertools/'],
  },
  player: { imports: ['schemas', 'common'], node: false, packages: [] },
  dashboard: {
    imports: [],
    typesFrom: ['core-pipeline', 'schemas'],
    node: false,
    packages: ['uplot'],
  },
  demo: {
    imports: ['dashboard'],
    typesFrom: ['player', 'schemas'],
    node: true,
    packages: ['hls.js', 'esbuild'],
  },
  local: {
    imports: ['schemas', 'common', 'edge', 'core-pipeline', 'demo', 'scripts', 'grafana'],
    node: true,
    packages: 'any',
  },
  scripts: { imports: ['schemas', 'edge', 'demo'], node: true, packages: 'any' },
  bench: {
    imports: ['schemas', 'common', 'edge', 'core-pipeline', 'local', 'player', 'scripts'],
    node: true,
    packages: 'any',
  },
  // The CDK app builds the edge and consumer bundles with the deployment's configuration.
  infra: {
    imports: ['schemas', 'common', 'edge', 'core-pipeline', 'scripts'],
    node: true,
    packages: 'any',
  },
  // The Grafana generator reads the shared panel definitions (dashboard/panels.ts, data only) and
  // the InfluxDB sink's schema; `beacons grafana` (local/) runs it.
  grafana: {
    imports: ['schemas', 'common', 'core-pipeline', 'dashboard'],
    node: true,
    packages: ['@grafana/'],
  },
  // The fuzzer drives the edge and the core decoder in process; the tests import its generators.
  fuzz: {
    imports: ['schemas', 'common', 'edge', 'core-pipeline', 'scripts'],
    node: true,
    packages: 'any',
  },
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.mts')) out.push(full);
  }
  return out;
}

interface ImportRef {
  specifier: string;
  typeOnly: boolean;
}

/** Static imports and re-exports, dynamic import() with a literal, and require(). */
function importsOf(code: string): ImportRef[] {
  const refs: ImportRef[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm;
  for (const m of code.matchAll(statement)) refs.push({ specifier: m[3], typeOnly: !!m[2] });
  for (const m of code.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm))
    refs.push({ specifier: m[1], typeOnly: false });
  for (const m of code.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g))
    refs.push({ specifier: m[1], typeOnly: false });
  return refs;
}

function violations(folder: string, rule: Rule): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(path.join(ROOT, folder))) {
    const rel = path.relative(ROOT, file);
    for (const { specifier, typeOnly } of importsOf(fs.readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) {
        const target = path.relative(ROOT, path.resolve(path.dirname(file), specifier));
        const top = target.split(path.sep)[0];
        if (top === folder || rule.imports.includes(top)) continue;
        if (typeOnly && rule.typesFrom?.includes(top)) continue;
        found.push(`${rel} imports ${target}${typeOnly ? ' (type)' : ''}`);
      } else if (specifier.startsWith('node:')) {
        if (!rule.node) found.push(`${rel} imports ${specifier}`);
      } else if (rule.packages !== 'any' && !typeOnly) {
        if (!rule.packages.some((p) => specifier === p || specifier.startsWith(p)))
          found.push(`${rel} imports package ${specifier}`);
      }
    }
  }
  return found;
}

describe('folder import rules (docs/ARCHITECTURE.md)', () => {
  it.each(Object.entries(RULES))('%s imports only what it may', (folder, rule) => {
    expect(fs.existsSync(path.join(ROOT, folder))).toBe(true);
    expect(violations(folder, rule)).toStrictEqual([]);
  });

  it('nothing outside test/ imports test code', () => {
    const found = Object.keys(RULES).flatMap((folder) =>
      sourceFiles(path.join(ROOT, folder)).filter((file) =>
        importsOf(fs.readFileSync(file, 'utf8')).some(
          ({ specifier }) =>
            specifier.startsWith('.') &&
            path.relative(ROOT, path.resolve(path.dirname(file), specifier)).startsWith('test'),
        ),
      ),
    );
    expect(found).toStrictEqual([]);
  });

  it('the import scanner sees every form of import', () => {
    const code = [
      "import { a } from '../edge/x.js';",
      "import type { B } from '../core-pipeline/y.js';",
      "export { c } from './z.js';",
      "import './side-effect.js';",
      "const m = await import('../local/w.js');",
      "const k = require('node:fs');",
    ].join('\n');
    expect(importsOf(code)).toStrictEqual([
      { specifier: '../edge/x.js', typeOnly: false },
      { specifier: '../core-pipeline/y.js', typeOnly: true },
      { specifier: './z.js', typeOnly: false },
      { specifier: './side-effect.js', typeOnly: false },
      { specifier: '../local/w.js', typeOnly: false },
      { specifier: 'node:fs', typeOnly: false },
    ]);
  });
});
