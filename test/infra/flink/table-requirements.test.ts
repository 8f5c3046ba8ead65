import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { flinkTableProblem } from '../../../infra/flink/table-requirements.js';

const TABLE = {
  databaseName: 'db',
  tableName: 't',
  memoryRetentionHours: 1,
  magneticRetentionDays: 1,
  magneticStoreWrites: false,
};
const DAY = 24 * 60 * 60 * 1000;

describe('flinkTableProblem', () => {
  it('refuses the demo’s retention (1 h memory, 1 day magnetic) for a one-day edge', () => {
    expect(flinkTableProblem(TABLE, DEFAULT_CONFIG.maxEventAgeMs)).toMatch(
      /keep 25 h in the memory store, or enable magnetic-store writes with at least 2 days/,
    );
  });

  it('takes a memory store that covers the edge’s oldest event plus the job’s lag', () => {
    expect(flinkTableProblem({ ...TABLE, memoryRetentionHours: 25 }, DAY)).toBeUndefined();
    expect(flinkTableProblem({ ...TABLE, memoryRetentionHours: 24 }, DAY)).toBeDefined();
  });

  it('takes magnetic-store writes only when the magnetic retention covers them', () => {
    const magnetic = { ...TABLE, magneticStoreWrites: true };
    expect(flinkTableProblem({ ...magnetic, magneticRetentionDays: 2 }, DAY)).toBeUndefined();
    expect(flinkTableProblem({ ...magnetic, magneticRetentionDays: 1 }, DAY)).toBeDefined();
    expect(flinkTableProblem({ ...TABLE, magneticRetentionDays: 30 }, DAY)).toBeDefined();
  });
});
