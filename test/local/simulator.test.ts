import { describe, expect, it } from 'vitest';
import { validators } from '../../schemas/generated/index.js';
import { makeBatch, spoilOneEvent } from '../../local/sim/batch.js';
import { PLACES, drawViewer, servedBy, viewerHeaders } from '../../local/sim/geography.js';
import { acceptedCount, loopbackUrl } from '../../local/sim/http.js';
import { createViewerPool } from '../../local/sim/pool.js';
import { createRng } from '../../local/sim/random.js';
import { scriptSession, stampEvent } from '../../local/sim/session.js';
import { edgeLocationForPop } from '../../local/cloudfront/pops.js';
import { UsageError } from '../../local/errors.js';

const v = validators['1-0-0'];

describe('scripted sessions', () => {
  it('produce schema-valid batches for many sessions, good and bad', () => {
    const rng = createRng(7);
    for (let i = 0; i < 300; i++) {
      const script = scriptSession(rng, { bad: i % 3 === 0 });
      const now = Date.now();
      const events = script.events.map((_, k) => stampEvent(script, k, now + k));
      for (let k = 0; k < events.length; k += 200) {
        const batch = makeBatch(script, events.slice(k, k + 200), now + events.length);
        const ok = v.batch(batch);
        expect(ok, JSON.stringify(v.batch.errors)).toBe(true);
      }
    }
  });

  it('follow the player lifecycle', () => {
    const rng = createRng(11);
    for (let i = 0; i < 200; i++) {
      const types = scriptSession(rng).events.map((e) => e.type);
      expect(types[0]).toBe('requested');
      expect(types.at(-1)).toBe('session_end');
      expect(types.filter((t) => t === 'session_end')).toHaveLength(1);
      if (types.includes('first_frame')) {
        expect(types.indexOf('started')).toBeLessThan(types.indexOf('first_frame'));
        expect(types.indexOf('first_frame')).toBeLessThan(types.indexOf('heartbeat'));
      }
      const starts = types.filter((t) => t === 'stall_start').length;
      expect(types.filter((t) => t === 'stall_end')).toHaveLength(starts);
    }
  });

  it('keep heartbeat counters cumulative and the session end consistent with them', () => {
    const script = scriptSession(createRng(5));
    const counters = script.events
      .filter((e) => e.type === 'heartbeat' || e.type === 'session_end')
      .map((e) => e.fields as { played_ms: number; stall_ms: number; stall_count: number });
    for (let i = 1; i < counters.length; i++) {
      expect(counters[i].played_ms).toBeGreaterThanOrEqual(counters[i - 1].played_ms);
      expect(counters[i].stall_count).toBeGreaterThanOrEqual(counters[i - 1].stall_count);
    }
    const stalls = script.events
      .filter((e) => e.type === 'stall_end')
      .reduce((s, e) => s + (e.fields?.stall_ms as number), 0);
    expect(counters.at(-1)?.stall_ms).toBe(stalls);
  });

  it('make bad sessions start slower and stall more', () => {
    const stats = (bad: boolean) => {
      const rng = createRng(99);
      const startups: number[] = [];
      let stalls = 0;
      for (let i = 0; i < 400; i++) {
        const s = scriptSession(rng, { bad });
        for (const e of s.events) {
          if (e.type === 'first_frame') startups.push(e.fields?.startup_ms as number);
          if (e.type === 'stall_start') stalls += 1;
        }
      }
      startups.sort((a, b) => a - b);
      return { median: startups[Math.floor(startups.length / 2)], stalls };
    };
    const good = stats(false);
    const bad = stats(true);
    expect(bad.median).toBeGreaterThan(2 * good.median);
    expect(bad.stalls).toBeGreaterThan(3 * good.stalls);
  });

  it('spoils exactly one event when asked', () => {
    const script = scriptSession(createRng(3));
    const batch = makeBatch(script, [stampEvent(script, 0, 1), stampEvent(script, 1, 2)], 3);
    const spoiled = spoilOneEvent(batch, 1);
    expect(v.event(spoiled.events[0])).toBe(true);
    expect(v.event(spoiled.events[1])).toBe(false);
  });
});

describe('viewers', () => {
  it('place every viewer at a POP the emulator knows', () => {
    for (const p of PLACES) expect(edgeLocationForPop(p.pop), p.pop).toBeDefined();
  });

  it('send the POP and CloudFront geo headers', () => {
    const rng = createRng(1);
    const viewer = drawViewer(rng);
    const h = viewerHeaders(viewer, rng);
    expect(h['x-beacon-pop']).toBe(viewer.place.pop);
    expect(h['CloudFront-Viewer-Country']).toBe(viewer.place.country);
    expect(h['CloudFront-Viewer-ASN']).toBe(viewer.asn);
    expect(
      Object.keys(h).filter((k) => /^CloudFront-Is-/.test(k) && h[k] === 'true').length,
    ).toBeGreaterThanOrEqual(1);
    expect(Object.keys(h).some((k) => /address/i.test(k))).toBe(false);
  });

  it('mark viewers behind the bad POP', () => {
    const pool = createViewerPool({ rng: createRng(2), size: 400, badPop: 'fra' });
    const bad = pool.viewers.filter((x) => x.bad);
    expect(bad.length).toBeGreaterThan(0);
    for (const x of pool.viewers) expect(x.bad).toBe(servedBy(x.profile, 'FRA'));
  });

  it('continue with a new session when one ends, with unique event ids', () => {
    const pool = createViewerPool({ rng: createRng(4), size: 1 });
    const viewer = pool.viewers[0];
    const ids = new Set<string>();
    const sessions = new Set<string>();
    let total = 0;
    for (let i = 0; i < 100; i++) {
      const { script, events } = pool.take(viewer, 20, Date.now());
      sessions.add(script.sessionId);
      total += events.length;
      for (const e of events) ids.add(e.id);
    }
    expect(sessions.size).toBeGreaterThan(1);
    expect(pool.sessionsStarted()).toBe(sessions.size);
    expect(total).toBeGreaterThan(0);
    expect(ids.size).toBe(total);
  });
});

describe('http helpers', () => {
  it.each(['http://127.0.0.1:8787', 'http://localhost:1', 'http://[::1]:8787/'])(
    'accept loopback %s',
    (url) => {
      expect(loopbackUrl(url).protocol).toBe('http:');
    },
  );

  it.each([
    [
      'http://example.com',
      'the simulator only sends to loopback (127.0.0.1, ::1, localhost), not example.com',
    ],
    ['https://127.0.0.1', 'the simulator speaks plain http to the local stack, got https://'],
    ['nope', '--url must be a URL such as http://127.0.0.1:8787, got "nope"'],
  ])('refuse %s', (url, message) => {
    expect(() => loopbackUrl(url)).toThrow(new UsageError(message));
  });

  it('counts accepted events from the edge response', () => {
    expect(acceptedCount({ status: 204, body: '' }, 20)).toBe(20);
    expect(
      acceptedCount({ status: 200, body: JSON.stringify({ accepted: 19, rejected: [{}] }) }, 20),
    ).toBe(19);
    expect(acceptedCount({ status: 503, body: '{"error":"stream_unavailable"}' }, 20)).toBe(0);
    expect(acceptedCount({ status: 200, body: 'not json' }, 20)).toBe(0);
  });
});
