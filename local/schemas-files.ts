/**
 * The schema files on disk for `beacons schemas`: SchemaVer version numbers, the files of a
 * schemas folder (`schemas/beacon/<MODEL>-<REVISION>-<ADDITION>.json`), their content hashes and
 * the manifest of released ones (`manifest.json`, `{"released": {"1-0-0": "sha256-<hex>"}}`).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './config.js';
import { LocalStackError } from './errors.js';
import { writeAtomically } from './rollout-file.js';

/** The repository's schema folder. */
export const SCHEMAS_DIR = path.join(REPO_ROOT, 'schemas', 'beacon');

/** The repository's CMCD report schema folder (versions `cmcd-<file version>`, schemas/cmcd.ts). */
export const CMCD_SCHEMAS_DIR = path.join(REPO_ROOT, 'schemas', 'cmcd');

/** The manifest's file name in a schemas folder. */
export const MANIFEST_FILE = 'manifest.json';

/** A SchemaVer version: [MODEL, REVISION, ADDITION]. */
export type VersionParts = [number, number, number];

const SCHEMAVER = /^(\d{1,4})-(\d{1,4})-(\d{1,4})$/;

/** The parts of `1-2-3`, or undefined when it is not a SchemaVer version. */
export function parseVersion(v: string): VersionParts | undefined {
  const m = SCHEMAVER.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Orders versions numerically (1-10-0 after 1-9-0). */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a) ?? [0, 0, 0];
  const pb = parseVersion(b) ?? [0, 0, 0];
  return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2];
}

/** `sha256-<hex>` of a file's bytes, as the manifest records it. */
export function schemaHash(bytes: Buffer | string): string {
  return `sha256-${crypto.createHash('sha256').update(bytes).digest('hex')}`;
}

/** The manifest: released versions and their hashes, plus the comment kept when rewriting it. */
export interface Manifest {
  $comment?: string;
  released: Record<string, string>;
}

/** Reads a folder's manifest; an absent one has nothing released. */
export function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { released: {} };
    throw err;
  }
  const doc = JSON.parse(text) as Manifest;
  if (typeof doc?.released !== 'object' || doc.released === null)
    throw new LocalStackError(`${file} has no "released" object`);
  return doc;
}

/** Writes the manifest with versions in order (atomically: tests and CI may read it meanwhile). */
export function writeManifest(dir: string, manifest: Manifest): void {
  const released = Object.fromEntries(
    Object.entries(manifest.released).sort(([a], [b]) => compareVersions(a, b)),
  );
  writeAtomically(
    path.join(dir, MANIFEST_FILE),
    `${JSON.stringify({ ...manifest, released }, null, 2)}\n`,
  );
}

/** One version's file and standing. */
export interface SchemaFileStatus {
  version: string;
  /** Absent when the manifest names a version whose file is gone. */
  file?: string;
  hash?: string;
  /** In the manifest. */
  released: boolean;
  /** Released, but the file's hash is not the one recorded. */
  changed: boolean;
}

/** Every version of a folder: its files and the manifest's entries, in version order. */
export function schemaFiles(dir: string): SchemaFileStatus[] {
  const { released } = readManifest(dir);
  const versions = new Set(Object.keys(released));
  for (const f of fs.readdirSync(dir))
    if (f.endsWith('.json') && parseVersion(f.slice(0, -5))) versions.add(f.slice(0, -5));
  return [...versions].sort(compareVersions).map((version) => {
    const file = path.join(dir, `${version}.json`);
    const hash = fs.existsSync(file) ? schemaHash(fs.readFileSync(file)) : undefined;
    const recorded = released[version];
    return {
      version,
      ...(hash ? { file, hash } : {}),
      released: recorded !== undefined,
      changed: recorded !== undefined && recorded !== hash,
    };
  });
}
