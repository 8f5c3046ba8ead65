import { describe, expect, it } from 'vitest';
import { servedBy } from '../../../local/sim/geography.js';
import { createViewerPool } from '../../../local/sim/pool.js';
import { createRng } from '../../../local/sim/random.js';

describe('viewers', () => {
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
