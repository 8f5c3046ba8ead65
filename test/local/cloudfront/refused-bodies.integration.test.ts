/**
 * Every kind of refused body, sent over HTTP through the local CloudFront (the BUILT viewer-request
 * function, then the BUILT origin-request bundle) with a CORS allow-list configured: each gets its
 * documented status and reason from the Lambda@Edge handler, not from the function, and leaves
 * exactly one bad row with that reason (one per event for `no_valid_events`). The bad-row stream
 * (kinesalite) is read back through the core's decoder into DuckDB and the rows are looked up by
 * each request's CloudFront id. Requests that are not beacon requests at all (wrong path, wrong
 * method) are the function's to answer and leave none. No event record is written by any of them.
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
import { ORIGIN_BODY_LIMIT } from '../../../local/cloudfront/origin-event.js';
import { LIMITS } from '../../../schemas/limits.js';
import { makeBatch, makeEvent } from '../../helpers/batch-factory.js';
import { readStream, startTestKinesis, type TestKinesis } from '../../helpers/kinesis-streams.js';

const SITE = 'https://video.example';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-refused-'));
let kinesis: TestKinesis;
let server: http.Server;
let base: string;
let store: DuckDbStore;

interface Send {
  body: Buffer;
  contentType?: string;
  origin?: string;
  /** Sent without Content-Length (Transfer-Encoding: chunked). */
  chunked?: boolean;
  method?: string;
  target?: string;
}
interface Answer {
  status: number;
  error: string | undefined;
  requestId: string;
  cache: string;
}

/** One request to the emulator; resolves with its status, error reason and CloudFront id. */
function send(s: Send): Promise<Answer> {
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

const text = (s: string) => Buffer.from(s);
const json = (v: unknown) => text(JSON.stringify(v));
const tooLarge = json({ pad: 'x'.repeat(LIMITS.maxBodyBytes) });

/** [name, request, status, response reason, bad-row reasons (one row each)] */
const REFUSED: [string, Send, number, string, string[]][] = [
  [
    'a POST from an origin not on the list',
    { body: json(makeBatch()), contentType: 'text/plain', origin: 'https://evil.example' },
    403,
    'origin_not_allowed',
    ['origin_not_allowed'],
  ],
  [
    'a body over the limit, declared in Content-Length',
    { body: tooLarge, contentType: 'text/plain' },
    413,
    'body_too_large',
    ['body_too_large'],
  ],
  [
    'a body over the limit, chunked (its size known only on arrival)',
    { body: tooLarge, contentType: 'text/plain', chunked: true },
    413,
    'body_too_large',
    ['body_too_large'],
  ],
  [
    'a body over what CloudFront forwards, cut',
    { body: Buffer.alloc(ORIGIN_BODY_LIMIT + 1, 0x61), contentType: 'text/plain', chunked: true },
    413,
    'body_truncated',
    ['body_truncated'],
  ],
  [
    'an unsupported content type',
    { body: json(makeBatch()), contentType: 'application/xml' },
    415,
    'unsupported_media_type',
    ['unsupported_media_type'],
  ],
  [
    'no content type',
    { body: json(makeBatch()) },
    415,
    'unsupported_media_type',
    ['unsupported_media_type'],
  ],
  [
    'an empty body (Content-Length: 0)',
    { body: Buffer.alloc(0), contentType: 'text/plain' },
    400,
    'empty_body',
    ['empty_body'],
  ],
  [
    'invalid UTF-8',
    { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), contentType: 'text/plain' },
    400,
    'invalid_utf8',
    ['invalid_utf8'],
  ],
  [
    'invalid JSON',
    { body: text('{"schema_version": "1-0-0",'), contentType: 'application/json' },
    400,
    'invalid_json',
    ['invalid_json'],
  ],
  [
    'JSON nested too deep',
    { body: text(`${'['.repeat(5000)}${']'.repeat(5000)}`), contentType: 'text/plain' },
    400,
    'too_deep',
    ['too_deep'],
  ],
  [
    'an invalid envelope',
    { body: json({ hello: 'world' }), contentType: 'text/plain' },
    400,
    'invalid_envelope',
    ['invalid_envelope'],
  ],
  [
    'an unknown schema version',
    { body: json(makeBatch({ schema_version: '9-0-0' } as never)), contentType: 'text/plain' },
    400,
    'unknown_schema_version',
    ['unknown_schema_version'],
  ],
  [
    'no valid events (two invalid ones)',
    {
      body: json(
        makeBatch({
          events: [
            { ...makeEvent('paused'), seq: -1 },
            { ...makeEvent('started'), playhead: 'x' },
          ] as never,
        }),
      ),
      contentType: 'text/plain',
    },
    400,
    'no_valid_events',
    ['invalid_event', 'invalid_event'],
  ],
  [
    'too many events',
    { body: json(makeBatch({ count: LIMITS.maxEventsPerBatch + 1 })), contentType: 'text/plain' },
    413,
    'too_many_events',
    ['too_many_events'],
  ],
];

/** Not beacon requests at all: the function answers them and no bad row is kept. */
const NOT_BEACONS: [string, Send, number, string][] = [
  ['a wrong path', { body: json(makeBatch()), target: '/favicon.ico' }, 404, 'not_found'],
  ['a wrong method', { body: Buffer.alloc(0), method: 'PUT' }, 405, 'method_not_allowed'],
];

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

    const expected = REFUSED.flatMap(([name, , status, , reasons], i) =>
      reasons.map((reason) => ({ name, request_id: answers[i].requestId, status, reason })),
    );
    const rows = (await store.query(
      'SELECT request_id, status, reason, source, payload_truncated FROM bad_rows',
    )) as { request_id: string; status: number; reason: string; source: string }[];
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
    const truncated = rows.filter((r) => (r as { payload_truncated?: boolean }).payload_truncated);
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
});
