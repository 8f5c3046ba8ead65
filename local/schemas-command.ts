/**
 * `beacons schemas list|check|diff|release`: the beacon schema's versions, whether a new file may
 * be released under its number, the structural diff of two versions, and the release itself (its
 * hash into the manifest, after which test/schemas/manifest.test.ts keeps the file unchanged).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  CMCD_SCHEMA_CHANGES,
  CMCD_SCHEMA_VERSIONS,
  CURRENT_CMCD_SCHEMA_VERSION,
} from '../schemas/cmcd.js';
import { CURRENT_SCHEMA_VERSION, SCHEMA_CHANGES, SCHEMA_VERSIONS } from '../schemas/versions.js';
import { parseCommandLine } from './cli-args.js';
import { DEV_DEFAULTS } from './config.js';
import { LocalStackError, UsageError } from './errors.js';
import { FileRolloutStore, localKvsFile } from './rollout-file.js';
import { describeRow, rolloutView } from './rollout-list.js';
import { type CheckResult, checkSchemaFile } from './schemas-check.js';
import { diffSchemas, type SchemaChange } from './schemas-diff.js';
import {
  MANIFEST_FILE,
  parseVersion,
  readManifest,
  CMCD_SCHEMAS_DIR,
  SCHEMAS_DIR,
  schemaFiles,
  schemaHash,
  writeManifest,
} from './schemas-files.js';

const DIR_FLAG = { 'schemas-dir': { type: 'string' } } as const;

/** Runs `beacons schemas <sub> …`; resolves to the exit code (1 when a check fails). */
export async function schemasCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const usage = (operands: string) => `usage: beacons schemas ${sub} ${operands}`;
  if (sub === 'list') {
    const { values, positionals } = parseCommandLine('schemas list', rest, {
      ...DIR_FLAG,
      'data-dir': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(usage('[--json] [--data-dir D]'));
    return list(
      values['schemas-dir'] ?? SCHEMAS_DIR,
      values['data-dir'] ?? DEV_DEFAULTS.dataDir,
      values.json === true,
    );
  }
  if (sub === 'check') {
    const { values, positionals } = parseCommandLine('schemas check', rest, {
      ...DIR_FLAG,
      against: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError(usage('<file> [--against <version>]'));
    const dir = values['schemas-dir'] ?? SCHEMAS_DIR;
    if (values.against !== undefined && !fs.existsSync(path.join(dir, `${values.against}.json`)))
      throw new UsageError(`--against ${values.against}: no ${values.against}.json in ${dir}`);
    const result = checkSchemaFile(existing(positionals[0]), {
      schemasDir: dir,
      against: values.against,
    });
    console.log(formatCheck(result));
    return result.problems.length === 0 ? 0 : 1;
  }
  if (sub === 'diff') {
    const { values, positionals } = parseCommandLine('schemas diff', rest, DIR_FLAG);
    if (positionals.length !== 2) throw new UsageError(usage('<version|file> <version|file>'));
    const dir = values['schemas-dir'] ?? SCHEMAS_DIR;
    const [a, b] = positionals.map((p) => schemaPath(dir, p));
    const stampOf = (f: string) => path.basename(f, '.json');
    const changes = diffSchemas(readSchema(a), readSchema(b), {
      stamp: { before: stampOf(a), after: stampOf(b) },
    });
    console.log(formatDiff(changes, `${positionals[0]} → ${positionals[1]}`));
    return 0;
  }
  if (sub === 'release') {
    const { values, positionals } = parseCommandLine('schemas release', rest, DIR_FLAG);
    if (positionals.length !== 1 || !parseVersion(positionals[0]))
      throw new UsageError(usage('<version, e.g. 1-2-0>'));
    return release(values['schemas-dir'] ?? SCHEMAS_DIR, positionals[0]);
  }
  throw new UsageError(
    `unknown subcommand "schemas ${sub ?? ''}"; use schemas list, schemas check, schemas diff or schemas release`,
  );
}

function existing(file: string): string {
  if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
  return path.resolve(file);
}

/** A version names `<dir>/<version>.json`; anything else is a file path. */
function schemaPath(dir: string, p: string): string {
  return parseVersion(p) ? existing(path.join(dir, `${p}.json`)) : existing(p);
}

function readSchema(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new LocalStackError(`${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

async function list(dir: string, dataDir: string, json: boolean): Promise<number> {
  const kvsFile = localKvsFile(dataDir);
  const rollout = fs.existsSync(kvsFile)
    ? rolloutView(await new FileRolloutStore(kvsFile).read())
    : undefined;
  const bundled: readonly string[] = [...SCHEMA_VERSIONS, ...CMCD_SCHEMA_VERSIONS];
  const changes: Readonly<Record<string, string>> = { ...SCHEMA_CHANGES, ...CMCD_SCHEMA_CHANGES };
  // The CMCD report schemas are listed beside the repository's beacon schemas (not beside
  // another --schemas-dir), under their rollout subject `cmcd-<version>`.
  const files = [
    ...schemaFiles(dir),
    ...(dir === SCHEMAS_DIR
      ? schemaFiles(CMCD_SCHEMAS_DIR).map((s) => ({ ...s, version: `cmcd-${s.version}` }))
      : []),
  ];
  const rows = files.map((s) => {
    const state = rollout?.schemas.find((r) => r.subject === s.version);
    return {
      version: s.version,
      status: !s.file
        ? 'file missing'
        : s.changed
          ? 'released, but CHANGED since'
          : s.released
            ? 'released'
            : 'draft',
      bundled: bundled.includes(s.version),
      current: s.version === CURRENT_SCHEMA_VERSION || s.version === CURRENT_CMCD_SCHEMA_VERSION,
      ...(state ? { rollout: state } : {}),
      changes: changes[s.version],
    };
  });
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return 0;
  }
  console.log(`Schema versions in ${dir}${rollout ? `; rollout states from ${kvsFile}` : ''}\n`);
  for (const r of rows) {
    const tags = [
      r.status,
      r.bundled ? 'bundled' : 'not bundled',
      ...(r.current ? ['what new clients send'] : []),
    ];
    console.log(`  ${r.version}  ${tags.join(', ')}`);
    if (r.rollout)
      console.log(`         rollout: ${describeRow({ ...r.rollout, current: false })}`);
    if (r.changes) console.log(`         ${r.changes}`);
  }
  if (!rollout)
    console.log(`\n  No rollout file at ${kvsFile}: every version is live (beacons rollout list).`);
  return 0;
}

/** The diff grouped as added / removed / changed, each line with its impact. */
export function formatDiff(changes: readonly SchemaChange[], title: string): string {
  const lines = [`${title}: ${changes.length} change(s)`];
  for (const op of ['added', 'removed', 'changed'] as const) {
    const of = changes.filter((c) => c.op === op);
    if (of.length === 0) continue;
    lines.push('', `${op[0].toUpperCase()}${op.slice(1)}:`);
    for (const c of of)
      lines.push(`  ${c.impact.toUpperCase().padEnd(10)} ${c.path}`, `             ${c.detail}`);
  }
  return lines.join('\n');
}

/** The check's verdict, then what decided it. */
export function formatCheck(r: CheckResult): string {
  const lines = [`${r.version}: ${r.problems.length === 0 ? 'OK' : 'FAILED'}`];
  if (r.previous) {
    lines.push(
      `  compared with ${r.previous}: ${r.kind?.toUpperCase()} (version ${r.expected.join(' or ')})`,
    );
    const breaking = r.changes.filter((c) => c.impact === 'model' || c.impact === 'revision');
    for (const c of breaking) lines.push(`    ${c.impact.toUpperCase()} ${c.path}: ${c.detail}`);
    const added = r.changes.filter((c) => c.impact === 'addition').length;
    if (added > 0)
      lines.push(
        `    ${added} addition(s) (beacons schemas diff ${r.previous} ${path.relative(process.cwd(), r.file) || r.file} lists them)`,
      );
    lines.push(
      `  ${r.previous}'s valid examples: ${r.examples.checked - r.examples.failed.length} of ${r.examples.checked} pass`,
    );
    for (const f of r.examples.failed.slice(0, 10)) lines.push(`    ${f.file}: ${f.error}`);
  }
  for (const n of r.notes) lines.push(`  note: ${n}`);
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  return lines.join('\n');
}

async function release(dir: string, version: string): Promise<number> {
  const file = existing(path.join(dir, `${version}.json`));
  const manifest = readManifest(dir);
  const hash = schemaHash(fs.readFileSync(file));
  if (manifest.released[version] === hash) {
    console.log(`${version} is already released (${hash})`);
    return 0;
  }
  const result = checkSchemaFile(file, { schemasDir: dir });
  console.log(formatCheck(result));
  if (result.problems.length > 0) {
    console.log(`\nnot released: fix the problems above first`);
    return 1;
  }
  writeManifest(dir, { ...manifest, released: { ...manifest.released, [version]: hash } });
  console.log(
    `\nreleased ${version}: ${hash} recorded in ${path.join(dir, MANIFEST_FILE)}; the file never changes again.`,
  );
  if (!(SCHEMA_VERSIONS as readonly string[]).includes(version))
    console.log(
      `Next: add ${version} to SCHEMA_VERSIONS and SCHEMA_CHANGES (schemas/versions.ts) so the edge bundles it, and an upcast (schemas/upcast.ts) if it renames fields.`,
    );
  return 0;
}
