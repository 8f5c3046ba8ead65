/**
 * Every kind of refused body, sent over HTTP through the local CloudFront (the BUILT viewer-request
 * function, then the BUILT origin-request bundle) with a CORS allow-list configured: each gets its
 * documented status and reason from the Lambda@Edge handler, not from the function, and leaves
 * exactly one bad row with that reason (one per event for `no_valid_events`). The bad-row stream
 * (kinesalite) is read back through the core's decoder into DuckDB and the rows are looked up by
 * each request's CloudFront id. Requests that are not beacon requests at all (wrong path, wrong
 * method) are the function's to answer and leave none. No event record is written by any of them.
 * A refused event sent again in a second request is stored as one bad row.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecords } from '../../../core-pipeline/record-decoder.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { DEV_DEFAULTS, LOCAL_BAD_ROW_STREAM, localStreamNames } from '../../../local/config.js';
import {
  buildLocalEdgeFiles,
  loadLocalEdge,
  localEdgeConfig,
} from '../../../local/cloudfront/edge-build.js';
import { createCloudFrontEmulator } from '../../../local/cloudfront/emulator.js';
import { makeBatch, makeEvent } from '../../helpers/batch-factory.js';
import { readStream, startTestKinesis, type TestKinesis } from '../../helpers/kinesis-streams.js';
import {
  json,
  NOT_BEACONS,
  REFUSED,
  SITE,
  type RefusedRequest,
} from '../../helpers/refused-requests.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-refused-'));
let kinesis: TestKinesis;
let server: http.Server;
let base: string;
let store: DuckDbStore;

interface Answer {
  status: number;
  error: string | undefined;
  requestId: string;
  cache: string;
}

/** One request to the emulator; resolves with its status, error reason and CloudFront id. */
function send(s: RefusedRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { origin: s.origin ?? SITE };
    if (s.contentType !== undefined) headers['content-type'] = s.contentType;
    if (!s.chunked) headers['content-length'] = String(s.body.length);
    const req = http.request(
      `${base}${s.target ?? '/v1/events'}`,
      { method: s.method ?? 'POST', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: res.statusCode ?? 0,
            error: text ? (JSON.parse(text) as { error?: string }).error : undefined,
            requestId: String(res.headers['x-amz-cf-id']),
            cache: String(res.headers['x-cache']),
          });
        });
      },
    );
    req.on('error', reject);
    // Chunks of 64 KiB: a chunked body has no length for anyone to judge before it arrives.
    for (let i = 0; i < s.body.length; i += 65536) req.write(s.body.subarray(i, i + 65536));
    req.end();
  });
}

/**
 * Reads the whole bad-row stream through the core's decoder into DuckDB, as the consumer would
 * (idempotent: rows already stored keep their id). Returns the decoded rows.
 */
async function storeBadRowStream() {
  const records = await readStream(kinesis.client, LOCAL_BAD_ROW_STREAM);
  const decoded = decodeRecords(
    records.map((r, i) => ({
      kind: 'bad_rows' as const,
      data: new TextEncoder().encode(r.data),
      stream: LOCAL_BAD_ROW_STREAM,
      shardId: 'shardId-000000000000',
      sequenceNumber: String(i),
      receivedAt: Date.now(),
    })),
    Date.now(),
  );
  await store.writeBatch({ events: [], badRows: decoded.badRows, checkpoints: [] });
  return decoded.badRows;
}

beforeAll(async () => {
  const regions = DEV_DEFAULTS.regions;
  kinesis = await startTestKinesis({
    streams: localStreamNames(regions),
  });
  const config = { ...localEdgeConfig(kinesis.endpoint, regions), allowedOrigins: [SITE] };
  const edge = await loadLocalEdge(await buildLocalEdgeFiles(config, path.join(tmp, 'edge')));
  const handler = createCloudFrontEmulator({
    viewerFunction: edge.viewerFunction,
    originHandler: edge.originHandler,
    distributionId: 'EREFUSED',
    distributionDomainName: 'drefused.cloudfront.net',
  });
  server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  store = await DuckDbStore.open(path.join(tmp, 'store.duckdb'));
}, 120_000);

