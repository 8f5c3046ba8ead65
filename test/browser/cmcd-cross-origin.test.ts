/**
 * A player page on another origin reporting CMCD to the local stack, in real Chromium: the
 * report's `application/cmcd` Content-Type is not CORS-safelisted, so the browser preflights it.
 * The preflight must pass (or the POST is never sent), the answer to the POST must be readable by
 * the page, and Chromium must cache the preflight (Access-Control-Max-Age) rather than repeat it
 * before every report. A counting proxy between the page and the stack sees every request the
 * browser sends, preflights included.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium } from '../helpers/browser-harness.js';

/** What a player reports: two lines as hls.js's CmcdReporter posts them. */
const now = Date.now();
const REPORT = [
  `cid="bbb",e=ps,sid="cross-origin-1",sn=0,sta=s,ts=${now - 2000},v=2`,
  `cid="bbb",e=ps,sid="cross-origin-1",sn=1,sta=p,ts=${now - 1000},v=2`,
].join('\n');

/** Listens on loopback; resolves with the server and its origin. */
async function listen(
  handler: http.RequestListener,
): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function close(server: http.Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

describeInChromium('CMCD reports from a player page on another origin', (env) => {
  let page: { server: http.Server; url: string } | undefined;
  let proxy: { server: http.Server; url: string } | undefined;
  const seen: string[] = [];

  beforeAll(async () => {
    page = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>player</title><p>player page</p>');
    });
    // Forwards everything to the stack as it came, noting method and path.
    proxy = await listen((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const target = new URL(req.url ?? '/', env.stack.url);
      const up = http.request(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
  });

  afterAll(async () => {
    await close(page?.server);
    await close(proxy?.server);
  });

  it('passes the preflight, lets the page read the answer, and preflights once for many reports', async () => {
    const context = await env.browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${page?.url}/`);
    const target = `${proxy?.url}/v1/cmcd?player=hls.js&player_version=1.7.4`;
    const answers = await tab.evaluate(
      async ({ target, body }) => {
        const out: number[] = [];
        for (let i = 0; i < 3; i++) {
          const res = await fetch(target, {
            method: 'POST',
            headers: { 'Content-Type': 'application/cmcd' },
            body,
          });
          out.push(res.status);
        }
        return out;
      },
      { target, body: REPORT },
    );
    const path = '/v1/cmcd?player=hls.js&player_version=1.7.4';
    // One preflight, then the answer is cached: the later reports go straight out.
    expect(seen).toStrictEqual([`OPTIONS ${path}`, `POST ${path}`, `POST ${path}`, `POST ${path}`]);
    // Read by the page: a failed preflight, or a POST answer without Allow-Origin, throws instead.
    expect(answers).toStrictEqual([204, 204, 204]);
    await context.close();
  });
});
