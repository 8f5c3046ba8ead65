import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CloudFrontRequestEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildViewerRequest } from '../../../scripts/build-viewer-request.mjs';
import {
  createCloudFrontEmulator,
  type OriginRequestHandler,
} from '../../../local/cloudfront/emulator.js';
import {
  loadCloudFrontFunction,
  type CloudFrontFunctionRuntime,
} from '../../../local/cloudfront/function-sandbox.js';
import { ORIGIN_BODY_LIMIT } from '../../../local/cloudfront/origin-event.js';
import { makeBatch } from '../../helpers/batch-factory.js';

/**
 * The emulator over real HTTP with the real built viewer-request function. The origin-request
 * handler is a recording fake here (the real bundle runs in dev.e2e.test.ts): this file checks
 * what the emulator hands to Lambda@Edge and how it treats what comes back.
 */
interface Seen {
  event: CloudFrontRequestEvent;
  region: string | undefined;
}

let viewerFunction: CloudFrontFunctionRuntime;
let server: http.Server;
let base: string;
let seen: Seen[] = [];
let respond: (event: CloudFrontRequestEvent) => unknown = () => ({
  status: '204',
  statusDescription: 'No Content',
  headers: {},
});
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-emulator-'));

const recordingHandler: OriginRequestHandler = async (event) => {
  // Lambda@Edge code reads the region synchronously at call start; so does this fake.
  const region = process.env.AWS_REGION;
  await new Promise((r) => setTimeout(r, 5));
  seen.push({ event, region });
  return respond(event);
};

