/**
 * Shared by the real-browser tests: finding Debian's Chromium (skip loudly when it is missing,
 * fail under CI), launching it headless, the local stack on a temporary data directory, the
 * describe block that starts and stops both, bounded polling of the dashboard API, and reading the
 * demo page's own record of what it sent.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../bench/chromium.js';
import { startDev, type DevOptions, type DevStack } from '../../local/dev.js';
import type { Tracker } from '../../player/core/tracker.js';
import type { BatchResult } from '../../player/transport/results.js';
import { EVENT_TYPES, type BeaconEvent, type EventType } from '../../schemas/index.js';

/**
 * What the demo page (and the dash.js test page, in the same shape) keeps in `window.demo`, as far
 * as the tests read it. Functions passed to `page.evaluate` run in the page, so they use this as a
 * type only: `(window as DemoWindow).demo`.
 */
export interface DemoState {
  video: HTMLVideoElement;
  tracker: Tracker | null;
  /** Every event the SDK created (its onEvent). */
  events: { sessionId: string; event: BeaconEvent }[];
  /** Every batch result (its onBatchSent), with the ids of the batch's events. */
  batches: {
    via: BatchResult['via'];
    status: number;
    outcome: BatchResult['outcome'];
    /** Events of the batch the edge refused (200 with a list, or 400). */
    rejected: number;
    ids: string[];
  }[];
}

/** The page's window with the demo's state. */
export type DemoWindow = typeof window & { demo: DemoState };

/** Where screenshots go (gitignored). */
const RESULTS_DIR = path.resolve('test-results');

/**
 * Decides whether the browser tests of a file run. With Chromium present: run. Without it: skip,
 * printing one loud line per test run (the first file to notice prints it), except under CI
 * (any non-empty `CI`, as CI services set it: `true`, `1`, ...), where the tests run anyway and
 * fail on the missing browser.
 */
function browserTestsEnabled(): boolean {
  if (fs.existsSync(CHROMIUM_PATH)) return true;
  if (underCi()) return true; // launchChromium() fails with the reason
  // One line for the whole run: the workers of one vitest run share a parent process.
  const marker = path.join(os.tmpdir(), `beacon-edge-browser-skip-${process.ppid}`);
  try {
    fs.writeFileSync(marker, '', { flag: 'wx' });
    console.warn(
      `\n\x1b[1;33m⚠ BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM_PATH}. Install it with \`apt-get install -y chromium\` (under CI this is a failure).\x1b[0m\n`,
    );
  } catch {
    // Another file of this run already said it.
  }
  return false;
}

/** Whether this run is CI's: any non-empty `CI` counts (services set `true`, `1` or a name). */
function underCi(): boolean {
  return (process.env.CI ?? '') !== '';
}

