/**
 * The values each numeric option may take. A value outside its range is replaced by the default
 * (`resolve.ts`). Bounds that are facts of the beacon format come from `schemas/`.
 */
import { LIMITS } from '../../schemas/index.js';
import type { Defaults } from './defaults.js';

/** Numeric options with their allowed range. */
export const RANGES: Partial<Record<keyof Defaults, [number, number]>> = {
  sampleRate: [0, 1],
  heartbeatMs: [1_000, 600_000],
  flushMs: [100, 600_000],
  minStallMs: [0, 10_000],
  // The edge refuses larger bodies.
  maxBatchBytes: [1_024, LIMITS.maxBodyBytes],
  maxQueueEvents: [10, 100_000],
  persistMs: [0, 60_000],
  retryBaseMs: [10, 600_000],
  retryMaxMs: [10, 86_400_000],
  requestTimeoutMs: [1_000, 600_000],
  leaseMs: [1_000, 86_400_000],
};
