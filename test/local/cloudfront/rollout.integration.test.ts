/**
 * The rollout switch on the local CloudFront: the BUILT viewer-request function reads the rules
 * from the data directory's KeyValueStore file and passes them on in its headers, the BUILT
 * origin-request bundle decides. An edit of the file (what `beacons rollout set` writes) applies
 * on the next requests without a restart; a client cannot forge the rules; a refused request
 * leaves one rollout refusal on the bad-rows stream and no bad row.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KVS_KEYS, kvsSeed } from '../../../edge/kvs.js';
import { ROLLOUT_HEADERS } from '../../../edge/rollout.js';
import { DEV_DEFAULTS, LOCAL_BAD_ROW_STREAM, localStreamNames } from '../../../local/config.js';
import {
  buildLocalEdgeFiles,
  loadLocalEdge,
  localEdgeConfig,
} from '../../../local/cloudfront/edge-build.js';
import { createCloudFrontEmulator } from '../../../local/cloudfront/emulator.js';
import {
  formatKvsFile,
  KVS_FILE_NAME,
  LocalKeyValueStore,
  parseKvsFile,
} from '../../../local/cloudfront/kvs.js';
import type { RolloutRefusal } from '../../../schemas/record.js';
import { makeBatch } from '../../helpers/batch-factory.js';
import { readStream, startTestKinesis, type TestKinesis } from '../../helpers/kinesis-streams.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-rollout-'));
const kvsFile = path.join(tmp, KVS_FILE_NAME);
let kinesis: TestKinesis;
let server: http.Server;
let base: string;

/** Sets one rollout key in the store file, as `beacons rollout set` does. */
function setKey(key: string, value: string): void {
  const entries = parseKvsFile(fs.readFileSync(kvsFile, 'utf8')).filter((e) => e.key !== key);
  fs.writeFileSync(kvsFile, formatKvsFile([...entries, { key, value }]));
}

function send(
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}/v1/events`,
      {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: 'https://video.example', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

beforeAll(async () => {
  const regions = DEV_DEFAULTS.regions;
  kinesis = await startTestKinesis({ streams: localStreamNames(regions) });
  const config = localEdgeConfig(kinesis.endpoint, regions);
  fs.writeFileSync(kvsFile, formatKvsFile(kvsSeed(config)));
  // Checked on every request: the stack checks every kvsCheckEveryMs, which only delays an edit.
  const kvs = LocalKeyValueStore.open(kvsFile, { checkEveryMs: 0 });
  const edge = await loadLocalEdge(
    await buildLocalEdgeFiles(config, path.join(tmp, 'edge')),
    () => {},
    kvs,
  );
  const handler = createCloudFrontEmulator({
    viewerFunction: edge.viewerFunction,
    originHandler: edge.originHandler,
    distributionId: 'EROLLOUT',
    distributionDomainName: 'drollout.cloudfront.net',
  });
  server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  server?.closeAllConnections();
  if (server) await new Promise((r) => server.close(r));
  await kinesis?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('rollout through the local CloudFront', () => {
  it('applies each edit of the store file on the next request, whatever the client sends', {
    timeout: 60_000,
  }, async () => {
    const batch = () => makeBatch({ types: ['started', 'paused'] });
    // Seeded without rules: accepted, even with a forged retirement in the request.
    const forged = { [ROLLOUT_HEADERS.schema]: '1-0-0:retired' };
    expect((await send(batch(), forged)).status).toBe(204);

    setKey(KVS_KEYS.rolloutSchemas, '1-0-0:deprecated,since=2026-11-30,sunset=2027-03-01');
    const deprecated = await send(batch(), forged);
    expect(deprecated.status).toBe(204);
    expect(deprecated.headers).toMatchObject({
      deprecation: `@${Date.UTC(2026, 10, 30) / 1000}`,
      sunset: 'Mon, 01 Mar 2027 00:00:00 GMT',
      'access-control-expose-headers': 'retry-after, deprecation, sunset',
    });

    setKey(KVS_KEYS.rolloutSchemas, '1-0-0:retired,upgrade=2-0-0');
    const refused = batch();
    const gone = await send(refused, { [ROLLOUT_HEADERS.schema]: '-' });
    expect(gone.status).toBe(410);
    expect(JSON.parse(gone.body)).toStrictEqual({
      error: 'schema_retired',
      detail: 'schema_version 1-0-0 is retired; send 2-0-0',
      upgrade: '2-0-0',
    });

    setKey(KVS_KEYS.rolloutSchemas, '-');
    expect((await send(batch())).status).toBe(204);

    // The refusal was written before the 410: one record of its kind, no bad row.
    const records = (await readStream(kinesis.client, LOCAL_BAD_ROW_STREAM)).map(
      (r) => JSON.parse(r.data) as RolloutRefusal,
    );
    expect(records).toStrictEqual([
      expect.objectContaining({
        kind: 'rollout_refusal',
        status: 410,
        reason: 'schema_retired',
        rule: '1-0-0:retired,upgrade=2-0-0',
        session_id: refused.session_id,
        events: 2,
      }),
    ]);
  });
});
