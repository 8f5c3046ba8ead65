/**
 * The demo's endpoint field and the last batch of a closing page, in real Chromium. A recording
 * tap (./tap.ts) sits between the page and the stack, because Playwright cannot observe requests
 * sent while a page unloads: the tap sees how each request arrived. `sendBeacon` with a
 * text/plain Blob is a `no-cors` request (Sec-Fetch-Mode: no-cors), the SDK's keepalive `fetch`
 * a `cors` one, so the headers tell the two apart on the server side.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BeaconBatch } from '../../schemas/index.js';
import {
  counts,
  describeInChromium,
  pageTally,
  pollStoredCounts,
  pollUntil,
  waitAllDelivered,
  waitForEvent,
  type DemoWindow,
} from '../helpers/browser-harness.js';
import { startTap, type Tap } from '../helpers/recording-tap.js';

const SESSION = 'browser-unload-0001';

describeInChromium('demo page in Chromium: endpoint field and the final beacon', (env) => {
  let tap: Tap | undefined;

  // After the stack has started, and closed before it stops.
  beforeAll(async () => {
    tap = await startTap(env.stack.url);
  });

  afterAll(async () => {
    await tap?.close();
  });

  it('sends to a new endpoint from the next request, and the final batch by sendBeacon on close', async () => {
    const since = new Date();
    const context = await env.browser.newContext();
    const page = await context.newPage();
    // A long flush period: nothing leaves the page unless the test (or the SDK's own rules) say so.
    await page.goto(`${env.stack.url}/demo?session=${SESSION}&flushMs=60000`);
    await page.click('#btn-play');
    await waitForEvent(page, 'first_frame');
    await waitAllDelivered(page); // first_frame is flushed at once, to the page's own origin
    expect(tap!.requests).toStrictEqual([]);

    // The endpoint field applies to the very next request.
    const endpoint = `${tap!.url}/v1/events`;
    await page.fill('#endpoint', endpoint);
    await page.press('#endpoint', 'Enter');
    await expect
      .poll(() => page.locator('#endpoint-hint').textContent())
      .toBe(`Next request goes to ${endpoint}`);
    expect(new URL(page.url()).searchParams.get('endpoint')).toBe(endpoint);
    await page.click('#btn-pause');
    await waitForEvent(page, 'paused');
    await page.click('#btn-flush');
    await waitAllDelivered(page);
    expect(tap!.requests).toHaveLength(1);
    const viaFetch = tap!.requests[0];
    expect(viaFetch).toMatchObject({ method: 'POST', path: '/v1/events', status: 204 });
    expect(viaFetch.headers['sec-fetch-mode']).toBe('cors');
    const fetched = JSON.parse(viaFetch.body) as BeaconBatch;
    expect(fetched.session_id).toBe(SESSION);
    expect(fetched.events.map((e) => e.type)).toStrictEqual(['paused']);
    const lastBatch = await page.evaluate(() => (window as DemoWindow).demo.batches.at(-1));
    expect(lastBatch).toMatchObject({
      via: 'fetch',
      status: 204,
      outcome: 'sent',
      url: endpoint,
    });

    const tally = await pageTally(page);
    await page.close({ runBeforeUnload: true });
    await context.close();

    const requests = await pollUntil(
      async () => tap!.requests,
      (r) => r.length >= 2 && r[1].status !== undefined,
      10_000,
    );
    expect(requests).toHaveLength(2);
    const beacon = requests[1];
    expect(beacon).toMatchObject({ method: 'POST', path: '/v1/events', status: 204 });
    expect(beacon.headers['sec-fetch-mode']).toBe('no-cors');
    expect(beacon.headers['content-type']).toMatch(/^text\/plain/);
    const final = JSON.parse(beacon.body) as BeaconBatch;
    expect(final.session_id).toBe(SESSION);
    // The session played since its last heartbeat (it never had one): a final heartbeat with the
    // counters session_end cannot carry (bitrate, dropped frames) goes first.
    expect(final.events.map((e) => e.type)).toStrictEqual(['heartbeat', 'session_end']);
    expect(final.events[1]).toMatchObject({
      type: 'session_end',
      reason: 'unload',
      stall_count: 0,
    });
    expect(final.events[0]).toMatchObject({
      type: 'heartbeat',
      played_ms: (final.events[1] as { played_ms: number }).played_ms,
      stall_count: 0,
    });

    // And the store has every event of the session exactly once, the final ones included.
    const expected = counts({ ...tally, heartbeat: (tally.heartbeat ?? 0) + 1, session_end: 1 });
    const stored = await pollStoredCounts(env.stack.url, since, (c) => c.session_end >= 1);
    expect(stored).toStrictEqual(expected);
  });
});
