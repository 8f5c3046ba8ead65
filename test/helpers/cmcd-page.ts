/**
 * Drives the CMCD test page (test/browser/pages/cmcd.html) in Chromium: serves the page and the
 * unmodified npm builds of hls.js and dash.js by routing (the media come from the local stack's
 * /demo routes), holds one media segment back for a stall of known length, and walks the player
 * through the actions a viewer takes (play, pause, resume, a stall, a bitrate change, mute and
 * unmute, a seek, the end), calling `onPhase` before each so a collector can label what arrives.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

/** The players the page runs, with their npm versions. */
export type CmcdPlayer = 'hls.js' | 'dash.js';

const require = createRequire(import.meta.url);
/** The page and the unmodified player builds it loads, by the name the page asks for. */
export const PAGE_FILES: Record<string, string> = {
  'cmcd.html': path.resolve('test/browser/pages/cmcd.html'),
  'hls.min.js': path.resolve('node_modules/hls.js/dist/hls.min.js'),
  'dash.all.min.js': require.resolve('dashjs'), // its UMD browser build
};

/**
 * The event target's `enabledKeys` the tests give dash.js (the README's setting): without them it
 * sends only e, ts and v (no session id). `ttfb` is left out: dash.js 5.2.1 sometimes puts an
 * epoch time there, which the edge refuses (and dash.js then re-sends the refused line forever).
 */
export const DASHJS_KEYS: readonly string[] = [
  'sid',
  'cid',
  'sta',
  'sn',
  'v',
  'br',
  'bl',
  'pb',
  'tb',
  'mtp',
  'ot',
  'sf',
  'st',
  'pr',
  'msd',
  'ec',
  'url',
  'rc',
  'ttlb',
  'bs',
  'su',
  'd',
  'dl',
];

/** The installed version of a player package (what its npm build reports about itself). */
export function playerVersion(player: CmcdPlayer): string {
  const pkg = path.resolve(
    'node_modules',
    player === 'hls.js' ? 'hls.js' : 'dashjs',
    'package.json',
  );
  return JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
}

/**
 * The 4–6 s media segment of every rendition and the audio track (segments count from 01; the
 * players may append a CMCD query).
 */
const HELD_SEGMENT = /\/demo\/media\/cmaf\/seg-\d+-03\.m4s(\?.*)?$/;

/** What cmcd.html keeps in `window.cmcdPage`, as far as the tests read it. */
export interface CmcdPageState {
  player: CmcdPlayer;
  video: HTMLVideoElement;
  playCalledAt?: number;
  marks: { type: string; at: number; t: number; muted: boolean }[];
  errors: string[];
  loaded: boolean;
  switches: { index: number; at: number }[];
  stalls: { waitingAt: number; stoppedAt: number; playingAt?: number; resumedAt?: number }[];
  /** dash.js only: performance.now() of its PLAYBACK_INITIALIZED (where it reports `starting`). */
  initializedAt?: number;
  setLevel(i: number): void;
  /** The rendition the player is loading now (diagnostics). */
  loadingLevel(): number | undefined;
  destroy(): void;
}
/** The page's record, as data. */
export type PageRecord = Omit<CmcdPageState, 'video' | 'setLevel' | 'loadingLevel' | 'destroy'>;
/** The page's window. */
export type CmcdWindow = typeof window & { cmcdPage: CmcdPageState };

/** Page options, as cmcd.html reads them from its query. */
export interface CmcdPageOptions {
  player: CmcdPlayer;
  /** The event target URL the player reports to. */
  target: string;
  session: string;
  content?: string;
  events?: string[];
  interval?: number;
  batch?: number;
  /** dash.js `enabledKeys` of the event target. */
  keys?: readonly string[];
  maxBuffer?: number;
  level?: number;
  /** Hold the 4–6 s segment until this many ms after the element runs dry. */
  holdMs?: number;
  /**
   * Serve the page and the builds by routing (default), or not: `origin` then serves them itself
   * (./cmcd-page-server.ts), and with no route at all, Chromium's CORS preflights reach the
   * collector (Playwright answers them itself while any route is active). No hold then.
   */
  routed?: boolean;
}

