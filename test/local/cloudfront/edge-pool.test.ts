import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildLocalEdgeFiles,
  loadLocalEdge,
  localEdgeConfig,
  type LocalEdgeFiles,
} from '../../../local/cloudfront/edge-build.js';
import { startEdgePool, type EdgePool } from '../../../local/cloudfront/edge-pool.js';
import type { EdgeWorkerData } from '../../../local/cloudfront/edge-protocol.js';
import { createCloudFrontEmulator } from '../../../local/cloudfront/emulator.js';
import { formatKvsFile, LocalKeyValueStore } from '../../../local/cloudfront/kvs.js';
import { KVS_KEYS } from '../../../edge/kvs.js';
import { DEV_DEFAULTS, localStreamNames } from '../../../local/config.js';
import {
  ensureStreams,
  localKinesisClient,
  startKinesalite,
  type LocalKinesis,
} from '../../../local/kinesis-local.js';
import { makeBatch } from '../../helpers/batch-factory.js';

/**
 * The edge worker pool runs the same built edge code as the in-thread emulator and must answer
 * exactly as it does; it also replaces a worker stuck in an endless loop.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-edge-pool-'));
let kinesis: LocalKinesis;
let files: LocalEdgeFiles;
const servers: http.Server[] = [];
const pools: EdgePool[] = [];

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

async function serve(handler: Handler): Promise<string> {
  const server = http.createServer((req, res) => void handler(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function workerData(f: { viewerRequest: string; originRequest: string }): EdgeWorkerData {
  return {
    viewerRequestFile: f.viewerRequest,
    originRequestFile: f.originRequest,
    distributionId: DEV_DEFAULTS.distributionId,
    distributionDomainName: DEV_DEFAULTS.distributionDomainName,
    viewerBudgetMs: DEV_DEFAULTS.viewerBudgetMs,
    viewerWarmupRuns: DEV_DEFAULTS.viewerWarmupRuns,
    lambdaTimeoutMs: DEV_DEFAULTS.lambdaTimeoutMs,
  };
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends a request; `chunked` sends the body without Content-Length. Drops headers that differ per request. */
function send(
  base: string,
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: string,
  chunked = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${target}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers))
          if (!['x-amz-cf-id', 'date', 'connection', 'keep-alive'].includes(k)) h[k] = String(v);
        resolve({
          status: res.statusCode ?? 0,
          headers: h,
          body: Buffer.concat(chunks).toString(),
        });
      });
    });
    req.on('error', reject);
    if (body !== undefined && chunked) {
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 20);
    } else req.end(body);
  });
}

