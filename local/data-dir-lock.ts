/**
 * One `beacons dev` per data directory. kinesalite's LevelDB reports a second opener only as an
 * unhandled 'error' event that kills the process, so the stack takes its own lock file first and
 * answers a clear {@link DataDirBusyError} instead. A lock left by a process that no longer
 * exists (killed, crashed) is taken over.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { DataDirBusyError } from './errors.js';

/** Lock files held by this process (a second stack in the same process is refused too). */
const HELD = new Set<string>();

/** True if a process with this id exists (EPERM: it exists but belongs to someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dataDir>/beacons.lock` (the directory must exist) and returns its release function.
 * @throws DataDirBusyError when a live process holds it.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = path.join(dataDir, 'beacons.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      HELD.add(file);
      return async () => {
        if (HELD.delete(file)) await fs.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(await fs.readFile(file, 'utf8').catch(() => ''), 10);
      if (
        HELD.has(file) ||
        (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid))
      ) {
        throw new DataDirBusyError(dataDir);
      }
      // Stale: its owner is gone. Remove and try again (another starter may win the race: fine).
      await fs.rm(file, { force: true });
    }
  }
  throw new DataDirBusyError(dataDir);
}