/** Opens the page on `origin` (the local stack) in `context`, with the player's build loaded. */
export async function openCmcdPage(
  context: BrowserContext,
  origin: string,
  options: CmcdPageOptions,
): Promise<{ page: Page; held: string[] }> {
  const page = await context.newPage();
  if (options.routed !== false) {
    await page.route(`${origin}/test-pages/**`, (route) => {
      const file = PAGE_FILES[path.basename(new URL(route.request().url()).pathname)];
      return file ? route.fulfill({ path: file }) : route.fulfill({ status: 404 });
    });
  }
  const held: string[] = [];
  if (options.holdMs !== undefined) {
    let releaseAll = () => {};
    const released = new Promise<void>((resolve) => (releaseAll = resolve));
    await page.route(HELD_SEGMENT, async (route) => {
      held.push(new URL(route.request().url()).pathname);
      await released;
      // The player may have aborted this request meanwhile (a down-switch): nothing to continue.
      await route.continue().catch(() => undefined);
    });
    await page.exposeBinding('releaseHeldSegment', () => releaseAll());
  }
  const q = new URLSearchParams({
    player: options.player,
    target: options.target,
    session: options.session,
  });
  if (options.content) q.set('content', options.content);
  if (options.events) q.set('events', options.events.join(','));
  if (options.interval !== undefined) q.set('interval', String(options.interval));
  if (options.batch !== undefined) q.set('batch', String(options.batch));
  if (options.keys) q.set('keys', options.keys.join(','));
  if (options.maxBuffer !== undefined) q.set('maxBuffer', String(options.maxBuffer));
  if (options.level !== undefined) q.set('level', String(options.level));
  if (options.holdMs !== undefined) q.set('hold', String(options.holdMs));
  await page.goto(`${origin}/test-pages/cmcd.html?${q}`);
  await page.waitForFunction(() => (window as CmcdWindow).cmcdPage?.loaded === true, undefined, {
    polling: 50,
  });
  return { page, held };
}

/** Reads the page's own record. */
export function pageState(page: Page): Promise<PageRecord> {
  return page.evaluate(() => {
    const { player, playCalledAt, marks, errors, loaded, switches, stalls, initializedAt } = (
      window as CmcdWindow
    ).cmcdPage;
    return { player, playCalledAt, marks, errors, loaded, switches, stalls, initializedAt };
  });
}

/** Waits until the page has `n` marks of `type`. */
async function waitForMark(page: Page, type: string, n = 1, timeout = 20_000): Promise<void> {
  try {
    await page.waitForFunction(
      ([t, k]) => (window as CmcdWindow).cmcdPage.marks.filter((m) => m.type === t).length >= k,
      [type, n] as const,
      { timeout, polling: 50 },
    );
  } catch (e) {
    throw new Error(`no ${n}× ${type} within ${timeout} ms: ${await whereIsPlayer(page)}`, {
      cause: e,
    });
  }
}

/**
 * Where the player was, for a failure's message: playhead, buffered ranges, the rendition it is
 * loading, its reported switches and last element events.
 */
function whereIsPlayer(page: Page): Promise<string> {
  return page
    .evaluate(() => {
      const { marks, video, errors, switches, loadingLevel } = (window as CmcdWindow).cmcdPage;
      const ranges = Array.from({ length: video.buffered.length }, (_, i) => [
        video.buffered.start(i),
        video.buffered.end(i),
      ]);
      const last = marks.filter((m) => m.type !== 'timeupdate').slice(-6);
      const loading = loadingLevel();
      return JSON.stringify({
        t: video.currentTime,
        paused: video.paused,
        ranges,
        loading,
        switches,
        last,
        errors,
      });
    })
    .catch((e: unknown) => `(page unreadable: ${String(e)})`);
}

const countMarks = (page: Page, type: string) =>
  page.evaluate(
    (t) => (window as CmcdWindow).cmcdPage.marks.filter((m) => m.type === t).length,
    type,
  );

