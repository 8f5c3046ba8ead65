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
    const started = startOf(process.pid);
    expect(fs.readFileSync(path.join(dir, 'beacons.lock'), 'utf8')).toBe(
      `${process.pid}\n${started ? `${started}\n` : ''}`,
    );
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
    expect(fs.readFileSync(path.join(dir, 'beacons.lock'), 'utf8').split('\n')[0]).toBe(
      String(process.pid),
    );
    await release();
  });

  // The CI and the local stack run on Linux, where /proc says when a process started.
  it.runIf(process.platform === 'linux')(
    'takes over a lock whose pid now belongs to another process, not one whose holder still runs',
    async () => {
      const lock = path.join(dir, 'beacons.lock');
      // A live pid with the start time of an earlier process: the pid was reused.
      fs.writeFileSync(lock, `${process.ppid}\n${Number(startOf(process.ppid)) - 1}\n`);
      const release = await lockDataDir(dir);
      await release();
      fs.writeFileSync(lock, `${process.ppid}\n${startOf(process.ppid)}\n`);
      await expect(lockDataDir(dir)).rejects.toBeInstanceOf(DataDirBusyError);
      fs.rmSync(lock);
    },
  );
});

/** A process's start time as /proc/<pid>/stat gives it ('' off Linux). */
function startOf(pid: number): string {
  if (process.platform !== 'linux') return '';
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}