/** Launches headless Chromium. Playwright gives each launch a fresh temporary user-data directory. */
async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is required under CI (CI=${process.env.CI}) but missing at ${CHROMIUM_PATH}: apt-get install -y chromium`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}

/** A local stack on its own temporary data directory. */
interface TestStack {
  url: string;
  dev: DevStack;
  stop(): Promise<void>;
}

/**
 * Options of the stack a {@link describeInChromium} block starts: an API token, and `prepare`,
 * which fills the fresh data directory (e.g. a backfilled store) before the stack opens it.
 */
type StackOptions = Pick<DevOptions, 'apiToken'> & {
  prepare?: (dataDir: string) => Promise<void>;
};

/** Starts `beacons dev` in-process on a free port and a fresh data directory. */
async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const { prepare, ...devOptions } = options;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-browser-'));
  await prepare?.(dataDir);
  // The default consumer poll: a faster one costs CPU that the stacks and browsers of the other
  // test files share.
  const dev = await startDev({ port: 0, dataDir, ...devOptions });
  return {
    url: dev.url,
    dev,
    stop: async () => {
      await dev.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the stack and Chromium side by side; if either fails, stops the other before throwing
 * (so a missing browser under CI fails the file without leaving a stack running).
 */
async function startStackAndBrowser(
  options: StackOptions,
): Promise<{ stack: TestStack; browser: Browser }> {
  const [stack, browser] = await Promise.allSettled([startStack(options), launchChromium()]);
  if (stack.status === 'fulfilled' && browser.status === 'fulfilled')
    return { stack: stack.value, browser: browser.value };
  if (stack.status === 'fulfilled') await stack.value.stop();
  if (browser.status === 'fulfilled') await browser.value.close();
  throw stack.status === 'rejected' ? stack.reason : (browser as PromiseRejectedResult).reason;
}

/** The stack and the browser a {@link describeInChromium} block's tests share. */
export interface ChromiumEnv {
  /** The running stack; throws when the block's start failed. */
  readonly stack: TestStack;
  /** The running Chromium; throws when the block's start failed. */
  readonly browser: Browser;
}

/**
 * A describe block (skipped as {@link browserTestsEnabled} says) whose tests share one local stack
 * (started with `options`, e.g. an API token) and one Chromium: both start before the block's own
 * beforeAll hooks and close after its own afterAll hooks.
 * @example
 * describeInChromium('demo page', (env) => {
 *   it('opens', async () => { ... env.browser.newContext() ... env.stack.url ... });
 * });
 */
export function describeInChromium(
  name: string,
  body: (env: ChromiumEnv) => void,
  options: StackOptions = {},
): void {
  describe.skipIf(!browserTestsEnabled())(name, () => {
    let started: { stack: TestStack; browser: Browser } | undefined;
    beforeAll(async () => {
      started = await startStackAndBrowser(options);
    });
    afterAll(async () => {
      await started?.browser.close();
      await started?.stack.stop();
    });
    const running = () => {
      if (!started) throw new Error('the stack and browser did not start');
      return started;
    };
    body({
      get stack() {
        return running().stack;
      },
      get browser() {
        return running().browser;
      },
    });
  });
}

/** GET a JSON document from the stack (throws on a non-2xx answer). */
export async function getJson<T = unknown>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * Calls `read` until `done` holds or `timeoutMs` passes (then returns the last value, so the
 * caller's assertion shows what was there). Bounded; no fixed sleeps in the tests.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Counts per type, as GET /api/v1/counts returns them. */
export type Counts = Record<EventType, number>;

/** Every event type at 0, plus the given counts. */
export function counts(partial: Partial<Counts>): Counts {
  return { ...(Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Counts), ...partial };
}

/** GET /api/v1/counts?since=… */
function storedCounts(base: string, since: Date): Promise<Counts> {
  return getJson<Counts>(`${base}/api/v1/counts?since=${encodeURIComponent(since.toISOString())}`);
}

/**
 * The stack's counts since `since`, polled until `done` holds (bounded as {@link pollUntil}: the
 * last answer when it never does, for the caller's assertion to show).
 */
export function pollStoredCounts(
  base: string,
  since: Date,
  done: (c: Counts) => boolean,
): Promise<Counts> {
  return pollUntil(() => storedCounts(base, since), done);
}

/** Event types the demo page recorded through the SDK's onEvent, tallied. */
export async function pageTally(page: Page): Promise<Partial<Counts>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const e of (window as DemoWindow).demo.events)
      out[e.event.type] = (out[e.event.type] ?? 0) + 1;
    return out;
  });
}

/** Waits until the page's SDK has created `n` events of `type` (bounded by Playwright's timeout). */
export async function waitForEvent(
  page: Page,
  type: EventType,
  n = 1,
  timeout = 10_000,
): Promise<void> {
  await page.waitForFunction(
    ([t, k]) => (window as DemoWindow).demo.events.filter((e) => e.event.type === t).length >= k,
    [type, n] as const,
    { timeout, polling: 50 },
  );
}

/** Waits until every event the page created was in a batch the edge accepted (fetch 2xx). */
export async function waitAllDelivered(page: Page, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const d = (window as DemoWindow).demo;
      const sent = new Set(d.batches.filter((b) => b.outcome === 'sent').flatMap((b) => b.ids));
      return d.events.every((e) => sent.has(e.event.id));
    },
    undefined,
    { timeout, polling: 50 },
  );
}

/** Saves a screenshot into test-results/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, name);
  // A click may have scrolled the page; a full-page capture then draws the sticky header mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
