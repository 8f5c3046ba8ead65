/**
 * `beacons rollout set|clear|list` through the CLI's `main` on a temporary data directory:
 * operands and flags become rules in the KeyValueStore file, the listing shows every bundled
 * schema version, and every mistake is a usage error (exit 2) with its exact message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../local/cli.js';
import { KVS_FILE_NAME, parseKvsFile } from '../../local/cloudfront/kvs.js';
import { rolloutCommand, utcToday } from '../../local/rollout-command.js';

let dir: string;
let out: string[];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-cmd-'));
  out = [];
  const record = (...a: unknown[]) => void out.push(a.map(String).join(' '));
  vi.spyOn(console, 'log').mockImplementation(record);
  vi.spyOn(console, 'error').mockImplementation(record);
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (...args: string[]) => main(['rollout', ...args, '--data-dir', dir]);
const stored = () =>
  Object.fromEntries(
    parseKvsFile(fs.readFileSync(path.join(dir, KVS_FILE_NAME), 'utf8')).map((e) => [
      e.key,
      e.value,
    ]),
  );

describe('beacons rollout', () => {
  it('set writes rules the edge reads; list shows them with every bundled version; clear removes them', async () => {
    expect(
      await run('set', '1-0-0', 'deprecated', '--since', '2026-11-01', '--sunset', '2027-03-01'),
    ).toBe(0);
    expect(out[0]).toBe('1-0-0: deprecated  since 2026-11-01  sunset 2027-03-01');
    expect(out[1]).toBe(
      `  rollout.schemas in the KeyValueStore file ${path.join(dir, KVS_FILE_NAME)}; a running "beacons dev" applies it within 250 ms, a later one at start`,
    );
    expect(await run('set', '2-0-0', 'live', '--sample', '0.25')).toBe(0);
    expect(await run('set', 'beacon-edge-web@0.1.0', 'retired', '--upgrade', '0.3.0')).toBe(0);
    expect(stored()).toStrictEqual({
      'cors.allowed-origins': '*',
      'rollout.schemas':
        '1-0-0:deprecated,since=2026-11-01,sunset=2027-03-01 2-0-0:live,sample=0.25',
      'rollout.sdks': 'beacon-edge-web@0.1.0:retired,upgrade=0.3.0',
    });

    out = [];
    expect(await run('list')).toBe(0);
    expect(out.join('\n').split('\n')).toStrictEqual([
      `Rollout rules in the KeyValueStore file ${path.join(dir, KVS_FILE_NAME)}`,
      '',
      'Schema versions:',
      '  1-0-0                  deprecated  since 2026-11-01  sunset 2027-03-01',
      '  1-1-0                  live',
      '  2-0-0                  live        sample 25 % of sessions  (what new clients send)',
      '  cmcd-1-0-0             live        (what new clients send)',
      '',
      'SDK releases:',
      '  beacon-edge-web@0.1.0  retired     upgrade 0.3.0',
    ]);

    out = [];
    expect(await run('list', '--json')).toBe(0);
    expect(JSON.parse(out.join('\n'))).toStrictEqual({
      schemas: [
        {
          subject: '1-0-0',
          state: 'deprecated',
          since: '2026-11-01',
          sunset: '2027-03-01',
          bundled: true,
          current: false,
        },
        { subject: '1-1-0', state: 'live', bundled: true, current: false },
        { subject: '2-0-0', state: 'live', sample: 0.25, bundled: true, current: true },
        { subject: 'cmcd-1-0-0', state: 'live', bundled: true, current: true },
      ],
      sdks: [{ subject: 'beacon-edge-web@0.1.0', state: 'retired', upgrade: '0.3.0' }],
      problems: [],
      missingKeys: [],
    });

    out = [];
    expect(await run('clear', '2-0-0')).toBe(0);
    expect(await run('clear', '2-0-0')).toBe(0);
    expect(await run('clear', 'beacon-edge-web@0.1.0')).toBe(0);
    expect(out.filter((l) => !l.startsWith('  '))).toStrictEqual([
      '2-0-0: rule removed; it is live',
      '2-0-0: no rule; it is live',
      'beacon-edge-web@0.1.0: rule removed; it is live',
    ]);
    expect(stored()).toStrictEqual({
      'cors.allowed-origins': '*',
      'rollout.schemas': '1-0-0:deprecated,since=2026-11-01,sunset=2027-03-01',
      'rollout.sdks': '-',
    });
  });

  it('deprecated without --since is deprecated since today (UTC)', async () => {
    expect(
      await rolloutCommand(['set', '1-1-0', 'deprecated', '--data-dir', dir], '2026-12-24'),
    ).toBe(0);
    expect(stored()['rollout.schemas']).toBe('1-1-0:deprecated,since=2026-12-24');
    expect(utcToday(new Date('2026-11-30T23:59:59.999Z'))).toBe('2026-11-30');
  });

  it('lists an empty store: every bundled version live, no SDK rules', async () => {
    expect(await run('list')).toBe(0);
    expect(out.join('\n')).toContain(
      '  1-0-0       live\n  1-1-0       live\n  2-0-0       live        (what new clients send)\n  cmcd-1-0-0  live        (what new clients send)\n\nSDK releases:\n  (no rules: every SDK release is live)',
    );
    expect(fs.existsSync(path.join(dir, KVS_FILE_NAME))).toBe(false);
  });

  it('shows entries the edge skips, and refuses to edit around them', async () => {
    fs.writeFileSync(
      path.join(dir, KVS_FILE_NAME),
      JSON.stringify({ data: [{ key: 'rollout.schemas', value: '1-0-0:retired 9-9-9:paused' }] }),
    );
    expect(await run('list')).toBe(0);
    const listing = out.join('\n');
    expect(listing).toContain('  1-0-0       retired\n');
    expect(
      listing.endsWith(
        '\n\nEntries the edge cannot read (it skips them):\n  9-9-9:paused: state must be one of live, deprecated, retired' +
          "\n\nrollout.sdks is not in the store: the edge applies the rules built into it, if any (none unless the deployment's configuration sets them)",
      ),
    ).toBe(true);
    out = [];
    expect(await run('set', '1-1-0', 'retired')).toBe(2);
    expect(out).toStrictEqual([
      'beacons: rollout.schemas holds entries the edge cannot read ("9-9-9:paused": state must be one of live, deprecated, retired); fix or remove them in the store first, so a change does not hide them',
    ]);
  });

  it.each([
    [
      ['rollout'],
      'beacons: unknown subcommand "rollout "; use rollout set, rollout clear or rollout list',
    ],
    [
      ['rollout', 'set', '1-0-0'],
      'beacons: usage: beacons rollout set <schema-version|sdk_name@sdk_version> <live|deprecated|retired> [--sample 0.1] [--since YYYY-MM-DD] [--sunset YYYY-MM-DD] [--upgrade V]',
    ],
    [
      ['rollout', 'clear'],
      'beacons: usage: beacons rollout clear <schema-version|sdk_name@sdk_version>',
    ],
    [['rollout', 'list', 'all'], 'beacons: beacons rollout list takes no operands, got "all"'],
    [
      ['rollout', 'set', '1-0-0', 'retired', '--force'],
      'beacons: beacons rollout set: Unknown option \'--force\'\nRun "beacons help" for the flags.',
    ],
    [
      ['rollout', 'set', '3-0-0', 'retired'],
      'beacons: schema version 3-0-0 is not a schema version this edge bundles (1-0-0, 1-1-0, 2-0-0, cmcd-1-0-0); a rule for it would never apply',
    ],
    [
      ['rollout', 'set', 'web', 'retired'],
      'beacons: "web" is neither a schema version (MODEL-REVISION-ADDITION, e.g. 1-0-0, or cmcd-1-0-0 for CMCD reports) nor an SDK release (<sdk_name>@<sdk_version>, e.g. beacon-edge-web@0.1.0)',
    ],
    [
      [
        'rollout',
        'set',
        '1-0-0',
        'retired',
        '--data-dir',
        '/tmp/x',
        '--kvs-arn',
        'arn:aws:cloudfront::123456789012:key-value-store/abc',
      ],
      'beacons: --kvs-arn and --data-dir name two stores; pass one',
    ],
    [
      ['rollout', 'list', '--kvs-arn', 'my-store'],
      'beacons: --kvs-arn must be a CloudFront KeyValueStore ARN, arn:aws:cloudfront::<account>:key-value-store/<id>, got "my-store"',
    ],
  ])('%j → exit 2: %s', async (args, message) => {
    expect(await main(args)).toBe(2);
    expect(out).toStrictEqual([message]);
  });
});