function post(
  body: string | Buffer,
  headers: Record<string, string> = {},
  method = 'POST',
  target = '/v1/events',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}${target}`,
      { method, headers: { 'content-type': 'text/plain', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
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
    req.end(body);
  });
}

beforeAll(async () => {
  const built = await buildViewerRequest({ outfile: path.join(tmp, 'viewer-request.js') });
  viewerFunction = loadCloudFrontFunction(fs.readFileSync(built.outfile, 'utf8'));
  const handler = createCloudFrontEmulator({
    viewerFunction,
    originHandler: recordingHandler,
    distributionId: 'ETEST',
    distributionDomainName: 'dtest.cloudfront.net',
  });
  server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('CloudFront emulator', () => {
  it('runs the function, then hands Lambda@Edge the documented origin-request event in the POP region', async () => {
    seen = [];
    const batch = JSON.stringify(makeBatch({ types: ['started', 'paused'] }));
    const before = Date.now();
    const res = await post(batch, {
      'X-Beacon-Pop': 'SIN2-C1',
      'CloudFront-Viewer-Country': 'SG',
      'CloudFront-Viewer-ASN': '9506',
      'X-Beacon-Edge': 'pop=FAKE',
    });
    expect(res.status).toBe(204);
    expect(res.headers['x-amz-cf-pop']).toBe('SIN2-C1');
    expect(res.headers['x-cache']).toBe('LambdaGeneratedResponse from cloudfront');
    expect(seen).toHaveLength(1);
    const { event, region } = seen[0];
    expect(region).toBe('ap-southeast-1');
    const cf = event.Records[0].cf;
    expect(cf.config).toStrictEqual({
      distributionDomainName: 'dtest.cloudfront.net',
      distributionId: 'ETEST',
      eventType: 'origin-request',
      requestId: res.headers['x-amz-cf-id'],
    });
    expect(cf.request.method).toBe('POST');
    expect(cf.request.uri).toBe('/v1/events');
    expect(cf.request.clientIp).toBe('127.0.0.1');
    expect(cf.request.body).toStrictEqual({
      action: 'read-only',
      encoding: 'base64',
      inputTruncated: false,
      data: Buffer.from(batch).toString('base64'),
    });
    const h = cf.request.headers;
    // The function overwrote the client's stamp with the edge location it ran at.
    expect(h['x-beacon-edge']).toHaveLength(1);
    const stamp = /^pop=SIN;region=ap-southeast-1;t=(\d+)$/.exec(h['x-beacon-edge'][0].value);
    expect(stamp).not.toBeNull();
    expect(Number(stamp?.[1])).toBeGreaterThanOrEqual(before);
    expect(h['cloudfront-viewer-country']).toStrictEqual([
      { key: 'CloudFront-Viewer-Country', value: 'SG' },
    ]);
    expect(h['cloudfront-viewer-asn']).toStrictEqual([
      { key: 'CloudFront-Viewer-ASN', value: '9506' },
    ]);
    expect(h['content-type']).toStrictEqual([{ key: 'content-type', value: 'text/plain' }]);
    expect(h['x-beacon-pop']).toBeUndefined();
    expect(Object.keys(h).every((k) => k === k.toLowerCase())).toBe(true);
    // The client address travels in clientIp and, as CloudFront adds it, in X-Forwarded-For (the
    // handler must store neither); CloudFront-Viewer-Address only if a policy forwarded it.
    expect(h['x-forwarded-for']).toStrictEqual([{ key: 'X-Forwarded-For', value: '127.0.0.1' }]);
    expect(h['cloudfront-viewer-address']).toBeUndefined();
    expect(process.env.AWS_REGION).toBeUndefined();
  });

  it('keeps concurrent requests from different POPs in their own regions', async () => {
    seen = [];
    respond = () => ({ status: '204', headers: {} });
    const pops = ['FRA56-C1', 'IAD89-C1', 'NRT57-C1', 'GRU3-C1', 'SYD62-C2', 'LHR61-C2'];
    await Promise.all(pops.map((pop) => post('{}', { 'x-beacon-pop': pop })));
    const byPop = Object.fromEntries(
      seen.map((s) => [
        s.event.Records[0].cf.request.headers['x-beacon-edge'][0].value.split(';')[0],
        s.region,
      ]),
    );
    expect(byPop).toStrictEqual({
      'pop=FRA': 'eu-central-1',
      'pop=IAD': 'us-east-1',
      'pop=NRT': 'ap-northeast-1',
      'pop=GRU': 'sa-east-1',
      'pop=SYD': 'ap-southeast-2',
      'pop=LHR': 'eu-west-2',
    });
  });

  it('sends the function-generated response without calling Lambda@Edge', async () => {
    seen = [];
    const res = await post('', {}, 'GET');
    expect(res.status).toBe(405);
    expect(JSON.parse(res.body)).toStrictEqual({
      error: 'method_not_allowed',
      detail: 'Method GET is not allowed; use POST',
    });
    expect(res.headers['x-cache']).toBe('FunctionGeneratedResponse from cloudfront');
    const elsewhere = await post('{}', {}, 'POST', '/favicon.ico');
    expect(elsewhere.status).toBe(404);
    const preflight = await post('', { origin: 'https://video.example' }, 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['x-cache']).toBe('FunctionGeneratedResponse from cloudfront');
    expect(seen).toHaveLength(0);
  });

  it('hands Lambda@Edge a CMCD report with the player query of its event-target URL', async () => {
    seen = [];
    respond = () => ({ status: '204', headers: {} });
    const lines =
      'cid="c",e=ps,sid="s",sn=0,sta=p,ts=1764495000000,v=2\ne=t,sid="s",sn=1,ts=1764495010000,v=2';
    const res = await post(
      lines,
      { 'content-type': 'application/cmcd', origin: 'https://player.example' },
      'POST',
      '/v1/cmcd?player=hls.js&player_version=1.7.4&utm=x',
    );
    expect(res.status).toBe(204);
    expect(seen).toHaveLength(1);
    const request = seen[0].event.Records[0].cf.request;
    expect(request.uri).toBe('/v1/cmcd');
    // Only the parameters the ingest behaviour's origin request policy forwards.
    expect(request.querystring).toBe('player=hls.js&player_version=1.7.4');
    expect(request.headers['content-type']).toStrictEqual([
      { key: 'content-type', value: 'application/cmcd' },
    ]);
    expect(Buffer.from(request.body?.data ?? '', 'base64').toString()).toBe(lines);
    expect(request.headers['x-beacon-edge'][0].value).toMatch(/;o=\*$/);
  });

  it('answers the preflight of a CMCD report from another origin at the function', async () => {
    seen = [];
    const res = await post(
      '',
      {
        origin: 'http://player.localhost:9000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
      'OPTIONS',
      '/v1/cmcd?player=dash.js&player_version=5.2.1',
    );
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '86400',
      'x-cache': 'FunctionGeneratedResponse from cloudfront',
    });
    expect(seen).toHaveLength(0);
  });

  it('hands Lambda@Edge every POST to an ingest path, even one it will refuse, so it keeps a bad row', async () => {
    seen = [];
    respond = () => ({ status: '204', headers: {} });
    await post('{}', { 'content-type': 'application/xml' });
    await post('', {});
    await post('x'.repeat(ORIGIN_BODY_LIMIT / 8), {});
    await post('{}', { origin: 'https://elsewhere.example' });
    expect(
      seen.map((s) => s.event.Records[0].cf.request.headers['content-type'][0].value),
    ).toStrictEqual(['application/xml', 'text/plain', 'text/plain', 'text/plain']);
    for (const s of seen)
      expect(s.event.Records[0].cf.request.headers['x-beacon-edge']).toHaveLength(1);
  });

  it('passes the handler response through: status, headers, body', async () => {
    respond = () => ({
      status: '200',
      statusDescription: 'OK',
      headers: {
        'content-type': [{ key: 'Content-Type', value: 'application/json' }],
        'content-length': [{ key: 'Content-Length', value: '999' }],
      },
      body: JSON.stringify({ accepted: 1, rejected: [] }),
    });
    const res = await post('{}');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body)));
    expect(JSON.parse(res.body)).toStrictEqual({ accepted: 1, rejected: [] });
  });

  it('answers 502 like CloudFront when the handler throws or returns nonsense, and keeps serving', async () => {
    respond = () => {
      throw new Error('boom');
    };
    const thrown = await post('{}');
    expect(thrown.status).toBe(502);
    expect(JSON.parse(thrown.body)).toStrictEqual({
      error: 'lambda_execution_error',
      detail: 'The origin-request Lambda@Edge handler failed',
    });
    respond = () => ({ status: 204, body: 'x' });
    const invalid = await post('{}');
    expect(invalid.status).toBe(502);
    expect(JSON.parse(invalid.body).error).toBe('lambda_invalid_response');
    respond = () => ({ status: '204', headers: {} });
    expect((await post('{}')).status).toBe(204);
  });

  it('cuts a chunked body over 1 MB and sets inputTruncated, as CloudFront does', async () => {
    seen = [];
    respond = () => ({ status: '413', headers: {}, body: '{"error":"body_truncated"}' });
    const big = Buffer.alloc(ORIGIN_BODY_LIMIT + 4096, 0x61);
    const res = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${base}/v1/events`,
        {
          method: 'POST',
          headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' },
        },
        (r) => {
          r.resume();
          r.on('end', () => resolve(r.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < big.length; i += 65536) req.write(big.subarray(i, i + 65536));
      req.end();
    });
    expect(res).toBe(413);
    const body = seen[0].event.Records[0].cf.request.body;
    expect(body?.inputTruncated).toBe(true);
    expect(Buffer.from(body?.data ?? '', 'base64').length).toBe(ORIGIN_BODY_LIMIT);
  });

  it('answers 503 when the viewer-request function fails', async () => {
    const broken = loadCloudFrontFunction(
      'function handler(event) { throw new Error("bad function"); }',
    );
    const handler = createCloudFrontEmulator({
      viewerFunction: broken,
      originHandler: recordingHandler,
      distributionId: 'E',
      distributionDomainName: 'd',
    });
    const s = http.createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/v1/events`, {
        method: 'POST',
        body: '{}',
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toStrictEqual({
        error: 'function_execution_error',
        detail: 'The viewer-request CloudFront Function failed',
      });
    } finally {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });
});
