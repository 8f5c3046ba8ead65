/**
 * `beacons rollout` and `beacons schemas` as a user runs them: the bin shim over the built
 * bundle, in child processes, on a temporary data directory. And `--kvs-arn` from the bundle
 * against a recording stand-in for the KeyValueStore API on loopback (AWS_ENDPOINT_URL_*; the
 * client puts the account id in front of the host, which test/helpers/localhost-subdomains.mjs
 * sends to 127.0.0.1), which shows the shipped bundle signs with SigV4a and sends the ETag back in If-Match.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs build script without type declarations
import { buildCli } from '../../scripts/build-cli.mjs';
import { KVS_FILE_NAME, LocalKeyValueStore } from '../../local/cloudfront/kvs.js';
import { BEACONS_BIN } from '../helpers/cli-process.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-rollout-cli-'));
const dataDir = path.join(tmp, 'data');
const run = async (args: string[], env: Record<string, string> = {}) => {
  const { BEACONS_API_TOKEN: _, ...base } = process.env;
  try {
    const r = await promisify(execFile)(process.execPath, [BEACONS_BIN, ...args], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...base, ...env },
    });
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

beforeAll(async () => {
  await buildCli();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('beacons rollout (bundle)', () => {
  it('is in the help text, with schemas', async () => {
    const r = await run(['help']);
    expect(r.stdout).toContain(
      '  beacons rollout set <schema-version|sdk_name@sdk_version> <live|deprecated|retired>\n',
    );
    expect(r.stdout).toContain(
      '  beacons rollout list [--json] [--data-dir .data | --kvs-arn ARN]\n',
    );
    expect(r.stdout).toContain('  beacons schemas check <file> [--against <version>]\n');
  });

  it('set and list on a data directory, seen by a KeyValueStore reading the file', async () => {
    const set = await run([
      'rollout',
      'set',
      '1-0-0',
      'retired',
      '--upgrade',
      '2-0-0',
      '--data-dir',
      dataDir,
    ]);
    expect(set).toMatchObject({ status: 0, stderr: '' });
    expect(set.stdout.split('\n')[0]).toBe('1-0-0: retired     upgrade 2-0-0');
    const kvs = LocalKeyValueStore.open(path.join(dataDir, KVS_FILE_NAME), { checkEveryMs: 0 });
    const entries = () => Object.fromEntries(JSON.parse(kvs.current().json).entries);
    expect(entries()['rollout.schemas']).toBe('1-0-0:retired,upgrade=2-0-0');

    expect(
      (
        await run([
          'rollout',
          'set',
          'beacon-edge-web@0.1.0',
          'deprecated',
          '--since',
          '2026-11-01',
          '--data-dir',
          dataDir,
        ])
      ).status,
    ).toBe(0);
    expect(entries()['rollout.sdks']).toBe('beacon-edge-web@0.1.0:deprecated,since=2026-11-01');

    const list = await run(['rollout', 'list', '--data-dir', dataDir]);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('  1-0-0                  retired     upgrade 2-0-0\n');
    expect(list.stdout).toContain('  beacon-edge-web@0.1.0  deprecated  since 2026-11-01\n');

    const clear = await run(['rollout', 'clear', '1-0-0', '--data-dir', dataDir]);
    expect(clear.stdout.split('\n')[0]).toBe('1-0-0: rule removed; it is live');
    expect(entries()['rollout.schemas']).toBe('-');
  });

  it('keeps every change of commands run at once (they take turns on the file)', async () => {
    const dir = path.join(tmp, 'concurrent');
    const versions = [0, 1, 2, 3, 4, 5].map((i) => `0.${i}.0`);
    const results = await Promise.all(
      versions.map((v) => run(['rollout', 'set', `web@${v}`, 'retired', '--data-dir', dir])),
    );
    expect(results.map((r) => r.status)).toStrictEqual(versions.map(() => 0));
    const list = await run(['rollout', 'list', '--json', '--data-dir', dir]);
    expect(
      JSON.parse(list.stdout)
        .sdks.map((r: { subject: string }) => r.subject)
        .sort(),
    ).toStrictEqual(versions.map((v) => `web@${v}`));
  });

  it('refuses with exit 2 and a message', async () => {
    const r = await run([
      'rollout',
      'set',
      '1-0-0',
      'retired',
      '--sample',
      '0.5',
      '--data-dir',
      dataDir,
    ]);
    expect(r).toStrictEqual({
      status: 2,
      stdout: '',
      stderr:
        'beacons: --sample does not apply to retired: a retired version is refused for every session\n',
    });
  });
});

describe('beacons schemas (bundle)', () => {
  it('list shows each version released, bundled and its rollout state from the data directory', async () => {
    await run([
      'rollout',
      'set',
      '1-1-0',
      'deprecated',
      '--sunset',
      '2030-01-01',
      '--since',
      '2026-11-30',
      '--data-dir',
      dataDir,
    ]);
    const r = await run(['schemas', 'list', '--data-dir', dataDir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('  1-0-0  released, bundled\n         rollout: live\n');
    expect(r.stdout).toContain(
      '  1-1-0  released, bundled\n         rollout: deprecated  since 2026-11-30  sunset 2030-01-01\n',
    );
    expect(r.stdout).toContain('  2-0-0  released, bundled, what new clients send\n');
    const json = await run(['schemas', 'list', '--json', '--data-dir', path.join(tmp, 'empty')]);
    expect(
      JSON.parse(json.stdout).map((v: { version: string; status: string }) => [
        v.version,
        v.status,
      ]),
    ).toStrictEqual([
      ['1-0-0', 'released'],
      ['1-1-0', 'released'],
      ['2-0-0', 'released'],
      ['cmcd-1-0-0', 'released'],
    ]);
  });

  it('check passes the real 2-0-0 and fails a mislabelled copy with exit 1', async () => {
    const ok = await run(['schemas', 'check', 'schemas/beacon/2-0-0.json']);
    expect(ok.status).toBe(0);
    expect(ok.stdout.split('\n').slice(0, 2)).toStrictEqual([
      '2-0-0: OK',
      '  compared with 1-1-0: MODEL (version 2-0-0)',
    ]);
    const schema = JSON.parse(fs.readFileSync('schemas/beacon/2-0-0.json', 'utf8'));
    schema.$id = schema.$id.replace('2-0-0', '1-2-0');
    schema.$defs.envelope.properties.schema_version.const = '1-2-0';
    const file = path.join(tmp, '1-2-0.json');
    fs.writeFileSync(file, JSON.stringify(schema));
    const bad = await run(['schemas', 'check', file]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('1-2-0: FAILED\n');
    expect(bad.stdout).toContain(
      '  problem: the change from 1-1-0 is MODEL (breaking), so its version is 2-0-0, not 1-2-0\n',
    );
  });
});

describe('beacons rollout --kvs-arn (bundle)', () => {
  it('signs with SigV4a and writes with the ETag it read', async () => {
    const seen: { method: string; url: string; headers: http.IncomingHttpHeaders }[] = [];
    const server = http.createServer((req, res) => {
      seen.push({ method: req.method!, url: decodeURIComponent(req.url!), headers: req.headers });
      req.resume();
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && /\/keys\//.test(req.url!))
        json(
          404,
          { message: 'Key not found' },
          { 'x-amzn-errortype': 'ResourceNotFoundException' },
        );
      else if (req.method === 'GET')
        json(
          200,
          { ItemCount: 0, TotalSizeInBytes: 0, KvsARN: ARN, Created: 0 },
          { etag: 'ETAG-1' },
        );
      else json(200, { ItemCount: 1, TotalSizeInBytes: 20 }, { etag: 'ETAG-2' });
    });
    const ARN =
      'arn:aws:cloudfront::123456789012:key-value-store/0d1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8';
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const r = await run(['rollout', 'set', '1-0-0', 'retired', '--kvs-arn', ARN], {
        AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE: `http://localhost:${(server.address() as AddressInfo).port}`,
        NODE_OPTIONS: `--import=${path.resolve(import.meta.dirname, '../helpers/localhost-subdomains.mjs')}`,
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_REGION: 'eu-central-1',
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.split('\n')[1]).toBe(
        `  rollout.schemas in the KeyValueStore ${ARN}; every edge location applies it within seconds`,
      );
      expect(seen.map((s) => `${s.method} ${s.url}`)).toStrictEqual([
        `GET /key-value-stores/${ARN}`,
        `GET /key-value-stores/${ARN}/keys/rollout.schemas`,
        `PUT /key-value-stores/${ARN}/keys/rollout.schemas`,
      ]);
      expect(seen[2].headers['if-match']).toBe('ETAG-1');
      for (const s of seen) {
        expect(s.headers.authorization).toMatch(/^AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE\//);
        expect(s.headers['x-amz-region-set']).toBe('*');
      }
    } finally {
      server.close();
    }
  });
});
