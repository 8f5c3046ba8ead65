import { describe, expect, it } from 'vitest';
import { nextBatch, utf8Length } from '../../../player/transport/batch.js';
import { createQueue } from '../../../player/transport/queue.js';
import { createSession } from '../../../player/core/session.js';
import { expectValidBatch } from '../../helpers/player-tracker.js';

/** A session producing schema events, and a queue holding them. */
function filled(n: number, message = 'x'.repeat(500), sessions = 1) {
  const q = createQueue(100_000);
  for (let s = 0; s < sessions; s++) {
    const session = createSession(`session-${s}-abcdef`, () => ({
      contentId: () => 'content-1',
      viewerId: 'viewer-1',
    }));
    for (let i = 0; i < n; i++) {
      q.push(
        session.envelope(),
        session.event('error', { code: 'E', message, fatal: false }, 1_700_000_000_000 + i, i),
      );
    }
  }
  return q;
}
const LIMITS = { maxBytes: 56 * 1024, maxEvents: 200 };

describe('batching', () => {
  it('counts UTF-8 bytes as the network does', () => {
    for (const s of ['abc', 'é', '€', '😀', 'a😀b€é', '\ud800'])
      expect(utf8Length(s)).toBe(Buffer.byteLength(s));
  });

  it('splits a large queue into bodies under 56 KiB, each event exactly once, in order', () => {
    const q = filled(400);
    const seen: string[] = [];
    const skip = new Set<string>();
    let batches = 0;
    for (;;) {
      const { out, oversized } = nextBatch(q.entries, q.envelope, skip, 1_700_000_100_000, LIMITS);
      expect(oversized).toStrictEqual([]);
      if (!out) break;
      batches++;
      expect(Buffer.byteLength(out.body)).toBeLessThan(56 * 1024);
      expect(JSON.parse(out.body)).toStrictEqual(out.batch);
      expectValidBatch(out.batch);
      for (const id of out.ids) skip.add(id);
      seen.push(...out.ids);
    }
    expect(batches).toBeGreaterThan(3);
    expect(seen).toStrictEqual(q.entries.map((x) => x.e.id));
  });

  it('fills a batch as far as the byte limit allows', () => {
    const q = filled(400);
    const { out } = nextBatch(q.entries, q.envelope, new Set(), 1, LIMITS);
    const one = Buffer.byteLength(JSON.stringify(out!.batch.events[0])) + 1;
    expect(Buffer.byteLength(out!.body) + one).toBeGreaterThanOrEqual(56 * 1024);
  });

  it('puts at most 200 events in a batch', () => {
    const q = filled(450, '');
    const { out } = nextBatch(q.entries, q.envelope, new Set(), 1, LIMITS);
    expect(out!.batch.events).toHaveLength(200);
    expectValidBatch(out!.batch);
  });

  it('keeps one session per batch (the envelope is per session)', () => {
    const q = filled(3, 'm', 2);
    const a = nextBatch(q.entries, q.envelope, new Set(), 1, LIMITS).out!;
    expect(a.batch.session_id).toBe('session-0-abcdef');
    expect(a.ids).toHaveLength(3);
    const b = nextBatch(q.entries, q.envelope, new Set(a.ids), 1, LIMITS).out!;
    expect(b.batch.session_id).toBe('session-1-abcdef');
    expect(b.batch.events.map((e) => e.seq)).toStrictEqual([0, 1, 2]);
  });

  it('stamps sent_at as given (send time) and reports events that can never fit', () => {
    const q = filled(2, 'y'.repeat(500));
    const { out, oversized } = nextBatch(q.entries, q.envelope, new Set(), 1_700_000_999_999, {
      maxBytes: 700,
      maxEvents: 200,
    });
    expect(out).toBeNull();
    expect(oversized).toHaveLength(2);
    const ok = nextBatch(q.entries, q.envelope, new Set(), 1_700_000_999_999, LIMITS).out!;
    expect(ok.batch.sent_at).toBe(1_700_000_999_999);
  });
});