beforeAll(async () => {
  kinesis = await startKinesalite();
  const client = localKinesisClient(kinesis.endpoint);
  await ensureStreams(client, localStreamNames(), 1);
  client.destroy();
  files = await buildLocalEdgeFiles(localEdgeConfig(kinesis.endpoint), path.join(tmp, 'build'));
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  for (const p of pools) await p.close();
  await kinesis.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('edge worker pool', () => {
  it('answers every kind of request exactly as the in-thread emulator does', async () => {
    const pool = await startEdgePool({
      workerFile: files.edgeWorker,
      workers: 2,
      data: workerData(files),
    });
    pools.push(pool);
    const edge = await loadLocalEdge(files);
    const viaPool = await serve(pool.handler);
    const inThread = await serve(
      createCloudFrontEmulator({
        viewerFunction: edge.viewerFunction,
        originHandler: edge.originHandler,
        distributionId: DEV_DEFAULTS.distributionId,
        distributionDomainName: DEV_DEFAULTS.distributionDomainName,
      }),
    );
    const fra = {
      'content-type': 'text/plain',
      'x-beacon-pop': 'FRA56-C1',
      origin: 'https://player.example',
    };
    const valid = JSON.stringify(makeBatch({ types: ['started', 'paused'] }));
    const partlyBad = makeBatch({ types: ['started', 'paused'] });
    partlyBad.events[1] = { ...partlyBad.events[1], id: partlyBad.events[0].id };
    const cases: [string, string, Record<string, string>, string?, boolean?][] = [
      ['POST', '/v1/events', fra, valid],
      ['POST', '/v1/events', fra, JSON.stringify(makeBatch({ types: ['heartbeat'] })), true],
      ['POST', '/v1/events', fra, JSON.stringify(partlyBad)],
      ['POST', '/v1/events', fra, '{"not json'],
      ['POST', '/v1/events', fra, ''],
      ['POST', '/v1/events', { ...fra, 'content-type': 'image/png' }, valid],
      ['POST', '/v1/events', fra, 'x'.repeat(70_000)],
      ['OPTIONS', '/v1/events', { ...fra, 'access-control-request-method': 'POST' }],
      ['GET', '/v1/events', fra],
      ['POST', '/elsewhere', fra, valid],
    ];
    const statuses: number[] = [];
    for (const [method, target, headers, body, chunked] of cases) {
      const a = await send(viaPool, method, target, headers, body, chunked);
      const b = await send(inThread, method, target, headers, body, chunked);
      expect({ method, target, ...a }).toStrictEqual({ method, target, ...b });
      statuses.push(a.status);
    }
    expect(statuses).toStrictEqual([204, 204, 200, 400, 400, 415, 413, 204, 405, 404]);
  });

  it('serves the KeyValueStore file to the function in workers and in-thread alike, edits included', async () => {
    const kvsFile = path.join(tmp, 'kvs.json');
    const allow = (value: string) =>
      fs.writeFileSync(kvsFile, formatKvsFile([{ key: KVS_KEYS.allowedOrigins, value }]));
    allow('https://player.example');
    const pool = await startEdgePool({
      workerFile: files.edgeWorker,
      workers: 1,
      data: { ...workerData(files), kvsFile, kvsCheckEveryMs: 0 },
    });
    pools.push(pool);
    const edge = await loadLocalEdge(
      files,
      undefined,
      LocalKeyValueStore.open(kvsFile, { checkEveryMs: 0 }),
    );
    const bases = [
      await serve(pool.handler),
      await serve(
        createCloudFrontEmulator({
          viewerFunction: edge.viewerFunction,
          originHandler: edge.originHandler,
          distributionId: DEV_DEFAULTS.distributionId,
          distributionDomainName: DEV_DEFAULTS.distributionDomainName,
        }),
      ),
    ];
    const valid = JSON.stringify(makeBatch({ types: ['started'] }));
    const from = (origin: string) => ({ 'content-type': 'text/plain', origin });
    /** The same request to both; their answers must agree. Returns the status and CORS allow. */
    const both = async (method: string, headers: Record<string, string>, body?: string) => {
      const [a, b] = [
        await send(bases[0], method, '/v1/events', headers, body),
        await send(bases[1], method, '/v1/events', headers, body),
      ];
      expect(a).toStrictEqual(b);
      return [a.status, a.headers['access-control-allow-origin'] ?? null];
    };
    // The compiled list (local defaults) allows any origin; the store does not.
    expect(await both('POST', from('https://evil.example'), valid)).toStrictEqual([403, null]);
    expect(await both('OPTIONS', from('https://evil.example'))).toStrictEqual([403, null]);
    expect(await both('POST', from('https://player.example'), valid)).toStrictEqual([
      204,
      'https://player.example',
    ]);
    allow('https://player.example https://evil.example');
    expect(await both('POST', from('https://evil.example'), valid)).toStrictEqual([
      204,
      'https://evil.example',
    ]);
  });

  it('replaces a worker stuck in an endless loop and answers its requests 503', async () => {
    const viewerRequest = path.join(tmp, 'hanging-viewer.js');
    const originRequest = path.join(tmp, 'origin.mjs');
    fs.writeFileSync(
      viewerRequest,
      `function handler(event) { if (event.request.headers['x-hang']) { for (;;) {} } return event.request; }\n`,
    );
    fs.writeFileSync(
      originRequest,
      `export const handler = async () => ({ status: '204', statusDescription: 'No Content', headers: {} });\n`,
    );
    const lines: string[] = [];
    const pool = await startEdgePool({
      workerFile: files.edgeWorker,
      workers: 1,
      data: workerData({ viewerRequest, originRequest }),
      stuckAfterMs: 1000,
      log: (l) => lines.push(l),
    });
    pools.push(pool);
    const base = await serve(pool.handler);
    expect(
      (await send(base, 'POST', '/v1/events', { 'content-type': 'text/plain' }, '{}')).status,
    ).toBe(204);
    const hung = await send(
      base,
      'POST',
      '/v1/events',
      { 'content-type': 'text/plain', 'x-hang': '1' },
      '{}',
    );
    expect(hung.status).toBe(503);
    expect(JSON.parse(hung.body)).toStrictEqual({
      error: 'edge_unavailable',
      detail: expect.stringContaining('restarted'),
    });
    expect(lines.some((l) => l.includes('replacing an edge worker'))).toBe(true);
    expect(
      (await send(base, 'POST', '/v1/events', { 'content-type': 'text/plain' }, '{}')).status,
    ).toBe(204);
  });
});
