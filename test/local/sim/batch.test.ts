import { describe, expect, it } from 'vitest';
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
