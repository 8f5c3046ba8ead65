/**
 * scripts/check-chromium.mjs, which CI runs after installing Chromium: it checks the path the
 * browser tests use (bench/chromium.ts), and fails for a missing, non-executable or broken browser.
 * A small shell script stands in for Chromium, so the test runs whether Chromium is installed or not.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../../bench/chromium.js';
// @ts-expect-error: plain .mjs script without type declarations
import { chromiumPath } from '../../scripts/check-chromium.mjs';
import { tempDir } from '../helpers/temp-store.js';

const dir = tempDir('check-chromium-');
afterAll(() => dir.remove());

const SCRIPT = path.resolve('scripts/check-chromium.mjs');

/** Runs the check as CI does, with CHROMIUM_PATH set to `file`. */
function check(file: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT], {
    encoding: 'utf8',
    env: { ...process.env, CHROMIUM_PATH: file },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** An executable stand-in that prints `output` and exits with `code`. */
function fakeBrowser(name: string, output: string, code: number, mode = 0o755): string {
  const file = dir.file(name);
  fs.writeFileSync(file, `#!/bin/sh\necho '${output}'\nexit ${code}\n`, { mode });
  return file;
}

describe('scripts/check-chromium.mjs', () => {
  it('checks the path the browser tests launch', async () => {
    expect(await chromiumPath()).toBe(CHROMIUM_PATH);
  });

  it('passes for a browser that answers --version, naming the path', () => {
    const file = fakeBrowser('chromium-ok', 'Chromium 1.2.3', 0);
    const r = check(file);
    expect(r.status).toBe(0);
    expect(r.out).toContain(`${file} (Chromium 1.2.3)`);
  });

  it('fails for a missing, a non-executable and a broken browser', () => {
    const missing = dir.file('no-such-chromium');
    const noExec = fakeBrowser('chromium-noexec', 'Chromium 1.2.3', 0, 0o644);
    const broken = fakeBrowser('chromium-broken', 'cannot open display', 3);
    const results = [missing, noExec, broken].map(check);
    expect(results.map((r) => r.status)).toStrictEqual([1, 1, 1]);
    expect(results[0].out).toContain(`no Chromium at ${missing}`);
    expect(results[1].out).toContain(`${noExec} is not executable`);
    expect(results[2].out).toContain(`${broken} --version failed (exit 3)`);
  });
});
