/**
 * The default of every option that has one: the one place where SDK defaults live. Defaults that
 * shape stored data (heartbeat period, stall threshold) must not change once data exists, or
 * dashboards would compare unlike numbers.
 */
import { CURRENT_SCHEMA_VERSION, type SchemaVersion } from '../../schemas/index.js';
import type { LogLevel } from '../log.js';

/** The options that have defaults, fully specified. */
export interface Defaults {
  endpoint: string;
  sampleRate: number;
  heartbeatMs: number;
  flushMs: number;
  minStallMs: number;
  maxBatchBytes: number;
  maxQueueEvents: number;
  persistMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  requestTimeoutMs: number;
  neverRetry: number[];
  storageKey: string;
  leaseMs: number;
  logLevel: LogLevel;
  schemaVersion: SchemaVersion;
}

/** Defaults of every option that has one. */
export const DEFAULTS: Readonly<Defaults> = {
  endpoint: '/v1/events',
  sampleRate: 1,
  heartbeatMs: 10_000,
  flushMs: 10_000,
  minStallMs: 250,
  maxBatchBytes: 56 * 1024,
  maxQueueEvents: 500,
  persistMs: 1_000,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
  requestTimeoutMs: 30_000,
  neverRetry: [400, 401, 403, 410, 413, 415, 422],
  storageKey: 'beacon-edge',
  leaseMs: 300_000,
  logLevel: 'warn',
  schemaVersion: CURRENT_SCHEMA_VERSION,
};
