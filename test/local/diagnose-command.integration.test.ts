import { execFile } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventQueries } from '../../core-pipeline/queries/types.js';
import { createApiHandler } from '../../local/api/index.js';
import { startLocalServer, type LocalServer } from '../../local/server.js';
// @ts-expect-error plain .mjs build script without type declarations
import { buildCli } from '../../scripts/build-cli.mjs';
import { BEACONS_BIN } from '../helpers/cli-process.js';
import { syntheticAudience } from '../helpers/diagnose-audience.js';
import { memoryRollups } from '../helpers/memory-rollups.js';

/**
 * `beacons diagnose` as a user runs it (the built CLI in a child process) against the local
 * HTTP server with its token guard and the real API route, over rollups held in memory (the
 * e2e test over `beacons dev` covers the store behind it).
 */
const TOKEN = 'diagnose-test-token-0123456789';
let server: LocalServer;
let open: LocalServer;

/** Runs the CLI in a child without blocking this process, whose event loop serves the API. */
function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const { BEACONS_API_TOKEN: _, ...rest } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BEACONS_BIN, 'diagnose', ...args],
      { encoding: 'utf8', timeout: 30_000, env: { ...rest, ...env } },
      (err, stdout, stderr) =>
        resolve({
          status: err ? (typeof err.code === 'number' ? err.code : null) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

/** A loopback port nothing listens on (taken and released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  await buildCli();
  const now = Date.now();
  const t0 = Math.floor(now / 60_000) * 60_000 - 9 * 60_000;
  const audience = syntheticAudience(8, 6_000, [
    { dimension: 'country', value: 'BR', kind: 'startup', factor: 3 },
  ]);
  const rows = audience.rows.map((r) => ({ ...r, minute: t0 + r.minute * 60_000 }));
  const ctx = {
    queries: {} as EventQueries,
    rollups: memoryRollups(rows),
    health: () => ({}),
  };
  const start = (apiToken?: string) =>
    startLocalServer({
      host: '127.0.0.1',
      port: 0,
      api: createApiHandler(ctx),
      edge: (_req, res) => void res.writeHead(404).end(),
      ingestPath: '/v1/events',
      apiToken,
    });
  server = await start(TOKEN);
  open = await start();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await open?.close();
});

describe('beacons diagnose', () => {
  it('prints the findings as JSON, most significant first', async () => {
    const r = await run(['--since', '15m', '--json', '--target', server.url, '--token', TOKEN]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const findings = JSON.parse(r.stdout) as {
      metric: string;
      dimension: string;
      value: string;
      score: number;
    }[];
    expect(findings.length).toBeGreaterThan(0);
    // The POP serving Brazil describes the same sessions as the country, and leads as finer.
    expect(findings[0]).toMatchObject({
      metric: 'startup_time',
      dimension: 'pop',
      value: 'GRU50-C1',
    });
    expect(findings[1]).toMatchObject({
      metric: 'startup_time',
      dimension: 'country',
      value: 'BR',
    });
    const scores = findings.map((f) => f.score);
    expect(scores).toStrictEqual([...scores].sort((a, b) => b - a));
  });

  it('prints a ranked table and the top finding per minute', async () => {
    const r = await run(['--target', open.url]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^Window \d{4}-\d\d-\d\d \d\d:\d\d–\d\d:\d\d UTC \(16 min\): 6,000 plays/,
    );
    expect(r.stdout).toMatch(
      /\n1 +Startup time p(50|90) +pop=GRU50-C1 \(≈ country=BR\) +\d\.\d\d s +\d\.\d\d s +\+\d+ %/,
    );
    expect(r.stdout).toContain('Top finding per minute: Startup time');
    expect(r.stdout).toMatch(/\d\d:\d\d {2}slice +\d\.\d\d s {3}rest +\d\.\d\d s/);
  });

  it('takes the token from BEACONS_API_TOKEN, and says when it is missing', async () => {
    expect(
      (await run(['--json', '--target', server.url], { BEACONS_API_TOKEN: TOKEN })).status,
    ).toBe(0);
    const r = await run(['--target', server.url]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      `beacons: ${server.url} refused: this stack needs its API token: send "Authorization: Bearer <token>"; pass --token or set BEACONS_API_TOKEN`,
    );
  });

  it('says so when no stack is running at the target', async () => {
    const port = await closedPort();
    const r = await run(['--target', `http://127.0.0.1:${port}`]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(
      new RegExp(
        `^beacons: no answer from http://127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\); is "beacons dev" running there\\? Start it with "npm start", or pass --target <URL>$`,
      ),
    );
  });

  it.each([
    [
      ['--since', 'yesterday'],
      'beacons: --since must be a duration such as 90s, 15m or 2h, got "yesterday"',
    ],
    [['--target', 'ftp://x'], 'beacons: --target must be an http or https URL, got "ftp://x"'],
    [['--limit', '0'], 'beacons: --limit must be between 1 and 100, got 0'],
  ])('explains a usage error: %j', async (args, message) => {
    const r = await run(args);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
  });

  it('passes the API’s refusal on', async () => {
    const r = await run(['--since', '2d', '--target', open.url]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      `beacons: ${open.url} answered 400 invalid_parameter: since: must be between 1m and 24h`,
    );
  });
});
