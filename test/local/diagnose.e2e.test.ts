/**
 * `beacons diagnose` against `beacons dev`: simulated viewers through the local edge, stored with
 * their rollups, and the command (the built CLI in a child process) asked over HTTP.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevStack } from '../../local/dev.js';
import { parseFault } from '../../local/sim/faults.js';
import { runSimulation } from '../../local/sim/simulation.js';
// @ts-expect-error plain .mjs build script without type declarations
import { buildCli } from '../../scripts/build-cli.mjs';
import { BEACONS_BIN } from '../helpers/cli-process.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-diagnose-'));
let dev: DevStack;

function diagnose(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BEACONS_BIN, 'diagnose', ...args],
      { encoding: 'utf8', timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  await buildCli();
  dev = await startDev({ port: 0, dataDir: path.join(tmp, 'data'), pollIntervalMs: 50 });
}, 180_000);

afterAll(async () => {
  await dev?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('beacons diagnose on beacons dev', () => {
  it('answers an empty stack with no findings', async () => {
    const r = await diagnose(['--since', '15m', '--json', '--target', dev.url]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toStrictEqual([]);
  });

  it('ranks the slice with slow starts first after simulated traffic', async () => {
    const s = await runSimulation({
      url: dev.url,
      viewers: 400,
      durationSeconds: 25,
      seed: 7,
      faults: [parseFault('region=us-east-1:startup=+3s')],
    });
    expect(s.eventsAccepted).toBeGreaterThan(1_000);
    // Wait until the consumer has stored every acknowledged event (and so its rollups).
    const since = new Date(s.startedAt - 60_000).toISOString();
    for (let i = 0; i < 120; i++) {
      const counts = (await (
        await fetch(`${dev.url}/api/v1/counts?since=${since}`)
      ).json()) as Record<string, number>;
      if (Object.values(counts).reduce((a, b) => a + b, 0) >= s.eventsAccepted) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const r = await diagnose(['--since', '5m', '--json', '--target', dev.url]);
    expect(r.stderr).toBe('');
    const findings = JSON.parse(r.stdout) as { metric: string; dimension: string; value: string }[];
    expect(findings[0]).toMatchObject({
      metric: 'startup_time',
      dimension: 'serving_region',
      value: 'us-east-1',
    });
    const text = await diagnose(['--since', '5m', '--target', dev.url]);
    expect(text.stdout).toMatch(/\n1 +Startup time p(50|90) +serving_region=us-east-1 /);
  }, 180_000);
});
