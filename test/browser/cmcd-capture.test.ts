/**
 * What unmodified hls.js and dash.js builds actually send as CMCD v2 event reports, captured in
 * Chromium: each player plays the test stream through the page's viewer actions (play, pause,
 * resume, a held segment's stall, a bitrate change, mute/unmute, a seek, the end) and reports to a
 * cross-origin stand-in collector, configured only through its documented CMCD settings. The
 * assertions pin what the edge and the core rely on (content type, one dictionary per line, the
 * session on every line, the play states in order; the preflight is cmcd-target-responses's,
 * since the routing here answers preflights itself); `CMCD_CAPTURE_WRITE=1` also writes
 * the bodies as the fixtures test/fixtures/cmcd/<player>-<version>.txt (see its README).
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeCmcd } from '@svta/cml-cmcd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeInChromium } from '../helpers/browser-harness.js';
import { startCmcdCollector, type CmcdCollector } from '../helpers/cmcd-collector.js';
import {
  DASHJS_KEYS,
  openCmcdPage,
  pageState,
  playerVersion,
  runScenario,
  type CmcdPlayer,
} from '../helpers/cmcd-page.js';

const EVENTS = ['ps', 'e', 't', 'bc', 'm', 'um', 'rr'];
const FIXTURES = path.resolve('test/fixtures/cmcd');

/** One fixture block: the annotation line, then the body as sent without its final newline. */
function fixtureText(collector: CmcdCollector, player: CmcdPlayer): string {
  const head = [
    `# ${player} ${playerVersion(player)} CMCD v2 event reports, captured by test/browser/cmcd-capture.test.ts`,
    '# Each block: "# <n> <phase> <method> <path?query> content-type=<...>", then the body exactly as sent',
    '# (one CMCD dictionary per line) without its final newline. Blocks are separated by one empty line.',
  ];
  const blocks = collector
    .posts()
    .map((r, i) =>
      [
        `# ${i + 1} ${r.phase} ${r.method} ${r.url} content-type=${r.headers['content-type']}`,
        r.body.replace(/\n$/, ''),
      ].join('\n'),
    );
  return `${head.join('\n')}\n\n${blocks.join('\n\n')}\n`;
}

/**
 * Both players through the whole scenario take most of a minute of CI, and the real-player tests
 * on the stack (cmcd-players) already run them every time; this capture runs when asked:
 * `CMCD_CAPTURE=1` to check the players against the fixtures (after a player upgrade), and
 * `CMCD_CAPTURE_WRITE=1` to rewrite them.
 */
const CAPTURE = process.env.CMCD_CAPTURE === '1' || process.env.CMCD_CAPTURE_WRITE === '1';
const NAME = 'CMCD v2 event reports of unmodified players, as sent';
if (!CAPTURE) describe.skip(NAME, () => it.skip('runs with CMCD_CAPTURE=1', () => {}));
else
  describeInChromium(NAME, (env) => {
    let collector: CmcdCollector;
    beforeAll(async () => {
      collector = await startCmcdCollector();
    });
    afterAll(async () => {
      await collector?.close();
    });

    for (const player of ['hls.js', 'dash.js'] as const) {
      it(`${player}: one dictionary per line as application/cmcd, the session on every line, play states in order`, async () => {
        collector.requests.length = 0;
        collector.setPhase('load');
        const session = `cmcd-capture-${player === 'hls.js' ? 'hlsjs' : 'dashjs'}-0001`;
        // A loopback page may reach another loopback origin only with Chromium's local-network
        // permission (a page on the internet reporting to a public collector needs none).
        const context = await env.browser.newContext({ permissions: ['local-network-access'] });
        const { page } = await openCmcdPage(context, env.stack.url, {
          player,
          target: `${collector.url}/v1/cmcd?player=${player}&player_version=${playerVersion(player)}`,
          session,
          content: 'cmcd-test-stream',
          events: EVENTS,
          interval: 10,
          batch: 1,
          // With ttfb, to show what dash.js puts there.
          keys: player === 'dash.js' ? [...DASHJS_KEYS, 'ttfb'] : undefined,
          maxBuffer: 2,
          level: 0,
          holdMs: 1_500,
        });
        await runScenario(page, 2, (p) => collector.setPhase(p));
        const seen = await pageState(page);
        // The end's reports go out as the player sees `ended`; give them their round trip.
        collector.setPhase('after-end');
        await page.waitForTimeout(1_000);
        await context.close();
        if (process.env.CMCD_CAPTURE_WRITE === '1') {
          fs.mkdirSync(FIXTURES, { recursive: true });
          const file = path.join(
            FIXTURES,
            `${player.replace('.js', 'js')}-${playerVersion(player)}.txt`,
          );
          fs.writeFileSync(file, fixtureText(collector, player));
          // Everything seen (headers, arrival order, the page's own timings), for a person to read.
          fs.mkdirSync('test-results', { recursive: true });
          fs.writeFileSync(
            path.join('test-results', `cmcd-capture-${path.basename(file, '.txt')}.json`),
            JSON.stringify({ page: seen, requests: collector.requests }, null, 1),
          );
        }

        expect(seen.errors).toStrictEqual([]);
        const posts = collector.posts();
        expect(posts.length).toBeGreaterThan(5);
        for (const post of posts) {
          expect(post.headers['content-type']).toBe('application/cmcd');
          expect(post.body.endsWith('\n')).toBe(true);
        }
        const lines = posts.flatMap((p) => p.body.replace(/\n$/, '').split('\n'));
        const reports = lines.map((l) => decodeCmcd(l) as Record<string, unknown>);
        for (const r of reports) {
          expect(r).toMatchObject({ sid: session, v: 2 });
          expect(typeof r.ts).toBe('number');
          expect(typeof r.sn).toBe('number');
        }
        const states = reports.filter((r) => r.e === 'ps').map((r) => String(r.sta));
        // Play, pause, resume, the stall, its end, the seek, the end: in this order, possibly with
        // repeats and waiting/starting states between.
        const order = ['p', 'a', 'p', 'r', 'p', 'k', 'e'];
        let at = 0;
        for (const s of states) if (s === order[at]) at += 1;
        expect(at, `play states ${states.join(' ')}`).toBe(order.length);
      });
    }
  });
