/**
 * SDK main-thread cost per event and per flush, measured in Chromium against the per-event target
 * `TARGET_EVENT_MS`. A local server gives the page the built IIFE SDK
 * (dist/player/beacon-edge.iife.js), a <video> element and a 204 ingest endpoint, with COOP/COEP
 * headers so `performance.now()` has 5 µs resolution. The measuring code runs in the page
 * (./sdk-cost-page.ts); medians over many iterations. Without Chromium (or an unbuilt SDK) it
 * prints a row saying so instead of failing.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { median, percentile, report, reportSkipped, type BenchRow } from './report.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';
import { pageBench, type PageBenchParams } from './sdk-cost-page.js';

const NAME = 'sdk-cost';
const IIFE = path.join(process.cwd(), 'dist', 'player', 'beacon-edge.iife.js');
const TARGET_EVENT_MS = 0.05;
const PARAMS: PageBenchParams = {
  iterations: 400,
  warmup: 50,
  burst: 20,
  flushEvents: 10,
  fullQueueEvents: 200,
  persistMs: 1_000,
};

const PAGE = `<!doctype html><meta charset="utf-8"><title>sdk-cost</title>
<video id="v" muted playsinline></video><script src="/sdk.js"></script>`;

/** Serves the page, the SDK and a 204 ingest endpoint; every answer is cross-origin isolated. */
async function startServer(
  sdk: Buffer,
): Promise<{ url: string; posts: () => number; close: () => Promise<void> }> {
  let posts = 0;
  const isolation = {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/v1/events') {
      req.resume();
      req.on('end', () => {
        posts++;
        res.writeHead(204, isolation).end();
      });
      return;
    }
    if (req.url === '/sdk.js')
      return void res.writeHead(200, { ...isolation, 'Content-Type': 'text/javascript' }).end(sdk);
    if (req.url === '/')
      return void res
        .writeHead(200, { ...isolation, 'Content-Type': 'text/html; charset=utf-8' })
        .end(PAGE);
    res.writeHead(404, isolation).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts: () => posts,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const ms = (v: number) => Math.round(v * 10_000) / 10_000;

/** A result row of the median of `samples`, in milliseconds. */
const medianMs = (metric: string, samples: number[]): BenchRow => ({
  metric,
  value: ms(median(samples)),
  unit: 'ms',
});

/** The rows measured, or why nothing could be. */
async function main(): Promise<BenchRow[] | { skipped: string }> {
  if (!fs.existsSync(CHROMIUM_PATH))
    return { skipped: `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)` };
  if (!fs.existsSync(IIFE)) return { skipped: 'SDK not built (npm run build)' };
  const server = await startServer(fs.readFileSync(IIFE));
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    const r = await page.evaluate(pageBench, PARAMS);
    const perEvent = median(r.perEventInput);
    const perVideoEvent = median(r.perEventVideo) - median(r.videoBaseline);
    return [
      {
        metric: `per event, tracker.input (median of ${r.perEventInput.length} bursts of ${PARAMS.burst}, each incl. its one deferred queue write)`,
        value: ms(perEvent),
        unit: 'ms',
        target: `≤ ${TARGET_EVENT_MS}`,
        pass: perEvent <= TARGET_EVENT_MS,
      },
      {
        metric: 'per event, tracker.input p95',
        value: ms(percentile(r.perEventInput, 95)),
        unit: 'ms',
      },
      medianMs(
        `  of which the deferred queue write of ~${PARAMS.burst} events, per write (median; at most one per persistMs = ${PARAMS.persistMs} ms)`,
        r.writeInput,
      ),
      medianMs(
        'per event, tracker.input, memory-only queue (storage: null; median)',
        r.perEventMemory,
      ),
      {
        metric:
          'per event, <video> events through the html5 adapter (median, minus the same events without the SDK)',
        value: ms(perVideoEvent),
        unit: 'ms',
        target: `≤ ${TARGET_EVENT_MS}`,
        pass: perVideoEvent <= TARGET_EVENT_MS,
      },
      medianMs('  baseline: dispatching those events without the SDK (median)', r.videoBaseline),
      medianMs(
        `per flush of ${PARAMS.flushEvents} events, injected no-op fetch (median; incl. the queue writes before the request and after the answer)`,
        r.flushNoop,
      ),
      medianMs(
        `per flush of ${PARAMS.flushEvents} events, real fetch to a local endpoint, main-thread part (median)`,
        r.flushFetch,
      ),
      medianMs(
        '  of which the synchronous flush() call (batch + fetch() dispatch; median)',
        r.flushFetchSync,
      ),
      medianMs("  of which the browser's own fetch() call (median)", r.fetchCall),
      medianMs(
        'per event with a full queue (500 events unsent, offline viewer; write excluded; median)',
        r.perEventFullQueue,
      ),
      medianMs(
        `  one deferred write of the full queue (median; at most one per persistMs = ${PARAMS.persistMs} ms)`,
        r.fullQueueWrite,
      ),
      {
        metric: 'timer resolution',
        value: r.isolated ? '5 µs (cross-origin isolated)' : '100 µs (not isolated)',
      },
      { metric: 'browser', value: `Chromium ${browser.version()}` },
      { metric: 'batches received by the local endpoint', value: server.posts() },
    ];
  } finally {
    await browser.close();
    await server.close();
  }
}

main()
  .then((rows) => (Array.isArray(rows) ? report(NAME, rows) : reportSkipped(NAME, rows.skipped)))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
