import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs build script without type declarations
import { buildCli } from '../../scripts/build-cli.mjs';
import { BEACONS_BIN, killCliChildren, startCliUntil } from '../helpers/cli-process.js';

/** The `beacons` command as a user runs it: the bin shim over the built bundle, in a child process. */
const _root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = BEACONS_BIN;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-cli-'));

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // Without the caller's BEACONS_API_TOKEN, so the binding rule is seen as a new user meets it.
  const { BEACONS_API_TOKEN: _, ...env } = process.env;
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    env,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  await buildCli();
});

afterAll(() => {
  killCliChildren();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('beacons CLI', () => {
  it('prints help', () => {
    const r = run(['help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('beacons dev [--port 8787] [--data-dir .data] [--host 127.0.0.1]');
    expect(r.stdout).toContain('beacons simulate');
  });

  it.each([
    [
      ['launch'],
      'beacons: unknown command "launch"; the commands are dev, simulate, diagnose, cost, grafana, rollout, schemas and help',
    ],
    [['dev', '--port', 'abc'], 'beacons: --port must be a whole number, got "abc"'],
    [['dev', '--port', '70000'], 'beacons: --port must be between 0 and 65535, got 70000'],
    [['dev', '--verbose'], "beacons: beacons dev: Unknown option '--verbose'"],
    [
      ['dev', '--host', '0.0.0.0'],
      'beacons: --host 0.0.0.0 would let other machines read the dashboard and API, so it needs an API token: set BEACONS_API_TOKEN (e.g. BEACONS_API_TOKEN=$(openssl rand -hex 32)) or pass --api-token. Without --host the stack listens on 127.0.0.1 only.',
    ],
    [
      ['dev', '--api-token', 'short'],
      'beacons: the API token must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ - (got 5 characters); make one with: openssl rand -hex 32',
    ],
    [
      ['simulate', '--url', 'http://example.com:8787'],
      'beacons: the simulator only sends to loopback (127.0.0.1, ::1, localhost), not example.com',
    ],
    [
      ['simulate', '--duration', '2 minutes'],
      'beacons: --duration must be seconds or a duration such as 90s, 2m or 1h, got "2 minutes"',
    ],
    [
      ['simulate', '--duration', '2h'],
      'beacons: --duration must be between 1 s and 3600 s, got "2h"',
    ],
    [
      ['simulate', '--fault', 'pop=MAD50-C2:stall-rate=5'],
      'beacons: --fault "pop=MAD50-C2:stall-rate=5": stall-rate must be a factor such as 5x or 0.5x (above 0, at most 50x), got "5"',
    ],
    [
      ['simulate', '--backfill', '10', '--viewers', '3'],
      'beacons: --viewers does not apply to --backfill, which writes into the store directly',
    ],
    [['simulate', '--since', '1h'], 'beacons: --since only applies with --backfill N'],
    [['cost', '--viewers', 'lots'], 'beacons: --viewers must be a whole number, got "lots"'],
  ])('explains a usage error: %j', (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
  });

  it('prints the cost comparison as JSON', () => {
    const r = run([
      'cost',
      '--viewers',
      '1000',
      '--hours',
      '1',
      '--events-per-minute',
      '6',
      '--batch-size',
      '10',
      '--regions',
      '1',
      '--json',
    ]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.estimates.map((e: { events: number }) => e.events)).toStrictEqual([
      10_800_000, 10_800_000,
    ]);
    expect(out.pricesDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(out.estimates[1].usdPerMillionEvents).toBeGreaterThan(
      out.estimates[0].usdPerMillionEvents,
    );
  });

  it('says what to do when the bundle is missing', () => {
    const lonely = path.join(tmp, 'pkg', 'bin');
    fs.mkdirSync(lonely, { recursive: true });
    fs.copyFileSync(bin, path.join(lonely, 'beacons.mjs'));
    const r = spawnSync(process.execPath, [path.join(lonely, 'beacons.mjs'), 'help'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      'beacons: dist/cli.mjs is missing. Run "npm run build" (or "npm install") first.',
    );
  });

  it('runs dev, takes a simulation, and stops cleanly with exit 0 on SIGINT', async () => {
    const dataDir = path.join(tmp, 'data');
    const dev = await startCliUntil(
      ['dev', '--port', '0', '--data-dir', dataDir],
      /Press Ctrl-C to stop/,
    );
    const url = /Dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\/dashboard/.exec(dev.output())?.[1];
    expect(url).toBeDefined();
    expect(dev.output()).not.toContain('NodeVersionSupportWarning');
    // The default audience plays while the stack runs, and says how to turn it off.
    expect(dev.output()).toContain('A simulated audience of 30 viewers is playing');
    expect(dev.output()).toContain('--no-simulate');
    // The V8 flag dev sets (DEV_DEFAULTS.heapGrowingPercent) exists in this Node: V8 says otherwise on stderr.
    expect(dev.output()).not.toMatch(/unrecognized flag/);

    const sim = spawnSync(
      process.execPath,
      [bin, 'simulate', '--url', url!, '--viewers', '10', '--duration', '3s', '--seed', '7'],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(sim.status, sim.stderr).toBe(0);
    const done = /done: (\d+) requests, (\d+) events, (\d+) accepted/.exec(sim.stdout);
    expect(done).not.toBeNull();
    expect(Number(done?.[2])).toBeGreaterThan(10);
    expect(done?.[3]).toBe(done?.[2]);

    const health = (await (await fetch(`${url}/api/v1/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    dev.child.kill('SIGINT');
    expect(await dev.exit).toBe(0);
    expect(dev.output()).toContain('stopped cleanly.');
    // A second stack may now use the same data directory (every lock was released).
    const again = await startCliUntil(
      ['dev', '--port', '0', '--data-dir', dataDir],
      /Press Ctrl-C to stop/,
    );
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(0);
  });

  it('stops cleanly when the signal comes while the stack is still starting', async () => {
    const dev = await startCliUntil(
      ['dev', '--port', '0', '--data-dir', path.join(tmp, 'early')],
      /^kinesalite /m,
    );
    dev.child.kill('SIGINT');
    expect(await dev.exit).toBe(0);
    expect(dev.output()).toContain('SIGINT: stopping');
    expect(dev.output()).toContain('stopped cleanly.');
    expect(dev.output()).not.toContain('Press Ctrl-C');
  });

  it('refuses a data directory another stack is using', async () => {
    const dataDir = path.join(tmp, 'busy');
    const first = await startCliUntil(
      ['dev', '--port', '0', '--data-dir', dataDir],
      /Press Ctrl-C to stop/,
    );
    try {
      const second = run(['dev', '--port', '0', '--data-dir', dataDir]);
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(
        `beacons: data directory ${dataDir} is in use by another process (is "beacons dev" already running?)`,
      );
    } finally {
      first.child.kill('SIGINT');
      expect(await first.exit).toBe(0);
    }
  });
});
