/**
 * `beacons dev` as its own process, for the tests that inject a fault into the process itself
 * (a file-size limit with prlimit). Built from this checkout into its own bundle, so a test that
 * builds dist/cli.mjs at the same time is not disturbed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '../../bench/e2e-load/stack-process.js';
// @ts-expect-error plain .mjs build script without type declarations
import { buildCli } from '../../scripts/build-cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A running stack process. */
export interface StackProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Everything it printed so far. */
  output: () => string;
  /** SIGINT, as a user stops it; resolves with the exit code (SIGKILL after `limitMs`). */
  stop: (limitMs?: number) => Promise<number | null>;
}

/** Builds the CLI (once per name) and starts `beacons dev` on `dataDir`; resolves once /api/v1/health answers. */
export async function startStackProcess(dataDir: string, name: string): Promise<StackProcess> {
  const { outfile } = (await buildCli({ outfile: `dist/${name}-cli.mjs` })) as { outfile: string };
  const shim = path.join(root, 'dist', `${name}-beacons.mjs`);
  fs.writeFileSync(
    shim,
    `import { main } from ${JSON.stringify(pathToFileURL(outfile).href)};\nprocess.exit(await main(process.argv.slice(2)));\n`,
  );
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [shim, 'dev', '--port', String(port), '--data-dir', dataDir, '--no-simulate'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`stack exited with ${child.exitCode}:\n${out}`);
    const up = await fetch(`${url}/api/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`stack did not answer within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    pid: child.pid as number,
    url,
    output: () => out,
    stop: async (limitMs = 60_000) => {
      if (child.exitCode !== null) return child.exitCode;
      const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
      child.kill('SIGINT');
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