afterAll(async () => {
  server?.closeAllConnections();
  if (server) await new Promise((r) => server.close(r));
  await store?.close();
  await kinesis?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('refused bodies through the built edge', () => {
  it('each gets its status and reason from the handler and leaves exactly one bad row per refusal', {
    timeout: 120_000,
  }, async () => {
    const answers: Answer[] = [];
    for (const [name, request, status, reason] of REFUSED) {
      const a = await send(request);
      expect({ name, status: a.status, error: a.error, cache: a.cache }).toStrictEqual({
        name,
        status,
        error: reason,
        cache: 'LambdaGeneratedResponse from cloudfront',
      });
      answers.push(a);
    }
    for (const [name, request, status, reason] of NOT_BEACONS) {
      const a = await send(request);
      expect({ name, status: a.status, error: a.error, cache: a.cache }).toStrictEqual({
        name,
        status,
        error: reason,
        cache: 'FunctionGeneratedResponse from cloudfront',
      });
    }

    // A refusal is answered once its bad rows are written: the stream holds them all by now.
    await storeBadRowStream();

    const expected = REFUSED.flatMap(([name, , status, , reasons], i) =>
      reasons.map((reason) => ({ name, request_id: answers[i].requestId, status, reason })),
    );
    const rows = (await store.query(
      'SELECT request_id, status, reason, source, payload_truncated FROM bad_rows',
    )) as {
      request_id: string;
      status: number;
      reason: string;
      source: string;
      payload_truncated: boolean;
    }[];
    const byRequest = new Map(answers.map((a, i) => [a.requestId, REFUSED[i][0]]));
    const found = rows
      .map((r) => ({
        name: byRequest.get(r.request_id) ?? `unknown request ${r.request_id}`,
        request_id: r.request_id,
        status: r.status,
        reason: r.reason,
      }))
      .sort(
        (a, b) =>
          expected.findIndex((e) => e.name === a.name) -
          expected.findIndex((e) => e.name === b.name),
      );
    expect(found).toStrictEqual(expected);
    expect(rows.every((r) => r.source === 'edge')).toBe(true);
    // The cut body's row says so; every other payload is kept whole.
    const truncated = rows.filter((r) => r.payload_truncated);
    expect(truncated.map((r) => r.reason).sort()).toStrictEqual([
      'body_too_large',
      'body_too_large',
      'body_truncated',
    ]);

    // Nothing refused was written as an event.
    for (const stream of localStreamNames(DEV_DEFAULTS.regions)) {
      if (stream === LOCAL_BAD_ROW_STREAM) continue;
      expect({ stream, records: (await readStream(kinesis.client, stream)).length }).toStrictEqual({
        stream,
        records: 0,
      });
    }
  });

  it('keeps a refused event that a client sent again in a second request as one bad row', async () => {
    const batch = makeBatch({ types: ['started', 'paused'] });
    batch.events.push({ ...makeEvent('paused'), seq: -1 } as never);
    const body = json(batch);
    // The same bytes twice, as a client does when the first answer was lost.
    const first = await send({ body, contentType: 'text/plain' });
    const again = await send({ body, contentType: 'text/plain' });
    expect([first.status, again.status]).toStrictEqual([200, 200]);

    const decoded = (await storeBadRowStream()).filter((r) => r.session_id === batch.session_id);
    expect(decoded.map((r) => r.request_id)).toStrictEqual([first.requestId, again.requestId]);
    expect(
      await store.query('SELECT request_id, reason, "index" FROM bad_rows WHERE session_id = ?', [
        batch.session_id,
      ]),
    ).toStrictEqual([{ request_id: first.requestId, reason: 'invalid_event', index: 2 }]);
  });
});
