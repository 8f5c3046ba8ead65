import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueue } from '../../../player/transport/queue.js';
import { createStore, serialise } from '../../../player/transport/store.js';
import { createSession } from '../../../player/core/session.js';
import { createLogger } from '../../../player/log.js';
import { MemoryStorage, ThrowingStorage } from '../../helpers/player-fakes.js';
import { queueSession } from '../../helpers/player-tracker.js';

const { session, ev } = queueSession('session-queue-1');
const silent = createLogger('silent');

describe('persistent store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const state = (n: number) => {
    const q = createQueue(100);
    for (let i = 0; i < n; i++) q.push(session.envelope(), ev('paused'));
    return q.state();
  };
  const store = (storage: MemoryStorage | ThrowingStorage, id: string) =>
    createStore({
      storage,
      prefix: 'be',
      instanceId: id,
      now: () => Date.now(),
      leaseMs: 60_000,
      log: silent,
    });

  it('adopts a released queue at once and a crashed page’s queue after its lease', () => {
    const storage = new MemoryStorage();
    store(storage, 'page1').release(state(2));
    store(storage, 'page2').save(state(3)); // alive (or crashed): leased for a minute
    const adopted = store(storage, 'page3').adopt();
    expect(adopted.entries).toHaveLength(2);
    expect([...storage.map.keys()]).toStrictEqual(['be:q:page2']);
    vi.advanceTimersByTime(60_001);
    expect(store(storage, 'page4').adopt().entries).toHaveLength(3);
    expect(storage.map.size).toBe(0);
  });

  it('removes its key when the queue empties, and drops corrupt entries', () => {
    const storage = new MemoryStorage();
    const s = store(storage, 'p');
    s.save(state(1));
    expect(storage.map.has('be:q:p')).toBe(true);
    s.save(state(0));
    expect(storage.map.has('be:q:p')).toBe(false);
    storage.setItem('be:q:junk', '{not json');
    expect(store(storage, 'p2').adopt().entries).toHaveLength(0);
    expect(storage.map.has('be:q:junk')).toBe(false);
  });

  it('never throws when the storage does', () => {
    const warn = vi.fn();
    const s = createStore({
      storage: new ThrowingStorage(),
      prefix: 'be',
      instanceId: 'x',
      now: Date.now,
      leaseMs: 1000,
      log: { ...silent, warn },
    });
    expect(s.adopt()).toStrictEqual({ entries: [], envelopes: {} });
    s.save(state(1));
    s.release(state(1));
    expect(warn).toHaveBeenCalledTimes(3);
    expect(warn.mock.calls[0][1]).toMatchObject({ name: 'StorageError', key: 'be:q:' });
  });
});

describe('stored queue format', () => {
  const session = createSession('s-1', () => ({ contentId: () => 'c', viewerId: 'v-1' }));
  const ev = (i: number) =>
    session.event(
      'error',
      { code: `E${i}`, message: 'm"\u2028\\', fatal: false },
      1.7e12 + i,
      i / 3,
    );

  it('is the JSON of { v: 1, lease, entries, envelopes }', () => {
    const q = createQueue(100);
    for (let i = 0; i < 3; i++) q.push(session.envelope(), ev(i));
    const state = q.state();
    expect(JSON.parse(serialise(state, 1_772_359_200_000))).toStrictEqual({
      v: 1,
      lease: 1_772_359_200_000,
      ...state,
    });
    expect(JSON.parse(serialise({ entries: [], envelopes: {} }, 0))).toStrictEqual({
      v: 1,
      lease: 0,
      entries: [],
      envelopes: {},
    });
  });

  it('serialises only the events added since the last write', () => {
    const q = createQueue(1000);
    for (let i = 0; i < 500; i++) q.push(session.envelope(), ev(i));
    serialise(q.state(), 1);
    q.push(session.envelope(), ev(500));
    const spy = vi.spyOn(JSON, 'stringify');
    try {
      const json = serialise(q.state(), 2);
      const events = spy.mock.calls.filter(([v]) => !!v && typeof v === 'object' && 'seq' in v);
      expect(events.map(([v]) => (v as { seq: number }).seq)).toStrictEqual([q.entries[500].e.seq]);
      expect(JSON.parse(json).entries).toHaveLength(501);
    } finally {
      spy.mockRestore();
    }
  });
});
