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

/**
 * Files that need a fresh module registry each: they mock modules (`vi.mock`), change
 * `process.env`, globals or timers, or load a bundle that reads its configuration once at import.
 * Every other file shares its worker's modules with the files run before it: importing the AWS SDK,
 * aws-cdk-lib and DuckDB once per worker instead of once per file is most of the suite's import time.
 */
const ISOLATED = [
  'test/browser/**/*.test.ts',
  'test/player/**/*.test.ts',
  'test/scripts/build-player.test.ts',
  'test/core-pipeline/lambda/**/*.test.ts',
  'test/core-pipeline/consumer/shard-reader.test.ts',
  'test/edge/origin-request/**/*.test.ts',
  'test/edge/writers/**/*.test.ts',
  'test/infra/stacks.test.ts',
  'test/local/faults/put-records-*.integration.test.ts',
  'test/local/faults/stream-outage.integration.test.ts',
  'test/local/grafana-command.test.ts',
  'test/local/rollout-command.test.ts',
  'test/local/schemas-check.test.ts',
  'test/local/schemas-command.test.ts',
];

export default defineConfig({
  test: {
    // Integration tests start kinesalite and DuckDB; keep the two cores for them.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30000,
    hookTimeout: 60000,
    // expect.poll waits on a real stack or browser: its 1 s default failed a dashboard test on a
    // loaded CI machine (a breakdown fetched after a tab click). A poll passes as soon as it holds.
    expect: { poll: { timeout: 10_000 } },
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        extends: true,
        test: { name: 'isolated', include: ISOLATED, isolate: true },
      },
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: ISOLATED,
          isolate: false,
        },
      },
    ],
  },
});
