/**
 * One `beacons dev` per data directory. kinesalite's LevelDB reports a second opener only as an
 * unhandled 'error' event that kills the process, so the stack takes its own lock file first and
 * answers a clear {@link DataDirBusyError} instead. A lock left by a process that no longer
 * exists (killed, crashed) is taken over. Where the kernel says when a process started (Linux
 * `/proc`), the lock records it too, so a lock whose pid now belongs to another process (pids are
 * reused, e.g. after a container restart) is recognised as stale as well.
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

/** When the process started, in the kernel's clock ticks since boot (Linux); undefined elsewhere. */
async function startTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm)", whose name may hold spaces: state is the 3rd, starttime the 22nd.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** True if the lock's holder (pid, and start time when recorded) is still running. */
async function holderRunning(pid: number, started: string | undefined): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !isAlive(pid)) return false;
  if (!started) return true;
  const now = await startTime(pid);
  return now === undefined || now === started;
}

/**
 * Takes `<dataDir>/beacons.lock` (the directory must exist) and returns its release function.
 * @throws DataDirBusyError when a live process holds it.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = path.join(dataDir, 'beacons.lock');
  const started = await startTime(process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n${started ? `${started}\n` : ''}`, { flag: 'wx' });
      HELD.add(file);
      return async () => {
        if (HELD.delete(file)) await fs.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const [pidLine, startedLine] = (await fs.readFile(file, 'utf8').catch(() => '')).split('\n');
      if (HELD.has(file) || (await holderRunning(Number.parseInt(pidLine, 10), startedLine))) {
        throw new DataDirBusyError(dataDir);
      }
      // Stale: its owner is gone. Remove and try again (another starter may win the race: fine).
      await fs.rm(file, { force: true });
    }
  }
  throw new DataDirBusyError(dataDir);
}
