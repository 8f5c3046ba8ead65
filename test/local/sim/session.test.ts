import { describe, expect, it } from 'vitest';
import { batchValidators } from '../../../schemas/generated/batch.js';
import { makeBatch } from '../../../local/sim/batch.js';
import { createRng } from '../../../local/sim/random.js';
import { NO_EFFECTS } from '../../../local/sim/faults.js';
import { scriptSession, stampEvent } from '../../../local/sim/session.js';

describe('scripted sessions', () => {
  it('produce schema-valid batches for many sessions, good and bad', () => {
    const rng = createRng(7);
    for (let i = 0; i < 300; i++) {
      const script = scriptSession(rng, { bad: i % 3 === 0 });
      const now = Date.now();
      const events = script.events.map((_, k) => stampEvent(script, k, now + k));
      for (let k = 0; k < events.length; k += 200) {
        const batch = makeBatch(script, events.slice(k, k + 200), now + events.length);
        const ok = batchValidators['1-0-0'](batch);
        expect(ok, JSON.stringify(batchValidators['1-0-0'].errors)).toBe(true);
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

  it('show the first frame exactly startup_ms after the request', () => {
    const rng = createRng(13);
    for (let i = 0; i < 200; i++) {
      const events = scriptSession(rng).events;
      const ff = events.find((e) => e.type === 'first_frame');
      if (!ff) continue;
      expect(ff.at - events[0].at).toBe(ff.fields?.startup_ms);
      const started = events.find((e) => e.type === 'started');
      expect(started?.at).toBeLessThanOrEqual(ff.at);
    }
  });

  it('report in each heartbeat the time-weighted average bitrate so far', () => {
    const rng = createRng(17);
    for (let i = 0; i < 100; i++) {
      const events = scriptSession(rng, { heartbeatMs: 10_000 }).events;
      // The rendition in force during each interval is the last variant_loaded before its heartbeat.
      let bitrate = 0;
      let bits = 0;
      let played = 0;
      for (const e of events) {
        if (e.type === 'variant_loaded') bitrate = e.fields?.bitrate as number;
        if (e.type !== 'heartbeat') continue;
        const now = e.fields?.played_ms as number;
        bits += bitrate * (now - played);
        played = now;
        expect(e.fields?.bitrate).toBe(Math.round(bits / played));
      }
    }
  });

  it('scale bitrates, startups and seeks by the effects asked for', () => {
    const stats = (effects?: Parameters<typeof scriptSession>[1]) => {
      const rng = createRng(31);
      let startup = 0;
      let seek = 0;
      let seeks = 0;
      const rates: number[] = [];
      for (let i = 0; i < 300; i++) {
        for (const e of scriptSession(rng, effects).events) {
          if (e.type === 'first_frame') startup += e.fields?.startup_ms as number;
          if (e.type === 'seeked') {
            seek += e.fields?.seek_ms as number;
            seeks += 1;
          }
          if (e.type === 'variant_loaded') rates.push(e.fields?.bitrate as number);
        }
      }
      return { startup, seek: seek / seeks, top: Math.max(...rates) };
    };
    const base = stats();
    const slow = stats({
      effects: { ...NO_EFFECTS, bitrateFactor: 0.5, seekAddMs: 1000, startupFactor: 2 },
    });
    expect(slow.top).toBe(base.top / 2);
    expect(slow.seek - base.seek).toBeGreaterThan(900);
    expect(slow.startup / base.startup).toBeGreaterThan(1.6);
  });
});