const waitPlayhead = (page: Page, seconds: number) =>
  page.waitForFunction((s) => (window as CmcdWindow).cmcdPage.video.currentTime > s, seconds, {
    timeout: 20_000,
    polling: 50,
  });

/**
 * The viewer's actions, in order: play, pause (0.5 s), resume, run into the held segment's stall
 * (the page releases it), switch to rendition `toLevel`, mute and unmute and seek to 12 s (unless
 * `steps` leaves them out), play to the end (the element's `ended`, or dash.js's PLAYBACK_ENDED,
 * which it sometimes reaches without the element's). `onPhase` is called before each action.
 */
export async function runScenario(
  page: Page,
  toLevel: number,
  onPhase: (phase: string) => void = () => {},
  steps: { mute: boolean; seek: boolean } = { mute: true, seek: true },
): Promise<void> {
  onPhase('play');
  await page.click('#play');
  await waitForMark(page, 'playing');
  await waitPlayhead(page, 1);
  onPhase('pause');
  await page.evaluate(() => (window as CmcdWindow).cmcdPage.video.pause());
  await waitForMark(page, 'pause');
  await page.waitForTimeout(500);
  onPhase('resume');
  const playing = await countMarks(page, 'playing');
  await page.evaluate(() => (window as CmcdWindow).cmcdPage.video.play());
  await waitForMark(page, 'playing', playing + 1);
  onPhase('stall');
  await page.waitForFunction(
    () => (window as CmcdWindow).cmcdPage.stalls.some((s) => s.resumedAt !== undefined),
    undefined,
    { timeout: 30_000, polling: 50 },
  );
  onPhase('bitrate');
  await switchRendition(page, toLevel);
  if (steps.mute) await muteUnmute(page, onPhase);
  if (steps.seek) await seek(page, onPhase);
  onPhase('end');
  await page
    .waitForFunction(
      () =>
        (window as CmcdWindow).cmcdPage.marks.some(
          (m) => m.type === 'ended' || m.type === 'player-ended',
        ),
      undefined,
      { timeout: 30_000, polling: 50 },
    )
    // Neither: fail saying where the player was.
    .catch(() => waitForMark(page, 'ended', 1, 1));
}

/**
 * Asks the player for rendition `toLevel` and waits until it reports the switch rendered; a
 * failure says where the player was (the rendition it loads, its buffer).
 */
async function switchRendition(page: Page, toLevel: number): Promise<void> {
  const seen = [
    await page.evaluate(() => (window as CmcdWindow).cmcdPage.switches.length),
    toLevel,
  ] as const;
  await page.evaluate((i) => (window as CmcdWindow).cmcdPage.setLevel(i), toLevel);
  await page
    .waitForFunction(
      ([n, i]) => (window as CmcdWindow).cmcdPage.switches.slice(n).some((s) => s.index === i),
      seen,
      { timeout: 20_000, polling: 50 },
    )
    .catch(async (e: unknown) => {
      throw new Error(`no switch to ${toLevel} rendered: ${await whereIsPlayer(page)}`, {
        cause: e,
      });
    });
}

/** Mutes, then unmutes. */
async function muteUnmute(page: Page, onPhase: (phase: string) => void): Promise<void> {
  onPhase('mute');
  await page.evaluate(() => ((window as CmcdWindow).cmcdPage.video.muted = true));
  await page.waitForTimeout(300);
  onPhase('unmute');
  await page.evaluate(() => ((window as CmcdWindow).cmcdPage.video.muted = false));
  await page.waitForTimeout(300);
}

/** Seeks to 12 s and waits for `seeked`. */
async function seek(page: Page, onPhase: (phase: string) => void): Promise<void> {
  onPhase('seek');
  const seeked = await countMarks(page, 'seeked');
  await page.evaluate(() => ((window as CmcdWindow).cmcdPage.video.currentTime = 12));
  await waitForMark(page, 'seeked', seeked + 1);
}
