import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueue } from '../../player/transport/queue.js';
import { createStore } from '../../player/transport/store.js';
import { createSession } from '../../player/core/session.js';
import { createLogger } from '../../player/log.js';
import type { EventType } from '../../schemas/index.js';
import { MemoryStorage, ThrowingStorage } from './fakes.js';

const session = createSession('session-queue-1', () => ({ contentId: () => 'c' }));
const ev = (type: EventType) =>
  session.event(
    type,
    type === 'heartbeat' ? { played_ms: 1, stall_ms: 0, stall_count: 0 } : undefined,
    1.7e12,
    0,
  );
const silent = createLogger('silent');

describe('bounded queue', () => {
  it('drops the oldest heartbeats first, then the oldest other events', () => {
    const q = createQueue(5);
    const a = ev('requested');
    const h1 = ev('heartbeat');
    const b = ev('started');
    const h2 = ev('heartbeat');
    const c = ev('paused');
    for (const e of [a, h1, b, h2, c]) q.push(session.envelope(), e);
    const d = ev('resumed');
    expect(q.push(session.envelope(), d).map((x) => x.e.id)).toStrictEqual([h1.id]);
    expect(q.push(session.envelope(), ev('paused')).map((x) => x.e.id)).toStrictEqual([h2.id]);
    expect(q.push(session.envelope(), ev('resumed')).map((x) => x.e.id)).toStrictEqual([a.id]);
    expect(q.size()).toBe(5);
    expect(q.entries.map((x) => x.e.type)).toStrictEqual([
      'started',
      'paused',
      'resumed',
      'paused',
      'resumed',
    ]);
  });

  it('keeps an envelope exactly as long as its session has queued events', () => {
    const other = createSession('session-queue-2', () => ({ contentId: () => 'c2' }));
    const q = createQueue(3);
    q.push(other.envelope(), other.event('requested', undefined, 1.7e12, 0));
    q.push(session.envelope(), ev('requested'));
    q.push(session.envelope(), ev('started'));
    expect(q.state().envelopes).toStrictEqual({
      [other.id]: other.envelope(),
      [session.id]: session.envelope(),
    });
    q.push(session.envelope(), ev('paused')); // drops the other session's only event
    expect(q.state().envelopes).toStrictEqual({ [session.id]: session.envelope() });
    q.push(session.envelope(), ev('resumed')); // drops one of this session's own
    expect(q.state().envelopes).toStrictEqual({ [session.id]: session.envelope() });
    expect(q.size()).toBe(3);
  });

  it('merges stored events ahead of new ones, without duplicates', () => {
    const q = createQueue(10);
    const old = [ev('requested'), ev('started')];
    const fresh = ev('paused');
    q.push(session.envelope(), fresh);
    q.merge({
      entries: old.map((e) => ({ s: session.id, e })),
      envelopes: { [session.id]: session.envelope() },
    });
    q.merge({
      entries: old.map((e) => ({ s: session.id, e })),
      envelopes: { [session.id]: session.envelope() },
    });
    expect(q.entries.map((x) => x.e.id)).toStrictEqual([old[0].id, old[1].id, fresh.id]);
  });

  it('ignores malformed stored entries', () => {
    const q = createQueue(10);
    q.merge({
      entries: [{ s: 'nope', e: ev('paused') }, null as never, { s: session.id, e: null as never }],
      envelopes: {},
    });
    expect(q.size()).toBe(0);
  });
});

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
