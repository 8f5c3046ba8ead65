/**
 * A real InfluxDB for the tests and the benchmarks: Debian's `influxd` (package influxdb, 1.x) started on a free
 * loopback port with a temporary data dir, and stopped after. It speaks the line protocol on
 * `/write` and InfluxQL on `/query`, as Timestream for InfluxDB serves them for compatibility.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './e2e-load/stack-process.js';

/** Path of the server binary (`INFLUXD_PATH` overrides). */
export const INFLUXD_PATH = process.env.INFLUXD_PATH ?? '/usr/bin/influxd';

/** A running server. */
export interface Influxd {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Runs InfluxQL (`db` for SELECTs; epoch=ms so times come back as numbers). */
  query(q: string, db?: string): Promise<InfluxResult[]>;
  /** Creates a database (idempotent). */
  createDatabase(db: string): Promise<void>;
  stop(): Promise<void>;
}

/** One statement's result as InfluxDB returns it. */
export interface InfluxResult {
  statement_id: number;
  series?: {
    name: string;
    tags?: Record<string, string>;
    columns: string[];
    values: unknown[][];
  }[];
  error?: string;
}

/** Whether the binary exists (CI installs it; `.ci/run` fails without it). */
export function influxdAvailable(): boolean {
  try {
    fs.accessSync(INFLUXD_PATH, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Starts influxd and waits until `/ping` answers. */
export async function startInfluxd(): Promise<Influxd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'influxd-'));
  const httpPort = await freePort();
  const rpcPort = await freePort();
  const conf = [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${rpcPort}"`,
    `[meta]\n  dir = "${dir}/meta"`,
    `[data]\n  dir = "${dir}/data"\n  wal-dir = "${dir}/wal"\n  query-log-enabled = false`,
    `[http]\n  bind-address = "127.0.0.1:${httpPort}"\n  log-enabled = false`,
    '[monitor]\n  store-enabled = false',
    '[continuous_queries]\n  enabled = false',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'influxdb.conf'), conf);
  const log = fs.openSync(path.join(dir, 'influxd.log'), 'w');
  const child: ChildProcess = spawn(INFLUXD_PATH, ['-config', path.join(dir, 'influxdb.conf')], {
    stdio: ['ignore', log, log],
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `influxd exited (${child.exitCode}): ${fs.readFileSync(path.join(dir, 'influxd.log'), 'utf8')}`,
      );
    }
    try {
      if ((await fetch(`${url}/ping`)).status === 204) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('influxd did not answer /ping within 20 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  async function query(q: string, db?: string): Promise<InfluxResult[]> {
    const params = new URLSearchParams({ q, epoch: 'ms' });
    if (db) params.set('db', db);
    const res = await fetch(`${url}/query`, { method: 'POST', body: params });
    const body = (await res.json()) as { results?: InfluxResult[]; error?: string };
    if (!res.ok || body.error)
      throw new Error(`InfluxQL failed (${res.status}): ${body.error ?? JSON.stringify(body)}`);
    return body.results ?? [];
  }

  return {
    url,
    query,
    async createDatabase(db) {
      await query(`CREATE DATABASE "${db}"`);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.closeSync(log);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
