// The shared factories (test/helpers/batch-factory.ts) must only ever make valid data: every
// other test in the repo relies on that to break exactly one thing on purpose.
import { describe, expect, it } from 'vitest';
import { batchValidators } from '../../schemas/generated/batch.js';
import { validators } from '../../schemas/generated/index.js';
import { EVENT_TYPES, LIMITS } from '../../schemas/index.js';
import {
  LIFECYCLE,
  makeBatch,
  makeBatchOfEveryType,
  makeEvent,
  makeId,
} from '../helpers/batch-factory.js';

const v = { ...validators['1-0-0'], batch: batchValidators['1-0-0'] };
const DAY_MS = 24 * 60 * 60 * 1000;

function expectValid(fn: typeof v.event, data: unknown): void {
  const ok = fn(data);
  expect(fn.errors ?? null).toBeNull();
  expect(ok).toBe(true);
}

describe('batch factory', () => {
  it.each(EVENT_TYPES.map((t) => [t]))('makeEvent(%s) validates', (type) => {
    const ev = makeEvent(type);
    expect(ev.type).toBe(type);
    expectValid(v.event, ev);
  });

  it('makeEvent applies overrides and still validates', () => {
    const ev = makeEvent('volume_changed', { volume: 0.2, muted: true, playhead: 0 });
    expect(ev).toMatchObject({ type: 'volume_changed', volume: 0.2, muted: true, playhead: 0 });
    expectValid(v.event, ev);
  });

  it('makeId gives unique ids matching the id pattern', () => {
    const ids = Array.from({ length: 1000 }, () => makeId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(LIMITS.idPattern);
  });

  it('makeBatch validates, with unique ids, seq 0..n-1 and ts ending at sent_at', () => {
    const batch = makeBatch();
    expectValid(v.batch, batch);
    expect(batch.events.map((e) => e.type)).toStrictEqual([...LIFECYCLE]);
    expect(batch.events.map((e) => e.seq)).toStrictEqual(LIFECYCLE.map((_, i) => i));
    expect(new Set(batch.events.map((e) => e.id)).size).toBe(batch.events.length);
    const ts = batch.events.map((e) => e.ts);
    expect(ts).toStrictEqual([...ts].sort((a, b) => a - b));
    expect(ts.at(-1)).toBe(batch.sent_at);
    // Inside the edge's accepted window: not more than 24 h before, not after sent_at.
    for (const t of ts) expect(batch.sent_at - t).toBeLessThanOrEqual(DAY_MS);
    expect(Math.abs(batch.sent_at - Date.now())).toBeLessThan(60_000);
  });

  it('two batches are two sessions with disjoint event ids', () => {
    const [a, b] = [makeBatch(), makeBatch()];
    expect(a.session_id).not.toBe(b.session_id);
    const ids = new Set(a.events.map((e) => e.id));
    for (const e of b.events) expect(ids.has(e.id)).toBe(false);
  });

  it('makeBatch honours envelope overrides, types, count and spacing', () => {
    const batch = makeBatch({
      sent_at: 1_767_225_600_000,
      types: ['started', 'paused'],
      count: 5,
      spacingMs: 250,
      content_id: 'x',
    });
    expectValid(v.batch, batch);
    expect(batch.content_id).toBe('x');
    expect(batch.events.map((e) => e.type)).toStrictEqual([
      'started',
      'paused',
      'started',
      'paused',
      'started',
    ]);
    expect(batch.events.map((e) => e.ts)).toStrictEqual(
      [0, 1, 2, 3, 4].map((i) => 1_767_225_600_000 - (4 - i) * 250),
    );
  });

  it('the largest allowed batch validates and one more event does not', () => {
    expectValid(v.batch, makeBatch({ count: LIMITS.maxEventsPerBatch, types: ['heartbeat'] }));
    expect(
      v.envelope(makeBatch({ count: LIMITS.maxEventsPerBatch + 1, types: ['heartbeat'] })),
    ).toBe(false);
    expect(v.envelope.errors![0].keyword).toBe('maxItems');
  });

  it('makeBatchOfEveryType has one valid event of each type', () => {
    const batch = makeBatchOfEveryType();
    expectValid(v.batch, batch);
    expect(batch.events.map((e) => e.type)).toStrictEqual([...EVENT_TYPES]);
  });

  it('makeBatch with explicit events keeps them as given', () => {
    const events = [makeEvent('started', { seq: 7 })];
    const batch = makeBatch({ events });
    expect(batch.events).toBe(events);
    expectValid(v.batch, batch);
  });
});
