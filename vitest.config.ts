import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start kinesalite and DuckDB; keep the two cores for them.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30000,
    hookTimeout: 60000,
  },
});
