import { describe, expect, it } from 'vitest';
import { withDuckDbDefaults } from '../../../core-pipeline/config.js';
import { DuckDbStore, memoryLimitMb } from '../../../core-pipeline/sinks/duckdb.js';
import { row } from '../../helpers/rollup-events.js';
import { tempDir } from '../../helpers/temp-store.js';

describe('memoryLimitMb', () => {
  const c = withDuckDbDefaults({ memoryLimit: '96MB', memoryPerEventBytes: 64 });
  it('grows the base limit by the per-event memory, up to the ceiling', () => {
    expect(memoryLimitMb(0, c)).toBe(96);
    expect(memoryLimitMb(10_000_000, c)).toBe(96 + Math.ceil((10_000_000 * 64) / 2 ** 20));
    expect(memoryLimitMb(1e9, c)).toBe(c.memoryLimitMaxMb);
    expect(memoryLimitMb(0, { ...c, memoryLimit: '1GB' })).toBe(1024);
  });
  it('leaves a fixed limit alone', () => {
    expect(memoryLimitMb(10_000_000, { ...c, memoryPerEventBytes: 0 })).toBeNull();
    expect(memoryLimitMb(10_000_000, { ...c, memoryLimit: '80%' })).toBeNull();
  });
});

describe('DuckDbStore memory limit', () => {
  it('raises the limit as the store grows (rollup upkeep) from the base one', async () => {
    // A large per-event figure so a few hundred events move the limit by whole MiB.
    const store = await DuckDbStore.open(':memory:', {
      memoryLimit: '64MB',
      memoryPerEventBytes: 2 ** 20,
      rollupMaintenanceMs: 0,
    });
    const limit = async () =>
      String((await store.query("SELECT current_setting('memory_limit') AS m"))[0].m);
    try {
      const before = await limit();
      const events = Array.from({ length: 200 }, (_, i) =>
        row('started', { session_id: `mem_${i}`, event_id: `mem_${i}_0` }),
      );
      await store.writeBatch({ events, badRows: [], checkpoints: [] });
      await store.maintainRollups();
      const after = await limit();
      expect(before).not.toBe(after);
      // DuckDB prints the limit in its own units: 264 MiB is about 276.8 MB.
      expect(after).toMatch(/^(264\.0 MiB|276\.\d MB)$/);
    } finally {
      await store.close();
    }
  });

  it('opens a store that already holds events with the grown limit, before reading them', async () => {
    const dir = tempDir();
    const file = dir.file('beacons.duckdb');
    const config = { memoryLimit: '64MB', memoryPerEventBytes: 2 ** 20, rollupMaintenanceMs: 0 };
    try {
      const first = await DuckDbStore.open(file, config);
      const events = Array.from({ length: 200 }, (_, i) =>
        row('started', { session_id: `mem_${i}`, event_id: `mem_${i}_0` }),
      );
      await first.writeBatch({ events, badRows: [], checkpoints: [] });
      await first.close();
      const again = await DuckDbStore.open(file, config);
      try {
        const [r] = await again.query("SELECT current_setting('memory_limit') AS m");
        expect(String(r.m)).toMatch(/^(264\.0 MiB|276\.\d MB)$/);
      } finally {
        await again.close();
      }
    } finally {
      dir.remove();
    }
  });
});
