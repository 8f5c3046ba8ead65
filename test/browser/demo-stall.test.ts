/**
 * A stall of known length, end to end: one media segment is held back until the player has run
 * dry, then for HOLD_MS more, and the stored stall must be one stall as long as the page itself
 * saw it (± 250 ms), and at least HOLD_MS.
 *
 * Determinism: the page runs hls.js with `?maxBuffer=2` (forward buffer target and cap 2 s), so
 * the player asks for the segment of 4–6 s (`seg-<id>-03.m4s`, segments count from 01) only while
 * playing the one before and runs dry at 4 s. That segment is held in the browser (Playwright
 * route) for every video rendition and for the audio track, because hls.js may abandon a slow
 * download and ask a lower rendition for the same segment. The release comes HOLD_MS after the
 * <video> element fires `waiting`, timed in the page, so the stall lasts HOLD_MS plus the time to
 * load and append one local 2 s segment. That second part grows on a loaded machine, so the stall
 * is not compared with HOLD_MS but with the page's own clock: from the element's `waiting` to the
 * first `timeupdate` past the playhead it stopped at (what a viewer sees as the stall). The
 * tolerance covers the SDK's own start signal (hls.js may report the stall, backdated, before the
 * element's `waiting`) and timeupdate's spacing; the machine's load moves both measurements alike.
 */
import { expect, it } from 'vitest';
import {
  describeInChromium,
  getJson,
  pageTally,
  pollStoredCounts,
  waitForEvent,
  type DemoWindow,
} from '../helpers/browser-harness.js';

const HOLD_MS = 1_500;
const TOLERANCE_MS = 250;
const HELD_SEGMENT = /\/demo\/media\/cmaf\/seg-\d+-03\.m4s$/;

/** The stall as the page timed it (performance.now() in the page). */
interface PageStall {
  waitingAt: number;
  resumedAt?: number;
}

interface QoeAnswer {
  stalls: { stallCount: number; stallMs: number; playedMs: number; stalledPct: number | null };
}

describeInChromium('demo page in Chromium: a held segment is one stall', (env) => {
  it(`reports exactly one stall, as long as the page saw it (± ${TOLERANCE_MS} ms) and at least the ${HOLD_MS} ms hold`, async () => {
    const since = new Date();
    const context = await env.browser.newContext();
    const page = await context.newPage();

    // Every request for the 4–6 s segment waits for the release; the page itself starts the clock.
    const held: string[] = [];
    let releaseAll = () => {};
    const released = new Promise<void>((resolve) => (releaseAll = resolve));
    await page.route(HELD_SEGMENT, async (route) => {
      held.push(new URL(route.request().url()).pathname);
      await released;
      // hls.js may have aborted this request meanwhile (emergency down-switch): nothing to continue.
      await route.continue().catch(() => undefined);
    });
    await page.exposeBinding('releaseHeldSegment', () => releaseAll());

    await page.goto(`${env.stack.url}/demo?maxBuffer=2&session=browser-stall-0001`);
    // When the element runs dry after the first frame (not the startup wait), the page's own timer
    // (not the test process's, which shares two cores with the stack) releases the segment HOLD_MS
    // later, and the page times the stall until the playhead moves past where it stopped.
    type StallWindow = DemoWindow & { releaseHeldSegment(): void; pageStall: PageStall };
    const dry = page.evaluate(
      (holdMs) =>
        new Promise<number>((resolve) => {
          const w = window as StallWindow;
          const video = w.demo.video;
          const onWaiting = () => {
            if (video.currentTime < 1) return;
            video.removeEventListener('waiting', onWaiting);
            const seen: PageStall = { waitingAt: performance.now() };
            w.pageStall = seen;
            const stoppedAt = video.currentTime;
            const onTime = () => {
              if (video.currentTime <= stoppedAt) return;
              seen.resumedAt = performance.now();
              video.removeEventListener('timeupdate', onTime);
            };
            video.addEventListener('timeupdate', onTime);
            setTimeout(() => w.releaseHeldSegment(), holdMs);
            resolve(stoppedAt);
          };
          video.addEventListener('waiting', onWaiting);
        }),
      HOLD_MS,
    );
    await page.click('#btn-play');
    await waitForEvent(page, 'first_frame');
    const dryAt = await dry;
    expect(dryAt).toBeGreaterThan(3.5);
    expect(held.length).toBeGreaterThanOrEqual(1);
    await waitForEvent(page, 'stall_end');
    await page.waitForFunction(() => (window as StallWindow).pageStall?.resumedAt !== undefined);
    const seen = await page.evaluate(() => (window as StallWindow).pageStall);
    const pageStallMs = (seen.resumedAt as number) - seen.waitingAt;
    const clientStall = await page.evaluate(
      () =>
        (
          (window as DemoWindow).demo.events.find((e) => e.event.type === 'stall_end')?.event as
            | { stall_ms: number }
            | undefined
        )?.stall_ms,
    );
    const tally = await pageTally(page);

    // Ends the session: session_end carries the cumulative stall counters the QoE query reads.
    // Interception off first: a page closing with routes active loses its keepalive/beacon requests.
    await page.unrouteAll({ behavior: 'wait' });
    await page.close({ runBeforeUnload: true });
    await context.close();
    const stored = await pollStoredCounts(
      env.stack.url,
      since,
      (c) => c.session_end >= 1 && c.stall_end >= 1,
    );
    expect({
      stall_start: stored.stall_start,
      stall_end: stored.stall_end,
      session_end: stored.session_end,
    }).toStrictEqual({
      stall_start: 1,
      stall_end: 1,
      session_end: 1,
    });
    expect(tally.stall_start).toBe(1);
    const qoe = await getJson<QoeAnswer>(`${env.stack.url}/api/v1/qoe?range=15m`);
    expect(qoe.stalls.stallCount).toBe(1);
    // The store's stall time is the one stall's stall_end.stall_ms (carried by session_end).
    expect(qoe.stalls.stallMs).toBe(clientStall);
    // The release came HOLD_MS after `waiting` by the page's timer, which never fires early.
    expect(qoe.stalls.stallMs).toBeGreaterThanOrEqual(HOLD_MS);
    expect(
      Math.abs(qoe.stalls.stallMs - pageStallMs),
      `stored stall ${qoe.stalls.stallMs} ms, the page saw ${Math.round(pageStallMs)} ms (hold ${HOLD_MS} ms)`,
    ).toBeLessThanOrEqual(TOLERANCE_MS);
  });
});
