/**
 * The SDK's dash.js adapter on a real dash.js in real Chromium: a test-only page
 * (./pages/dash.html) plays the demo's DASH manifest, the same CMAF segments the demo page plays
 * through HLS, and the beacons the SDK sends are checked against the manifest and the stored
 * counts. The page, the SDK build and the media come from the local stack (the SDK and the media
 * through its /demo routes); the test adds the page and dash.js's browser build by routing.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Request } from 'playwright-core';
import { expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, type BeaconBatch, type BeaconEvent } from '../../schemas/index.js';
import { upcastEvent } from '../../schemas/upcast.js';
import {
  counts,
  describeInChromium,
  pageTally,
  pollStoredCounts,
  waitAllDelivered,
  waitForEvent,
  type DemoState,
} from '../helpers/browser-harness.js';

/** The test page's window: the demo's state plus its dash.js player. */
type DashWindow = typeof window & { demo: DemoState & { player: { getVersion(): string } } };

const SESSION = 'browser-dashjs-0001';
const PAGE_HTML = path.resolve('test/browser/pages/dash.html');
const DASHJS = createRequire(import.meta.url).resolve('dashjs'); // its UMD browser build
const DASHJS_VERSION: string = JSON.parse(
  fs.readFileSync(path.resolve('node_modules/dashjs/package.json'), 'utf8'),
).version;
const MANIFEST = path.resolve('demo/media/cmaf/manifest.mpd');

/** The video representations the manifest declares, in manifest order. */
function manifestVideo(): { bitrate: number; width: number; height: number }[] {
  const mpd = fs.readFileSync(MANIFEST, 'utf8');
  return [...mpd.matchAll(/<Representation [^>]*mimeType="video\/mp4"[^>]*>/g)].map(([tag]) => {
    const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(tag)?.[1]);
    return { bitrate: attr('bandwidth'), width: attr('width'), height: attr('height') };
  });
}

describeInChromium('dash.js adapter in Chromium on the demo media', (env) => {
  it('sends requested, started, first_frame and the manifest renditions, as the store counts them', async () => {
    const video = manifestVideo();
    expect(video.map((r) => r.bitrate)).toStrictEqual([24_000, 64_000, 128_000]);
    const since = new Date();
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // The beacons as they leave the page (all by fetch here: the page stays open).
    const sent: BeaconBatch[] = [];
    page.on('request', (r: Request) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/v1/events')
        sent.push(JSON.parse(r.postData() ?? 'null'));
    });
    await page.route(`${env.stack.url}/test-pages/**`, (route) => {
      const name = path.basename(new URL(route.request().url()).pathname);
      if (name === 'dash.html') return route.fulfill({ path: PAGE_HTML });
      if (name === 'dash.all.min.js') return route.fulfill({ path: DASHJS });
      return route.fulfill({ status: 404 });
    });

    await page.goto(`${env.stack.url}/test-pages/dash.html?session=${SESSION}`);
    // Play once dash.js has attached its source (the adapter wires the element then), as a viewer
    // would press play on a loaded player.
    await page.waitForFunction(() => (window as DashWindow).demo.video.readyState >= 1, undefined, {
      polling: 50,
    });
    await page.evaluate(() => (window as DashWindow).demo.video.play());
    await waitForEvent(page, 'first_frame');
    await page.waitForFunction(() => (window as DashWindow).demo.video.currentTime > 3, undefined, {
      polling: 50,
    });
    await page.evaluate(() => (window as DashWindow).demo.video.pause());
    await waitForEvent(page, 'paused');
    // Ends the session now: a final heartbeat (with the time-weighted bitrate) and session_end
    // go out at once by fetch, so every beacon of the session is seen here.
    await page.evaluate(() => (window as DashWindow).demo.tracker!.endSession('detach'));
    await waitForEvent(page, 'session_end');
    await waitAllDelivered(page);
    const created = await page.evaluate(() =>
      (window as DashWindow).demo.events.map((e) => e.event),
    );
    const tally = await pageTally(page);
    const playerVersion = await page.evaluate(() =>
      (window as DashWindow).demo.player.getVersion(),
    );
    await context.close();

    // What was sent is what the SDK created (written in the batch's schema version, which the
    // pipeline's upcast reads back), once each, in one session, named as dash.js.
    const events = sent
      .flatMap((b) =>
        b.events.map((e) => upcastEvent(b.schema_version, e as unknown as Record<string, unknown>)),
      )
      .map((e) => e as unknown as BeaconEvent)
      .sort((a, b) => a.seq - b.seq);
    expect(events).toStrictEqual(created);
    expect(new Set(sent.map((b) => b.schema_version))).toStrictEqual(
      new Set([CURRENT_SCHEMA_VERSION]),
    );
    expect(events.map((e) => e.seq)).toStrictEqual(events.map((_, i) => i));
    for (const b of sent) {
      expect(b).toMatchObject({
        session_id: SESSION,
        content_id: 'demo-testsrc2-dash',
        player_name: 'dash.js',
        player_version: DASHJS_VERSION,
      });
    }
    expect(playerVersion).toBe(DASHJS_VERSION);

    const ofType = <T extends BeaconEvent['type']>(t: T) =>
      events.filter((e): e is Extract<BeaconEvent, { type: T }> => e.type === t);
    const types = events.map((e) => e.type);
    expect(tally).toMatchObject({
      requested: 1,
      started: 1,
      first_frame: 1,
      paused: 1,
      heartbeat: 1,
      session_end: 1,
    });
    expect(tally.error).toBeUndefined();
    expect(types.indexOf('requested')).toBeLessThan(types.indexOf('started'));
    expect(types.indexOf('started')).toBeLessThan(types.indexOf('first_frame'));
    expect(ofType('first_frame')[0].startup_ms).toBeGreaterThan(0);
    expect(types.slice(-2)).toStrictEqual(['heartbeat', 'session_end']);
    expect(ofType('session_end')[0]).toMatchObject({ reason: 'detach' });

    // Every rendition reported is one of the manifest's video representations, with its index
    // in the manifest as level, and each at most once per session.
    const variants = ofType('variant_loaded');
    expect(variants.length).toBeGreaterThanOrEqual(1);
    for (const v of variants) {
      const level = video.findIndex((r) => r.bitrate === v.bitrate);
      expect(level, `variant_loaded bitrate ${v.bitrate}`).toBeGreaterThanOrEqual(0);
      expect({
        bitrate: v.bitrate,
        width: v.width,
        height: v.height,
        level: v.level,
      }).toStrictEqual({ ...video[level], level });
    }
    const played = variants.map((v) => v.bitrate);
    expect(new Set(played).size).toBe(played.length);
    for (const c of ofType('bitrate_changed')) {
      expect(played).toContain(c.bitrate);
      expect(played).toContain(c.prev_bitrate);
    }
    // The time-weighted bitrate lies within the renditions played (it is the one, when only one was).
    const { bitrate } = ofType('heartbeat')[0];
    if (played.length === 1) expect(bitrate).toBe(played[0]);
    else {
      expect(bitrate).toBeGreaterThanOrEqual(Math.min(...played));
      expect(bitrate).toBeLessThanOrEqual(Math.max(...played));
    }

    // And the edge, the stream and the store took every one of them.
    const stored = await pollStoredCounts(env.stack.url, since, (c) => c.session_end >= 1);
    expect(stored).toStrictEqual(counts(tally));
    expect(pageErrors).toStrictEqual([]);
  });
});
