import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files known to run for minutes or tens of seconds, longest first. Without a results cache (a
 * fresh CI clone) vitest orders files by size, so the small diagnose acceptance file, minutes of
 * one core, started last and kept one worker busy long after the other had run out of files.
 */
const SLOW_FIRST = [/\/diagnose\/acceptance\.integration\.test\.ts$/, /\.e2e\.test\.ts$/];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((re) => re.test(f.moduleId));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    // Array.prototype.sort is stable: within a rank, the base order stays.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start kinesalite and DuckDB; keep the two cores for them.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30000,
    hookTimeout: 60000,
    sequence: { sequencer: SlowFirstSequencer },
  },
});
