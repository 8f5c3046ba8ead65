/**
 * Real players reporting CMCD v2 to the local stack, end to end: the unmodified npm builds of
 * hls.js and dash.js play the test stream in Chromium, configured only through their documented
 * CMCD v2 settings to report to the stack's `POST /v1/cmcd?player=<name>&player_version=<v>`.
 * The viewer plays, pauses, resumes, runs into a stall (one segment held back until 1.5 s after
 * the element runs dry, demo-stall's mechanism), switches to the top rendition, seeks to 12 s
 * and plays to the end. The session explorer's API must then show the session as CMCD-fed and named for the
 * player, each acknowledged line stored once, a startup time and one stall as long as the page
 * itself measured them (the seek's wait is no stall), paused/resumed, the new bitrate from the
 * manifest, and no bad rows.
 *
 * Tolerances are against the page's own clock, not wall-clock guesses: the players stamp `ts`
 * with Date.now() in the same listeners of the element's events that the page times with
 * performance.now(), so the two agree to a few ms whatever the machine's load.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Request, Response } from 'playwright-core';
import { expect, it } from 'vitest';
import type { QoeSummary, SessionDetail } from '../../core-pipeline/queries/types.js';
import { SKETCH_ALPHA } from '../../core-pipeline/rollups/aggregate.js';
import { describeInChromium, getJson, pollUntil, screenshot } from '../helpers/browser-harness.js';
import {
  DASHJS_KEYS,
  openCmcdPage,
  pageState,
  playerVersion,
  runScenario,
  type CmcdPlayer,
  type CmcdWindow,
  type PageRecord,
} from '../helpers/cmcd-page.js';

const HOLD_MS = 1_500;
/** Page clock vs the players' `ts`: same listeners, same machine; covers timer granularity. */
const STALL_TOLERANCE_MS = 150;
const STARTUP_TOLERANCE_MS = 300;
const TOP = 2;

/** Video bitrates (bps) the manifests declare for rendition `i`, as each player reports them. */
function manifestBitrate(player: CmcdPlayer, i: number): number {
  if (player === 'hls.js') {
    const m3u8 = fs.readFileSync(path.resolve('demo/media/cmaf/master.m3u8'), 'utf8');
    const bandwidths = [...m3u8.matchAll(/BANDWIDTH=(\d+)/g)].map((m) => Number(m[1]));
    // hls.js reports the variant's BANDWIDTH in whole kbps (CMCD has no finer unit).
    return Math.round(bandwidths[i]! / 1000) * 1000;
  }
  const mpd = fs.readFileSync(path.resolve('demo/media/cmaf/manifest.mpd'), 'utf8');
  const video = [...mpd.matchAll(/<Representation [^>]*mimeType="video\/mp4"[^>]*>/g)];
  return Number(/\bbandwidth="(\d+)"/.exec(video[i]![0])![1]);
}

/** The page's own startup: from where the player reports `starting` to the first `playing`. */
function pageStartupMs(seen: PageRecord): number {
  const playing = seen.marks.find((m) => m.type === 'playing')!.at;
  // hls.js reports `starting` at the element's `play`; dash.js at its PLAYBACK_INITIALIZED.
  const from =
    seen.player === 'dash.js' ? seen.initializedAt! : seen.marks.find((m) => m.type === 'play')!.at;
  return playing - from;
}

