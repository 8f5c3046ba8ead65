import { describe, expect, it } from 'vitest';
import { createQueue } from '../../../player/transport/queue.js';
import { createSession } from '../../../player/core/session.js';
import { queueSession } from '../../helpers/player-tracker.js';

const { session, ev } = queueSession('session-queue-1');

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
