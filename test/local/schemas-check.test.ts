/**
 * `beacons schemas check` and `release` on the real files and on deliberately mislabelled copies
 * in a temporary schemas folder: the version number must say what the change does, the file must
 * name its own version, a released file never changes, and a release records the hash.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../local/cli.js';
import { checkSchemaFile, nextVersions } from '../../local/schemas-check.js';
import { readManifest, SCHEMAS_DIR, schemaHash } from '../../local/schemas-files.js';

interface Schema {
  $id: string;
  title: string;
  description: string;
  $defs: Record<string, { properties: Record<string, Record<string, unknown>> }>;
}
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'schemas-check-'));
  fs.cpSync(SCHEMAS_DIR, tmp, { recursive: true });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Writes `<tmp>/<version>.json`: `from`'s schema stamped as `version` (unless `stamp` is false), then changed. */
function variant(
  from: string,
  version: string,
  change: (s: Schema) => void = () => {},
  stamp = true,
): string {
  const s = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, `${from}.json`), 'utf8')) as Schema;
  if (stamp) {
    s.$id = s.$id.replace(from, version);
    s.title = s.title.replace(from, version);
    s.$defs.envelope.properties.schema_version.const = version;
  }
  change(s);
  const file = path.join(tmp, `${version}.json`);
  fs.writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`);
  return file;
}

const addCdn = (s: Schema) => {
  s.$defs.envelope.properties.cdn = { type: 'string', maxLength: 64 };
};

describe('nextVersions', () => {
  it.each([
    ['1-1-0', 'addition', ['1-1-1', '1-2-0']],
    ['1-1-0', 'revision', ['1-2-0']],
    ['1-1-0', 'model', ['2-0-0']],
    ['2-9-9', 'model', ['3-0-0']],
  ] as const)('%s after a %s: %j', (prev, kind, expected) => {
    expect(nextVersions(prev, kind)).toStrictEqual(expected);
  });
});

describe('checkSchemaFile on the released files', () => {
  it("1-0-0 → 1-1-0: an addition, every 1-0-0 example still valid, with SchemaVer's own number noted", () => {
    const r = checkSchemaFile(path.join(SCHEMAS_DIR, '1-1-0.json'), { schemasDir: SCHEMAS_DIR });
    expect(r.problems).toStrictEqual([]);
    expect({ previous: r.previous, kind: r.kind, expected: r.expected }).toStrictEqual({
      previous: '1-0-0',
      kind: 'addition',
      expected: ['1-0-1', '1-1-0'],
    });
    expect(r.examples.checked).toBe(
      fs.readdirSync(path.join(SCHEMAS_DIR, '1-0-0/examples/valid')).length,
    );
    expect(r.examples.failed).toStrictEqual([]);
    expect(r.notes).toStrictEqual([
      "an addition: SchemaVer's own number for it is 1-0-1; 1-1-0 (a REVISION number) is accepted, as clients lose nothing treating it as a possible break",
    ]);
  });

  it('1-1-0 → 2-0-0: a model change; the 1-1-0 examples with a heartbeat or session_end fail', () => {
    const r = checkSchemaFile(path.join(SCHEMAS_DIR, '2-0-0.json'), { schemasDir: SCHEMAS_DIR });
    expect(r.problems).toStrictEqual([]);
    expect({ previous: r.previous, kind: r.kind, expected: r.expected }).toStrictEqual({
      previous: '1-1-0',
      kind: 'model',
      expected: ['2-0-0'],
    });
    // Exactly the examples that carry a cumulative counter under its 1-x name fail.
    const dir = path.join(SCHEMAS_DIR, '1-1-0', 'examples', 'valid');
    const withCounters = fs
      .readdirSync(dir)
      .filter((f) => {
        const doc = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
        const events: { type: string }[] = Array.isArray(doc.events) ? doc.events : [doc];
        return events.some((e) => e.type === 'heartbeat' || e.type === 'session_end');
      })
      .map((f) => `1-1-0/examples/valid/${f}`)
      .sort();
    expect(withCounters.length).toBeGreaterThanOrEqual(3);
    expect(r.examples.failed.map((f) => f.file).sort()).toStrictEqual(withCounters);
    const heartbeat = r.examples.failed.find((f) =>
      f.file.endsWith('event-heartbeat-throughput-buffer.json'),
    );
    expect(heartbeat?.error).toBe("/ must have required property 'stall_total_ms'");
  });

  it('1-0-0, the first version, has nothing to compare with and passes', () => {
    const r = checkSchemaFile(path.join(SCHEMAS_DIR, '1-0-0.json'), { schemasDir: SCHEMAS_DIR });
    expect(r.problems).toStrictEqual([]);
    expect(r.previous).toBeUndefined();
  });
});

describe('checkSchemaFile catches a mislabelled file', () => {
  const check = (file: string) => checkSchemaFile(file, { schemasDir: tmp });

  it("a breaking change numbered as a revision (2-0-0's renames as 1-2-0)", () => {
    const r = check(variant('2-0-0', '1-2-0'));
    expect(r.previous).toBe('1-1-0');
    expect(r.problems).toStrictEqual([
      'the change from 1-1-0 is MODEL (breaking), so its version is 2-0-0, not 1-2-0',
    ]);
  });

  it('an addition numbered as a model change', () => {
    const r = check(variant('2-0-0', '3-0-0', addCdn));
    expect(r.kind).toBe('addition');
    expect(r.problems).toStrictEqual([
      'the change from 2-0-0 is ADDITION, so its version is 2-0-1 or 2-1-0, not 3-0-0',
    ]);
  });

  it('a narrowed bound numbered as an addition', () => {
    const r = check(
      variant('2-0-0', '2-0-1', (s) => {
        s.$defs.envelope.properties.content_id.maxLength = 128;
      }),
    );
    expect(r.kind).toBe('revision');
    expect(r.changes.filter((c) => c.impact !== 'annotation').map((c) => c.detail)).toStrictEqual([
      'maxLength 256 → 128 (narrowed)',
    ]);
    expect(r.problems).toStrictEqual([
      'the change from 2-0-0 is REVISION (breaking), so its version is 2-1-0, not 2-0-1',
    ]);
  });

  it('a skipped number', () => {
    expect(check(variant('2-0-0', '2-0-3', addCdn)).problems).toStrictEqual([
      'the change from 2-0-0 is ADDITION, so its version is 2-0-1 or 2-1-0, not 2-0-3',
    ]);
  });

  it('a file that does not name its own version', () => {
    const r = check(variant('2-0-0', '2-0-1', addCdn, false));
    expect(r.problems).toStrictEqual([
      '$defs.envelope.properties.schema_version.const is "2-0-0"; the file 2-0-1.json must declare "2-0-1"',
      '$id "https://beacon-edge.dev/schemas/beacon/2-0-0" must end in /2-0-1',
    ]);
  });

  it('a file with no change but its number', () => {
    expect(check(variant('2-0-0', '2-0-1')).problems).toStrictEqual([
      '2-0-1 is the same schema as 2-0-0',
    ]);
  });

  it('a file not named by its version', () => {
    const file = path.join(tmp, 'next.json');
    fs.copyFileSync(path.join(SCHEMAS_DIR, '2-0-0.json'), file);
    expect(check(file).problems).toStrictEqual([
      'the file must be named <MODEL>-<REVISION>-<ADDITION>.json, e.g. 1-2-0.json; got next.json',
    ]);
  });

  it('a released file that changed', () => {
    const file = variant('1-1-0', '1-1-0', (s) => {
      s.description += ' Edited.';
    });
    expect(check(file).problems).toStrictEqual([
      `1-1-0 is released with another content (${readManifest(tmp).released['1-1-0']}); a released schema never changes: add a new version instead`,
    ]);
    fs.copyFileSync(path.join(SCHEMAS_DIR, '1-1-0.json'), file);
  });

  it('its own examples must say what they claim', () => {
    const file = variant('2-0-0', '2-1-0', addCdn);
    const ex = path.join(tmp, '2-1-0', 'examples');
    fs.mkdirSync(path.join(ex, 'valid'), { recursive: true });
    fs.mkdirSync(path.join(ex, 'invalid'), { recursive: true });
    const event = { type: 'paused', id: 'evt-paused-0001', seq: 1, ts: 1767225599000, playhead: 1 };
    fs.writeFileSync(path.join(ex, 'valid', 'event-paused.json'), JSON.stringify(event));
    fs.writeFileSync(
      path.join(ex, 'invalid', 'event-passes.json'),
      JSON.stringify({ description: 'x', expect: { validator: 'event' }, data: event }),
    );
    expect(check(file).problems).toStrictEqual([
      '2-1-0/examples/invalid/event-passes.json is an invalid example but passes',
    ]);
    fs.writeFileSync(
      path.join(ex, 'valid', 'event-bad.json'),
      JSON.stringify({ ...event, seq: -1 }),
    );
    expect(check(file).problems[0]).toBe(
      '2-1-0/examples/valid/event-bad.json is a valid example but fails: data/seq must be >= 0',
    );
    fs.rmSync(path.join(tmp, '2-1-0'), { recursive: true });
  });
});

describe('beacons schemas release', () => {
  let out: string[];
  afterEach(() => vi.restoreAllMocks());
  const run = async (args: string[]) => {
    out = [];
    const record = (...a: unknown[]) => void out.push(a.map(String).join(' '));
    vi.spyOn(console, 'log').mockImplementation(record);
    vi.spyOn(console, 'error').mockImplementation(record);
    return main(args);
  };

  it('refuses a mislabelled file and leaves the manifest alone', async () => {
    variant('2-0-0', '2-0-2', (s) => {
      s.$defs.envelope.properties.content_id.maxLength = 100;
    });
    const before = fs.readFileSync(path.join(tmp, 'manifest.json'), 'utf8');
    expect(await run(['schemas', 'release', '2-0-2', '--schemas-dir', tmp])).toBe(1);
    expect(out.join('\n')).toContain(
      'problem: the change from 2-0-0 is REVISION (breaking), so its version is 2-1-0, not 2-0-2',
    );
    expect(out.at(-1)).toBe('\nnot released: fix the problems above first');
    expect(fs.readFileSync(path.join(tmp, 'manifest.json'), 'utf8')).toBe(before);
    fs.rmSync(path.join(tmp, '2-0-2.json'));
  });

  it('records the hash of a file that passes, once', async () => {
    const file = variant('2-0-0', '2-1-0', addCdn);
    expect(await run(['schemas', 'release', '2-1-0', '--schemas-dir', tmp])).toBe(0);
    expect(out.join('\n')).toContain(`released 2-1-0: ${schemaHash(fs.readFileSync(file))}`);
    expect(out.at(-1)).toBe(
      'Next: add 2-1-0 to SCHEMA_VERSIONS and SCHEMA_CHANGES (schemas/versions.ts) so the edge bundles it, and an upcast (schemas/upcast.ts) if it renames fields.',
    );
    const manifest = readManifest(tmp);
    expect(Object.keys(manifest.released)).toStrictEqual(['1-0-0', '1-1-0', '2-0-0', '2-1-0']);
    expect(manifest.released['2-1-0']).toBe(schemaHash(fs.readFileSync(file)));
    expect(manifest.$comment).toBe(readManifest(SCHEMAS_DIR).$comment);
    expect(await run(['schemas', 'release', '2-1-0', '--schemas-dir', tmp])).toBe(0);
    expect(out).toStrictEqual([`2-1-0 is already released (${manifest.released['2-1-0']})`]);
    // Changed after its release: the check now refuses it.
    variant('2-0-0', '2-1-0', (s) => {
      addCdn(s);
      s.$defs.envelope.properties.cdn.maxLength = 65;
    });
    expect(await run(['schemas', 'release', '2-1-0', '--schemas-dir', tmp])).toBe(1);
    expect(out.join('\n')).toContain('a released schema never changes: add a new version instead');
  });

  it.each([
    [['schemas', 'release'], 'beacons: usage: beacons schemas release <version, e.g. 1-2-0>'],
    [['schemas', 'release', 'v2'], 'beacons: usage: beacons schemas release <version, e.g. 1-2-0>'],
    [['schemas', 'check'], 'beacons: usage: beacons schemas check <file> [--against <version>]'],
    [
      ['schemas', 'check', '/nonexistent/1-2-0.json'],
      'beacons: no such file: /nonexistent/1-2-0.json',
    ],
    [
      ['schemas', 'diff', '1-0-0'],
      'beacons: usage: beacons schemas diff <version|file> <version|file>',
    ],
    [
      ['schemas', 'diff', '1-0-0', '9-0-0'],
      `beacons: no such file: ${path.join(SCHEMAS_DIR, '9-0-0.json')}`,
    ],
    [
      ['schemas', 'check', path.join(SCHEMAS_DIR, '2-0-0.json'), '--against', '0-1-0'],
      `beacons: --against 0-1-0: no 0-1-0.json in ${SCHEMAS_DIR}`,
    ],
    [
      ['schemas', 'publish'],
      'beacons: unknown subcommand "schemas publish"; use schemas list, schemas check, schemas diff or schemas release',
    ],
  ])('%j → exit 2: %s', async (args, message) => {
    expect(await run(args)).toBe(2);
    expect(out).toStrictEqual([message]);
  });
});
