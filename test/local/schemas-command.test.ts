/**
 * `beacons schemas list` and `diff` through the CLI's `main`, and the file standing they rest on
 * (schemas-files.ts): released, draft, changed since its release, or listed with its file gone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../local/cli.js';
import {
  compareVersions,
  parseVersion,
  SCHEMAS_DIR,
  schemaFiles,
  schemaHash,
} from '../../local/schemas-files.js';

let tmp: string;
let out: string[];
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'schemas-cmd-'));
  fs.cpSync(SCHEMAS_DIR, tmp, { recursive: true });
  // A draft, a released file changed since, and a released file gone.
  fs.copyFileSync(path.join(SCHEMAS_DIR, '2-0-0.json'), path.join(tmp, '2-1-0.json'));
  fs.appendFileSync(path.join(tmp, '1-1-0.json'), ' ');
  fs.rmSync(path.join(tmp, '1-0-0.json'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => {
  out = [];
  const record = (...a: unknown[]) => void out.push(a.map(String).join(' '));
  vi.spyOn(console, 'log').mockImplementation(record);
  vi.spyOn(console, 'error').mockImplementation(record);
});
afterEach(() => vi.restoreAllMocks());

describe('versions and files', () => {
  it('parses and orders SchemaVer numbers numerically', () => {
    expect(parseVersion('1-10-2')).toStrictEqual([1, 10, 2]);
    expect(parseVersion('1.0.0')).toBeUndefined();
    expect(['1-10-0', '2-0-0', '1-9-0', '1-0-1'].sort(compareVersions)).toStrictEqual([
      '1-0-1',
      '1-9-0',
      '1-10-0',
      '2-0-0',
    ]);
  });

  it('tells released, draft, changed and missing files apart', () => {
    expect(
      schemaFiles(tmp).map(({ version, released, changed, file }) => ({
        version,
        released,
        changed,
        file: file !== undefined,
      })),
    ).toStrictEqual([
      { version: '1-0-0', released: true, changed: true, file: false },
      { version: '1-1-0', released: true, changed: true, file: true },
      { version: '2-0-0', released: true, changed: false, file: true },
      { version: '2-1-0', released: false, changed: false, file: true },
    ]);
    expect(schemaFiles(tmp)[2].hash).toBe(
      schemaHash(fs.readFileSync(path.join(SCHEMAS_DIR, '2-0-0.json'))),
    );
  });
});

describe('beacons schemas list', () => {
  it('prints each version with its standing and what it changed', async () => {
    const empty = path.join(tmp, 'no-data');
    expect(await main(['schemas', 'list', '--schemas-dir', tmp, '--data-dir', empty])).toBe(0);
    expect(out.join('\n').split('\n')).toStrictEqual([
      `Schema versions in ${tmp}`,
      '',
      '  1-0-0  file missing, bundled',
      '         first release: envelope + 18 event types',
      '  1-1-0  released, but CHANGED since, bundled',
      '         adds optional drm_system, audio_language, subtitle_language (envelope), frame_rate (variant_loaded, bitrate_changed), throughput_kbps and buffer_ms (heartbeat)',
      '  2-0-0  released, bundled, what new clients send',
      '         renames heartbeat/session_end stall_ms to stall_total_ms and heartbeat bitrate to avg_bitrate, so each field name has one meaning',
      '  2-1-0  draft, not bundled',
      '',
      `  No rollout file at ${path.join(empty, 'cloudfront-kvs.json')}: every version is live (beacons rollout list).`,
    ]);
  });
});

describe('beacons schemas list, repository folder', () => {
  it('lists the CMCD report schema under its rollout subject beside the beacon schemas', async () => {
    const empty = path.join(tmp, 'no-data');
    expect(await main(['schemas', 'list', '--json', '--data-dir', empty])).toBe(0);
    const rows = JSON.parse(out.join('\n')) as {
      version: string;
      status: string;
      bundled: boolean;
    }[];
    expect(rows.map((r) => r.version)).toStrictEqual(['1-0-0', '1-1-0', '2-0-0', 'cmcd-1-0-0']);
    expect(rows[3]).toMatchObject({ status: 'released', bundled: true, current: true });
  });
});

describe('beacons schemas diff', () => {
  it('prints added, removed and changed paths with their impact', async () => {
    expect(await main(['schemas', 'diff', '1-0-0', '1-1-0'])).toBe(0);
    const text = out.join('\n');
    expect(text.split('\n').slice(0, 5)).toStrictEqual([
      '1-0-0 → 1-1-0: 11 change(s)',
      '',
      'Added:',
      '  ADDITION   /$defs/envelope/properties/drm_system',
      '             optional property drm_system added where no other property was allowed',
    ]);
    expect(text).toContain('Changed:\n  ANNOTATION /$id\n             $id changed\n');
    expect(text).toContain(
      '  ANNOTATION /$defs/envelope/properties/schema_version/const\n             the version stamp "1-0-0" → "1-1-0"',
    );
    expect(text).not.toContain('Removed:');
  });

  it('takes file paths too', async () => {
    const file = path.join(tmp, '2-1-0.json');
    expect(await main(['schemas', 'diff', path.join(SCHEMAS_DIR, '2-0-0.json'), file])).toBe(0);
    // The same schema: only its stamp would differ, and here not even that.
    expect(out).toStrictEqual([`${path.join(SCHEMAS_DIR, '2-0-0.json')} → ${file}: 0 change(s)`]);
  });
});
