/**
 * The `beacons` command as a user runs it (the bin shim over the built bundle) in a child
 * process, for the CLI's end-to-end tests. Children are tracked so a test file can kill any that
 * are left with {@link killCliChildren}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The `beacons` bin shim. */
export const BEACONS_BIN = path.join(root, 'bin', 'beacons.mjs');
const children: ChildProcess[] = [];

/** A started `beacons` child, its output so far, and its exit code once it exits. */
export interface CliChild {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** Starts `beacons <args>` and resolves once `marker` was printed; rejects if it exits first. */
export function startCliUntil(args: string[], marker: RegExp): Promise<CliChild> {
  const child = spawn(process.execPath, [BEACONS_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (marker.test(out)) resolve({ child, output: () => out, exit });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exit.then((code) => reject(new Error(`exited with ${code} before ${marker}:\n${out}`)));
  });
}

/** Kills every child this module started that is still running. */
export function killCliChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
