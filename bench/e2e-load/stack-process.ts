/**
 * The stack under test as a separate process: the real CLI (`beacons dev --port P --data-dir D`)
 * built from this checkout with the same build step as dist/cli.mjs (into dist/bench-cli.mjs, so
 * a test that uses dist/cli.mjs at the same time is not disturbed), run through a copy of
 * bin/beacons.mjs, and stopped with SIGINT as a user would.
 *
 * Diagnostics from the environment: BENCH_CPU_PROF=<dir> runs the stack under `node --cpu-prof`
 * (one profile per thread); BENCH_STACK_LOG=<file> keeps the stack's output;
 * BENCH_EDGE_WORKERS=<n> passes --edge-workers; BENCH_NODE_ARGS adds node flags.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.cwd();
/** A stack that has not exited this long after SIGINT is killed. */
const STOP_LIMIT_MS = 60_000;

/** A running stack process. */
export interface StackProcess {
  child: ChildProcess;
  url: string;
  /** The last lines of its stdout and stderr. */
  output: string[];
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Builds the CLI bundle for the benchmark and returns the shim that runs it. */
export async function buildCli(): Promise<string> {
  const mod = (await import(pathToFileURL(path.join(root, 'scripts', 'build-cli.mjs')).href)) as {
    buildCli: (o: { outfile: string }) => Promise<{ outfile: string }>;
  };
  const { outfile } = await mod.buildCli({ outfile: 'dist/bench-cli.mjs' });
  // The bundle only exports main(); bin/beacons.mjs is the shim that runs it. Same shim here.
  const shim = path.join(root, 'dist', 'bench', 'beacons.mjs');
  fs.mkdirSync(path.dirname(shim), { recursive: true });
  fs.writeFileSync(
    shim,
    `import { main } from ${JSON.stringify(pathToFileURL(outfile).href)};\nprocess.exit(await main(process.argv.slice(2)));\n`,
  );
  return shim;
}

/** Starts the stack and resolves with its URL once /api/v1/health answers. */
export async function startStack(
  cli: string,
  dataDir: string,
  port: number,
): Promise<StackProcess> {
  const profDir = process.env.BENCH_CPU_PROF;
  const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir)}`] : [];
  if (process.env.BENCH_NODE_ARGS) nodeArgs.push(...process.env.BENCH_NODE_ARGS.split(' '));
  const extra = process.env.BENCH_EDGE_WORKERS
    ? ['--edge-workers', process.env.BENCH_EDGE_WORKERS]
    : [];
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      cli,
      'dev',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--no-simulate',
      ...extra,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    },
  );
  const output: string[] = [];
  const logFile = process.env.BENCH_STACK_LOG;
  if (logFile) fs.writeFileSync(logFile, '');
  const keep = (chunk: Buffer) => {
    if (logFile) fs.appendFileSync(logFile, chunk);
    output.push(...chunk.toString().split('\n').filter(Boolean));
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`stack exited with ${child.exitCode}:\n${output.slice(-30).join('\n')}`);
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) return { child, url, output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`stack did not answer within 60 s:\n${output.slice(-30).join('\n')}`);
}

/** Sends SIGINT and resolves with the exit code and how long the stop took. */
export function stopStack(child: ChildProcess): Promise<{ code: number | null; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_LIMIT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: performance.now() - t0 });
    });
    child.kill('SIGINT');
  });
}
