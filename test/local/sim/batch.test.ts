import { describe, expect, it } from 'vitest';
import { batchValidators } from '../../../schemas/generated/batch.js';
import { validators } from '../../../schemas/generated/index.js';
import { makeBatch, spoilOneEvent } from '../../../local/sim/batch.js';
import { createRng } from '../../../local/sim/random.js';
import { scriptSession, stampEvent } from '../../../local/sim/session.js';

const v = validators['1-0-0'];

describe('spoilOneEvent', () => {
  it('spoils exactly one event when asked', () => {
    const script = scriptSession(createRng(3));
    const batch = makeBatch(script, [stampEvent(script, 0, 1), stampEvent(script, 1, 2)], 3);
    const spoiled = spoilOneEvent(batch, 1);
    expect(v.event(spoiled.events[0])).toBe(true);
    expect(v.event(spoiled.events[1])).toBe(false);
  });
});

describe('makeBatch', () => {
  it("names the events as the session's declared schema version does, and each batch validates", () => {
    let heartbeats = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const older = scriptSession(createRng(seed));
      const newer = { ...older, schemaVersion: '2-0-0' as const };
      const stamped = older.events.map((e, i) => stampEvent(older, i, 1_000 + e.at));
      const a = makeBatch(older, stamped, 9);
      const b = makeBatch(newer, stamped, 9);
      expect(a.schema_version).toBe('1-0-0');
      expect(b.schema_version).toBe('2-0-0');
      expect(batchValidators['1-0-0'](a), JSON.stringify(batchValidators['1-0-0'].errors)).toBe(
        true,
      );
      expect(batchValidators['2-0-0'](b), JSON.stringify(batchValidators['2-0-0'].errors)).toBe(
        true,
      );
      const hb = b.events.find((e) => e.type === 'heartbeat') as
        | Record<string, unknown>
        | undefined;
      if (hb) {
        heartbeats += 1;
        expect(hb).toHaveProperty('stall_total_ms');
        expect(hb).toHaveProperty('avg_bitrate');
        expect(hb).not.toHaveProperty('stall_ms');
      }
    }
    expect(heartbeats).toBeGreaterThan(10);
  });
});