describeInChromium('CMCD v2 from real players to the local stack', (env) => {
  /** Each player's stored session, for the bitrate test that follows its play test. */
  const stored = new Map<CmcdPlayer, SessionDetail>();
  for (const player of ['hls.js', 'dash.js'] as const) {
    it(`${player}: session, startup, pause/resume, one stall, a seek, from CMCD alone`, async () => {
      const session = `cmcd-${player === 'hls.js' ? 'hlsjs' : 'dashjs'}-e2e-0001`;
      const version = playerVersion(player);
      const context = await env.browser.newContext();
      const { page, held } = await openCmcdPage(context, env.stack.url, {
        player,
        target: `${env.stack.url}/v1/cmcd?player=${player}&player_version=${version}`,
        session,
        content: 'cmcd-test-stream',
        events: ['ps', 'e', 't', 'bc', 'm', 'um', 'rr'],
        interval: 10,
        batch: 1,
        keys: player === 'dash.js' ? DASHJS_KEYS : undefined,
        maxBuffer: 2,
        level: 0,
        holdMs: HOLD_MS,
      });
      // Every report line as it left the page, and the stack's answer to each request.
      let sent = 0;
      const answers: { body: string; lines: number; status: number }[] = [];
      const isReport = (r: Request) =>
        r.method() === 'POST' && new URL(r.url()).pathname === '/v1/cmcd';
      page.on('request', (r) => {
        if (isReport(r)) sent += 1;
      });
      page.on('requestfinished', async (r: Request) => {
        if (!isReport(r)) return;
        const body = r.postData() ?? '';
        const res = (await r.response()) as Response;
        answers.push({
          body,
          lines: body.replace(/\n$/, '').split('\n').length,
          status: res.status(),
        });
      });
      page.on('requestfailed', (r) => {
        if (isReport(r)) answers.push({ body: r.postData() ?? '', lines: 0, status: 0 });
      });
      await runScenario(page, TOP, undefined, { mute: false, seek: true });
      const seen = await pageState(page);
      // The viewer leaves: the player stops reporting; then every report sent has its answer.
      await page.evaluate(() => (window as CmcdWindow).cmcdPage.destroy());
      await pollUntil(
        async () => answers.length,
        (n) => n === sent,
      );
      await page.unrouteAll({ behavior: 'wait' });
      await context.close();
      expect(answers.filter((a) => a.status < 200 || a.status > 299)).toStrictEqual([]);
      expect(seen.errors).toStrictEqual([]);
      expect(held.length).toBeGreaterThanOrEqual(1);
      expect(answers.length).toBeGreaterThan(5);
      expect(answers.filter((a) => a.status < 200 || a.status > 299)).toStrictEqual([]);
      const acknowledged = answers.reduce((n, a) => n + a.lines, 0);

      // Every acknowledged line is one stored event, so wait for all of them.
      const url = `${env.stack.url}/api/v1/sessions/${session}`;
      const detail = await pollUntil(
        () => getJson<SessionDetail>(url).catch(() => null),
        (d) => d !== null && d.events >= acknowledged,
        30_000,
        250,
      );
      expect(detail).not.toBeNull();
      const d = detail as SessionDetail;
      // The figures compared, for a person to read, also when an assertion below fails
      // (test-results/ is not committed).
      fs.mkdirSync('test-results', { recursive: true });
      fs.writeFileSync(
        path.join('test-results', `cmcd-${player}-e2e.json`),
        JSON.stringify(
          {
            acknowledged,
            storedStartupMs: d.startupMs,
            pageStartupMs: pageStartupMs(seen),
            storedStallMs: d.timeline
              .filter((e) => e.type === 'stall_end')
              .map((e) => e.fields.stall_ms),
            pageStalls: seen.stalls.map((st) => (st.playingAt ?? Number.NaN) - st.waitingAt),
            bitrates: d.timeline
              .filter((e) => e.type === 'bitrate_changed')
              .map((e) => e.fields.bitrate),
            stallCount: d.stallCount,
            badRows: d.badRows.length,
            timeline: d.timeline.map((e) => [e.seq, e.type, e.fields]),
          },
          null,
          1,
        ),
      );

      expect(d.events).toBe(acknowledged);
      expect(d.badRows).toStrictEqual([]);
      expect(d.place).toMatchObject({
        sdk_name: 'cmcd',
        sdk_version: '2',
        schema_version: 'cmcd-1-0-0',
        player_name: player,
        player_version: version,
        source: 'cmcd',
      });
      expect(d.contentId).toBe('cmcd-test-stream');

      const ofType = (t: string) => d.timeline.filter((e) => e.type === t);
      // Startup: as the page timed it from the same moment the player reports `starting`.
      expect(d.startupMs).not.toBeNull();
      expect(
        Math.abs((d.startupMs as number) - pageStartupMs(seen)),
        `stored startup ${d.startupMs} ms, the page saw ${Math.round(pageStartupMs(seen))} ms`,
      ).toBeLessThanOrEqual(STARTUP_TOLERANCE_MS);
      expect(ofType('first_frame')).toHaveLength(1);

      // Paused and resumed: the viewer's pause before the stall, then its resume.
      const stallStart = ofType('stall_start');
      expect(ofType('paused').length).toBeGreaterThanOrEqual(1);
      expect(ofType('resumed').length).toBeGreaterThanOrEqual(1);
      expect(ofType('paused')[0]!.t).toBeLessThan(ofType('resumed')[0]!.t);

      // Exactly one stall, as long as the page's own `waiting` → `playing`.
      expect(stallStart).toHaveLength(1);
      const stallEnd = ofType('stall_end');
      expect(stallEnd).toHaveLength(1);
      const stall = seen.stalls[0]!;
      expect(seen.stalls).toHaveLength(1);
      const pageStallMs = stall.playingAt! - stall.waitingAt;
      const storedStallMs = stallEnd[0]!.fields.stall_ms as number;
      expect(storedStallMs).toBeGreaterThanOrEqual(HOLD_MS);
      expect(
        Math.abs(storedStallMs - pageStallMs),
        `stored stall ${storedStallMs} ms, the page saw ${Math.round(pageStallMs)} ms (hold ${HOLD_MS} ms)`,
      ).toBeLessThanOrEqual(STALL_TOLERANCE_MS);
      expect(d.stallCount).toBe(1);

      // The seek to 12 s: a seek, not a second stall (both players report a wait inside it).
      expect(ofType('seeking')).toHaveLength(1);
      expect(ofType('seeked')).toHaveLength(1);
      const seekMs = ofType('seeked')[0]!.fields.seek_ms as number;
      const seeking = seen.marks.find((m) => m.type === 'seeking')!.at;
      const afterSeek = seen.marks.find((m) => m.type === 'playing' && m.at > seeking)!.at;
      expect(Math.abs(seekMs - (afterSeek - seeking))).toBeLessThanOrEqual(STALL_TOLERANCE_MS);

      expect(ofType('ended')).toHaveLength(1);
      stored.set(player, d);

      // The QoE slice of CMCD-fed sessions of this player: this session's startup.
      const qoeUrl = `${env.stack.url}/api/v1/qoe?range=15m&source=cmcd&player_name=${encodeURIComponent(player)}&player_version=${version}`;
      const qoe = await pollUntil(
        () => getJson<QoeSummary>(qoeUrl),
        (q) => q.startup.sessions >= 1,
      );
      expect(qoe.sessions).toBe(1);
      expect(qoe.startup.sessions).toBe(1);
      // The rollups keep startup in a relative-error sketch (SKETCH_ALPHA).
      expect(
        Math.abs((qoe.startup.p50Ms as number) - (d.startupMs as number)) / (d.startupMs as number),
      ).toBeLessThanOrEqual(SKETCH_ALPHA);
      const sdkOnly = await getJson<QoeSummary>(
        `${env.stack.url}/api/v1/qoe?range=15m&source=sdk&player_name=${encodeURIComponent(player)}`,
      );
      expect(sdkOnly.sessions).toBe(0);

      // What a person sees: the session explorer on this session.
      const view = await env.browser.newPage();
      await view.goto(`${env.stack.url}/dashboard?session=${session}`);
      await expect
        .poll(() => view.locator('#session-events tbody tr').count(), { timeout: 10_000 })
        .toBe(acknowledged);
      expect(await view.locator('#session-id').textContent()).toBe(session);
      await screenshot(view, `cmcd-${player}-session.png`);
      await view.close();
    });

    // Its own test, so a gap here does not hide the rest: dash.js sends no `bc` event, only the
    // playhead bitrate (`pb`) on its other reports (test/fixtures/cmcd/README.md).
    it(`${player}: the switch to the top rendition is a bitrate_changed at the manifest's bitrate`, () => {
      const d = stored.get(player);
      expect(d, 'the session of the test above').toBeDefined();
      const changes = (d as SessionDetail).timeline
        .filter((e) => e.type === 'bitrate_changed')
        .map((e) => e.fields.bitrate);
      expect(changes.at(-1), `bitrate_changed rows: ${JSON.stringify(changes)}`).toBe(
        manifestBitrate(player, TOP),
      );
    });
  }
});
