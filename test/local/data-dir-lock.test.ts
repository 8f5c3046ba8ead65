import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../local/data-dir-lock.js';
import { DataDirBusyError } from '../../local/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-lock-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('lockDataDir', () => {
  it('holds the directory until released, then lets the next one in', async () => {
    const release = await lockDataDir(dir);
    expect(fs.readFileSync(path.join(dir, 'beacons.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await expect(lockDataDir(dir)).rejects.toThrow(new DataDirBusyError(dir));
    await release();
    expect(fs.existsSync(path.join(dir, 'beacons.lock'))).toBe(false);
    const again = await lockDataDir(dir);
    await again();
  });

  it('refuses a lock held by another live process', async () => {
    // This test runner's parent is alive for the whole test.
    fs.writeFileSync(path.join(dir, 'beacons.lock'), `${process.ppid}\n`);
    await expect(lockDataDir(dir)).rejects.toBeInstanceOf(DataDirBusyError);
    fs.rmSync(path.join(dir, 'beacons.lock'));
  });

  it('takes over a lock whose process is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], {
      encoding: 'utf8',
    });
    fs.writeFileSync(path.join(dir, 'beacons.lock'), `${gone.stdout.trim()}\n`);
    const release = await lockDataDir(dir);
    expect(fs.readFileSync(path.join(dir, 'beacons.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await release();
  });
});
