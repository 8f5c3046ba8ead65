/**
 * How unmodified hls.js and dash.js treat the event target's answers, in Chromium, with the page
 * on one loopback origin and the stand-in collector on another (no Playwright routing, which
 * would answer CORS preflights itself): the preflight their `application/cmcd` POST causes, a
 * 429 (the lines are kept and sent again), a 410 (the target is silenced for the session), and
 * batching (`batchSize` lines per body).
 */
import { decodeCmcd } from '@svta/cml-cmcd';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium, pollUntil } from '../helpers/browser-harness.js';
import { startCmcdCollector, type CmcdCollector } from '../helpers/cmcd-collector.js';
import {
  DASHJS_KEYS,
  openCmcdPage,
  playerVersion,
  type CmcdPlayer,
  type CmcdWindow,
} from '../helpers/cmcd-page.js';
import { startPageServer, type PageServer } from '../helpers/cmcd-page-server.js';

const lines = (body: string) => body.replace(/\n$/, '').split('\n');

describeInChromium(
  'CMCD event targets: what the players do with the collector’s answers',
  (env) => {
    let collector: CmcdCollector;
    let pages: PageServer;
    beforeAll(async () => {
      [collector, pages] = await Promise.all([startCmcdCollector(), startPageServer()]);
    });
    afterAll(async () => {
      await collector?.close();
      await pages?.close();
    });

    /**
     * The session of the test running. A closed page's request already in flight (dash.js keeps
     * re-sending refused lines) may still arrive during the next test: each test reads its own.
     */
    let current = '';
    const posts = () => collector.posts().filter((p) => p.body.includes(`sid="${current}"`));

    /** A fresh context (so no cached preflight) with the page open, reporting to the collector. */
    async function open(
      player: CmcdPlayer,
      session: string,
      batch = 1,
    ): Promise<{ context: BrowserContext; page: Page }> {
      collector.requests.length = 0;
      current = session;
      // A loopback page may reach another loopback origin only with Chromium's local-network
      // permission (a page on the internet reporting to a public collector needs none).
      const context = await env.browser.newContext({ permissions: ['local-network-access'] });
      const { page } = await openCmcdPage(context, pages.url, {
        player,
        target: `${collector.url}/v1/cmcd?player=${player}&player_version=${playerVersion(player)}`,
        session,
        events: ['ps', 'e', 't', 'bc', 'rr'],
        interval: 10,
        batch,
        keys: player === 'dash.js' ? DASHJS_KEYS : undefined,
        routed: false,
      });
      return { context, page };
    }

    const playing = (page: Page) =>
      page.waitForFunction(
        () => (window as CmcdWindow).cmcdPage.marks.some((m) => m.type === 'playing'),
        undefined,
        { polling: 50 },
      );

    for (const player of ['hls.js', 'dash.js'] as const) {
      it(`${player}: a preflight (POST, content-type) before the first report; answered, then application/cmcd POSTs`, async () => {
        const { context, page } = await open(player, `cmcd-preflight-${player}`);
        await page.click('#play');
        await playing(page);
        await pollUntil(
          async () => posts().length,
          (n) => n >= 3,
        );
        await context.close();
        const first = collector.requests.find(
          (r) => r.method === 'OPTIONS' || r.body.includes(`sid="${current}"`),
        );
        expect(first?.method).toBe('OPTIONS');
        expect(first?.headers['access-control-request-method']).toBe('POST');
        expect(first?.headers['access-control-request-headers']).toBe('content-type');
        expect(first?.url).toBe(
          `/v1/cmcd?player=${player}&player_version=${playerVersion(player)}`,
        );
        for (const post of posts()) expect(post.headers['content-type']).toBe('application/cmcd');
      });

      it(`${player}: lines refused with 429 are sent again, unchanged, once the target accepts`, async () => {
        const session = `cmcd-429-${player}`;
        collector.answerWith(429, { 'retry-after': '1' });
        const { context, page } = await open(player, session);
        await page.click('#play');
        await playing(page);
        await pollUntil(
          async () => posts().length,
          (n) => n >= 3,
        );
        const refused = new Set(posts().flatMap((p) => lines(p.body)));
        collector.answerWith(204);
        // The players retry only when they next report: a pause is the next event.
        await page.evaluate(() => (window as CmcdWindow).cmcdPage.video.pause());
        const accepted = () =>
          new Set(
            posts()
              .filter((p) => p.status === 204)
              .flatMap((p) => lines(p.body)),
          );
        await pollUntil(
          async () => accepted(),
          (a) => [...refused].every((l) => a.has(l)),
        );
        await context.close();
        expect([...refused].filter((l) => !accepted().has(l))).toStrictEqual([]);
        // Nothing new was made up meanwhile: the retried lines keep their sn and ts.
        const sns = [...accepted()].map((l) => Number((decodeCmcd(l) as { sn: number }).sn));
        expect(new Set(sns).size).toBe(sns.length);
      });

      // hls.js disposes of the target on a 410. dash.js 5.2.1 does not: its requester hands the
      // reporter 500 for any failed status, so the lines are re-queued and sent again with every
      // later event. Both are pinned here, since the edge answers both.
      it(`${player}: after a 410 ${player === 'hls.js' ? 'the target gets nothing more for the session' : 'the refused lines come again with every later event'}`, async () => {
        collector.answerWith(410);
        const { context, page } = await open(player, `cmcd-410-${player}`);
        await page.click('#play');
        await playing(page);
        await pollUntil(
          async () => posts().length,
          (n) => n >= 1,
        );
        const firstAnswerAt = posts()[0]!.at;
        // Pause and resume: two play-state events that would each be reported.
        await page.evaluate(() => (window as CmcdWindow).cmcdPage.video.pause());
        await page.waitForTimeout(300);
        await page.evaluate(() => (window as CmcdWindow).cmcdPage.video.play());
        await page.waitForTimeout(1_500);
        await context.close();
        collector.answerWith(204);
        // Reports already in flight when the first 410 came back still arrive; none start later.
        const late = posts().filter((p) => p.at > firstAnswerAt + 500);
        if (player === 'hls.js') {
          expect(late.map((p) => p.body)).toStrictEqual([]);
        } else {
          const early = new Set(
            posts()
              .filter((p) => p.at <= firstAnswerAt)
              .flatMap((p) => lines(p.body)),
          );
          const lateLines = late.flatMap((p) => lines(p.body));
          expect(lateLines.filter((l) => early.has(l)).length).toBeGreaterThan(0);
        }
      });
    }

    it('hls.js: batchSize 3 sends three lines per body, joined by \\n with a final \\n', async () => {
      collector.answerWith(204);
      const { context, page } = await open('hls.js', 'cmcd-batch-hlsjs', 3);
      await page.click('#play');
      await playing(page);
      await pollUntil(
        async () => posts().length,
        (n) => n >= 2,
      );
      await context.close();
      for (const post of posts()) {
        expect(post.body.endsWith('\n')).toBe(true);
        expect(lines(post.body), `${post.phase}: ${post.body}`).toHaveLength(3);
      }
    });
  },
);
