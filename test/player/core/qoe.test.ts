import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQoe, type EmitAt } from '../../../player/core/qoe.js';
import { systemClock, systemTimers } from '../../../player/core/clock.js';

/** A state machine whose emitted events are recorded with the (monotonic) time they refer to. */
function machine(minStallMs = 250) {
  const out: { type: string; fields?: Record<string, unknown>; at?: number }[] = [];
  const qoe = createQoe({
    clock: systemClock,
    timers: systemTimers,
    minStallMs,
    emit: (type, fields, at?: EmitAt) =>
      out.push({ type, ...(fields ? { fields } : {}), ...(at ? { at: at.mono } : {}) }),
  });
  return { qoe, out, types: () => out.map((e) => e.type) };
}
const wait = (ms: number) => vi.advanceTimersByTime(ms);

/** Request, start and show the first frame; returns at playhead 0.1 s. */
function start(m: ReturnType<typeof machine>) {
  m.qoe.request(false);
  m.qoe.playing(0);
  m.qoe.progress(0.1);
}

describe('QoE state machine (CTA-2066)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('measures startup from the play request to the first frame with the playhead advancing', () => {
    const m = machine();
    m.qoe.request(true);
    wait(300);
    m.qoe.playing(0);
    wait(100);
    m.qoe.progress(0); // a timeupdate without movement is not a first frame
    wait(300);
    m.qoe.progress(0.05);
    expect(m.out.map(({ type, fields }) => ({ type, fields }))).toStrictEqual([
      { type: 'requested', fields: { autoplay: true } },
      { type: 'started', fields: undefined },
      { type: 'first_frame', fields: { startup_ms: 700 } },
    ]);
  });

  it('ignores stall signals during startup', () => {
    const m = machine();
    m.qoe.request();
    m.qoe.playing(0);
    m.qoe.waiting();
    wait(2000);
    m.qoe.progress(0.1);
    expect(m.types()).toStrictEqual(['requested', 'started', 'first_frame']);
    expect(m.qoe.counters()).toStrictEqual({ played_ms: 0, stall_ms: 0, stall_count: 0 });
  });

  it('ignores stalls shorter than 250 ms and counts their time as played', () => {
    const m = machine();
    start(m);
    wait(1000);
    m.qoe.waiting();
    wait(249);
    m.qoe.progress(1.2);
    wait(751);
    expect(m.types()).not.toContain('stall_start');
    expect(m.qoe.counters()).toStrictEqual({ played_ms: 2000, stall_ms: 0, stall_count: 0 });
  });

  it('reports a stall of 250 ms or more, backdated to its start, and excludes it from played time', () => {
    const m = machine();
    start(m);
    wait(1000);
    const stallAt = performance.now();
    m.qoe.waiting();
    wait(250);
    expect(m.out.at(-1)).toStrictEqual({ type: 'stall_start', at: stallAt });
    wait(750);
    m.qoe.progress(1.0); // playhead moves on: the stall is over
    wait(500);
    expect(m.out.at(-1)).toStrictEqual({ type: 'stall_end', fields: { stall_ms: 1000 } });
    expect(m.qoe.counters()).toStrictEqual({ played_ms: 1500, stall_ms: 1000, stall_count: 1 });
  });

  it('takes the threshold from the configuration', () => {
    const m = machine(1000);
    start(m);
    m.qoe.waiting();
    wait(600);
    m.qoe.playing(0.1);
    expect(m.types()).not.toContain('stall_start');
    m.qoe.waiting();
    wait(1000);
    m.qoe.playing(0.1);
    expect(m.types().filter((t) => t.startsWith('stall'))).toStrictEqual([
      'stall_start',
      'stall_end',
    ]);
  });

  it('excludes seeks, including buffering at the seek target', () => {
    const m = machine();
    start(m);
    wait(1000);
    m.qoe.seeking(1.1, 30);
    m.qoe.waiting();
    wait(400);
    m.qoe.seeked(30);
    m.qoe.waiting(); // buffering at the new position is part of the seek
    wait(1600);
    m.qoe.progress(30.2);
    wait(1000);
    expect(m.types()).toStrictEqual(['requested', 'started', 'first_frame', 'seeking', 'seeked']);
    expect(m.out[3]).toMatchObject({ fields: { to: 30 } });
    expect(m.out[4]).toMatchObject({ fields: { seek_ms: 400 } });
    expect(m.qoe.counters()).toStrictEqual({ played_ms: 2000, stall_ms: 0, stall_count: 0 });
    // After the seek completed, a stall counts again.
    m.qoe.waiting();
    wait(300);
    m.qoe.progress(30.5);
    expect(m.qoe.counters().stall_count).toBe(1);
  });

  it('ends a stall on pause, and counts nothing while paused', () => {
    const m = machine();
    start(m);
    wait(1000);
    m.qoe.waiting();
    wait(500);
    m.qoe.pause();
    wait(5000);
    expect(m.types().slice(3)).toStrictEqual(['stall_start', 'stall_end', 'paused']);
    expect(m.qoe.counters()).toStrictEqual({ played_ms: 1000, stall_ms: 500, stall_count: 1 });
    m.qoe.request();
    m.qoe.playing(1);
    expect(m.types().at(-1)).toBe('resumed');
  });

  it('closes an ongoing stall at session end and counts it in the heartbeat while it lasts', () => {
    const m = machine();
    start(m);
    m.qoe.waiting();
    wait(400);
    expect(m.qoe.counters()).toStrictEqual({ played_ms: 0, stall_ms: 400, stall_count: 1 });
    wait(600);
    expect(m.qoe.finish()).toStrictEqual({ played_ms: 0, stall_ms: 1000, stall_count: 1 });
    expect(m.types().slice(-2)).toStrictEqual(['stall_start', 'stall_end']);
  });

  it('accepts a backdated stall start (hls.js reports stalls after detecting them)', () => {
    const m = machine();
    start(m);
    wait(2000);
    const since = performance.now() - 300;
    m.qoe.waiting(since);
    expect(m.out.at(-1)).toStrictEqual({ type: 'stall_start', at: since });
    wait(200);
    m.qoe.playing(2);
    expect(m.qoe.counters()).toStrictEqual({ played_ms: 1700, stall_ms: 500, stall_count: 1 });
  });

  it('treats repeated stall signals as one stall', () => {
    const m = machine();
    start(m);
    m.qoe.waiting();
    wait(100);
    m.qoe.waiting();
    wait(400);
    m.qoe.waiting();
    m.qoe.playing(0.1);
    expect(m.types().filter((t) => t === 'stall_start')).toHaveLength(1);
    expect(m.qoe.counters()).toMatchObject({ stall_ms: 500, stall_count: 1 });
  });

  it('counts played time as wall clock excluding pauses', () => {
    const m = machine();
    start(m);
    wait(5000);
    m.qoe.pause();
    wait(3000);
    m.qoe.request();
    m.qoe.playing(5);
    wait(2000);
    expect(m.qoe.counters().played_ms).toBe(7000);
  });

  it('weights the bitrate by played time', () => {
    const m = machine();
    start(m);
    m.qoe.setBitrate(1_000_000);
    wait(4000);
    m.qoe.setBitrate(3_000_000);
    wait(2000);
    m.qoe.pause();
    m.qoe.setBitrate(6_000_000); // a switch while paused plays nothing
    wait(10000);
    expect(m.qoe.counters().bitrate).toBe(Math.round((1e6 * 4 + 3e6 * 2) / 6));
  });

  it('restarts the startup clock when the viewer pauses before the first frame', () => {
    const m = machine();
    m.qoe.request();
    wait(5000);
    m.qoe.pause();
    wait(60000);
    m.qoe.request();
    wait(200);
    m.qoe.playing(0);
    m.qoe.progress(0.1);
    expect(m.out.find((e) => e.type === 'first_frame')?.fields).toStrictEqual({ startup_ms: 200 });
    expect(m.types().filter((t) => t === 'requested')).toHaveLength(2);
  });

  it('does not mistake a seek during startup for the first frame', () => {
    const m = machine();
    m.qoe.request();
    m.qoe.playing(0);
    wait(100);
    m.qoe.seeking(0, 60);
    m.qoe.progress(60); // currentTime jumped: not playback
    wait(300);
    m.qoe.seeked(60);
    expect(m.types()).not.toContain('first_frame');
    wait(100);
    m.qoe.progress(60.1);
    expect(m.out.find((e) => e.type === 'first_frame')?.fields).toStrictEqual({ startup_ms: 500 });
  });
});
