/**
 * Released schemas are immutable: every schema file in schemas/beacon/ is in the manifest with
 * the hash of its exact bytes, every manifest entry has its file, and every version the edge
 * bundles is released. A change to a released file fails here with what to do instead. Checked
 * on the repository, and on a temporary copy broken each way to show the check bites.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CMCD_SCHEMA_VERSIONS } from '../../schemas/cmcd.js';
import { SCHEMA_VERSIONS } from '../../schemas/versions.js';

const SCHEMAS = path.resolve(import.meta.dirname, '../../schemas/beacon');
/** The CMCD report schemas: a folder of its own with its own manifest, under the same rule. */
const CMCD_SCHEMAS = path.resolve(import.meta.dirname, '../../schemas/cmcd');
const SCHEMAVER_FILE = /^\d+-\d+-\d+\.json$/;

/** What is wrong with a schemas folder's manifest, one sentence each. */
function manifestProblems(dir: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    released: Record<string, string>;
  };
  const problems: string[] = [];
  const files = fs.readdirSync(dir).filter((f) => SCHEMAVER_FILE.test(f));
  for (const f of files) {
    const version = f.slice(0, -'.json'.length);
    const hash = `sha256-${crypto
      .createHash('sha256')
      .update(fs.readFileSync(path.join(dir, f)))
      .digest('hex')}`;
    const recorded = manifest.released[version];
    if (recorded === undefined)
      problems.push(
        `${f} is not in manifest.json: check it and record it with "beacons schemas check ${f}" and "beacons schemas release ${version}"`,
      );
    else if (recorded !== hash)
      problems.push(
        `${f} changed after its release (manifest ${recorded}, file ${hash}): a released schema never changes; restore it and add a new version file instead (beacons schemas check, then release)`,
      );
  }
  for (const version of Object.keys(manifest.released))
    if (!files.includes(`${version}.json`))
      problems.push(
        `manifest.json lists ${version}, but ${version}.json is missing: a released schema is never deleted`,
      );
  return problems;
}

describe('schema manifest', () => {
  it('records every schema file with its exact hash, and has a file for every entry', () => {
    expect(manifestProblems(SCHEMAS)).toStrictEqual([]);
  });

  it('has every version the edge bundles released', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(SCHEMAS, 'manifest.json'), 'utf8'));
    for (const v of SCHEMA_VERSIONS) expect(manifest.released, v).toHaveProperty([v]);
  });

  it('records every CMCD schema file with its exact hash, and has every bundled CMCD version released', () => {
    expect(manifestProblems(CMCD_SCHEMAS)).toStrictEqual([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(CMCD_SCHEMAS, 'manifest.json'), 'utf8'));
    for (const subject of CMCD_SCHEMA_VERSIONS)
      expect(manifest.released, subject).toHaveProperty([subject.replace(/^cmcd-/, '')]);
  });

  describe('on a copy broken on purpose', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-manifest-'));
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const copy = () => {
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.cpSync(SCHEMAS, tmp, { recursive: true });
    };

    it('fails on a released file changed by one byte, saying to add a new version', () => {
      copy();
      const file = path.join(tmp, '1-1-0.json');
      fs.writeFileSync(
        file,
        fs.readFileSync(file, 'utf8').replace('"maximum": 1000', '"maximum": 1001'),
      );
      const problems = manifestProblems(tmp);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(
        /^1-1-0\.json changed after its release \(manifest sha256-[0-9a-f]{64}, file sha256-[0-9a-f]{64}\): a released schema never changes; restore it and add a new version file instead \(beacons schemas check, then release\)$/,
      );
    });

    it('fails on a schema file the manifest does not list, and on a listed file that is gone', () => {
      copy();
      fs.copyFileSync(path.join(tmp, '2-0-0.json'), path.join(tmp, '2-1-0.json'));
      fs.rmSync(path.join(tmp, '1-0-0.json'));
      expect(manifestProblems(tmp)).toStrictEqual([
        '2-1-0.json is not in manifest.json: check it and record it with "beacons schemas check 2-1-0.json" and "beacons schemas release 2-1-0"',
        'manifest.json lists 1-0-0, but 1-0-0.json is missing: a released schema is never deleted',
      ]);
    });
  });
});
