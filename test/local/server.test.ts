/**
 * The local server's request handling before any route: a request target that Node's HTTP parser
 * accepts but the WHATWG URL parser rejects is answered 400 with the security headers, and the
 * server goes on serving. The API and edge handlers are stand-ins that answer a fixed status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../local/server.js';
import { API_CSP } from '../../local/security-headers.js';
import { rawRequest } from '../helpers/raw-http.js';

let server: LocalServer | undefined;

beforeAll(async () => {
  server = await startLocalServer({
    host: '127.0.0.1',
    port: 0,
    ingestPath: '/v1/events',
    api: (_req, res) => void res.writeHead(200, { 'Content-Length': 0 }).end(),
    edge: (_req, res) => void res.writeHead(204).end(),
  });
});

afterAll(async () => {
  await server?.close(1_000);
});

describe('startLocalServer', () => {
  it.each([
    ['//a%'],
    ['//[/api/v1/health'],
    ['//a%20b%/dashboard'],
    ['http://a%/api/v1/health'],
    ['http://[::1/'],
  ])('answers %s with 400 and keeps serving', async (target) => {
    const bad = await rawRequest(server!.port, 'GET', target, { Host: 'localhost' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toStrictEqual({
      error: 'bad_request',
      detail: 'the request target is not a valid URL path',
    });
    expect(bad.headers['content-security-policy']).toBe(API_CSP);
    expect(bad.headers['x-content-type-options']).toBe('nosniff');
    expect(bad.headers['x-frame-options']).toBe('DENY');
    const next = await rawRequest(server!.port, 'GET', '/api/v1/health', { Host: 'localhost' });
    expect(next.status).toBe(200);
    const ingest = await rawRequest(
      server!.port,
      'POST',
      '/v1/events',
      { Host: 'localhost' },
      '[]',
    );
    expect(ingest.status).toBe(204);
  });
});
