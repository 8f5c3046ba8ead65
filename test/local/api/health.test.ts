import { describe, expect, it } from 'vitest';
import { healthReport, type HealthInputs } from '../../../local/api/health.js';

/** ok or degraded, and why, from the consumer's and the edge's counters. */
const NOW = Date.parse('2026-11-29T12:00:00.000Z');

function inputs(over: {
  sink?: Partial<HealthInputs['consumer']['sink']>;
  unstored?: (number | null)[];
  lastShedAt?: number | null;
  recentErrors?: number;
  lastErrorAt?: number | null;
}): HealthInputs {
  return {
    now: NOW,
    shedWindowMs: 10_000,
    consumer: {
      shards: (over.unstored ?? [null, null]).map((t, i) => ({
        stream: 's',
        shardId: `shardId-00000000000${i}`,
        state: 'reading',
        checkpoint: '1',
        millisBehindLatest: 0,
        oldestUnstoredAt: t,
        records: 1,
        errors: 0,
      })),
      records: 2,
      events: 2,
      badRows: 0,
      writes: 1,
      errors: 0,
      sink: {
        lastWriteAt: NOW - 1_000,
        failingSince: null,
        consecutiveFailures: 0,
        lastError: null,
        ...over.sink,
      },
    },
    admission: {
      inFlight: 0,
      maxInFlight: 256,
      limit: 256,
      admitted: 10,
      shed: over.lastShedAt ? 5 : 0,
      lastShedAt: over.lastShedAt ?? null,
      errors: (over.recentErrors ?? 0) + 3,
      recentErrors: over.recentErrors ?? 0,
      errorWindowMs: 10_000,
      lastErrorAt: over.lastErrorAt ?? null,
    },
  };
}

describe('healthReport', () => {
  it('is ok while writes succeed and nothing was shed', () => {
    expect(healthReport(inputs({}))).toStrictEqual({ status: 'ok', problems: [], lagMs: 0 });
  });

  it('is degraded while the store refuses writes: since when, the last error, the lag', () => {
    const r = healthReport(
      inputs({
        sink: {
          failingSince: NOW - 30_000,
          consecutiveFailures: 7,
          lastError: { message: 'DuckDB write failed: File too large', at: NOW - 2_000 },
        },
        unstored: [NOW - 45_000, NOW - 40_000],
      }),
    );
    expect(r).toStrictEqual({
      status: 'degraded',
      problems: [
        {
          reason: 'store_write_failing',
          detail:
            'the store has refused 7 write(s) in a row; events wait in the stream and are stored once writing works again. Last error: DuckDB write failed: File too large',
          since: '2026-11-29T11:59:30.000Z',
          lastSeen: '2026-11-29T11:59:58.000Z',
        },
      ],
      lagMs: 45_000,
    });
  });

  it('is degraded within the window after a shed request, ok again after it', () => {
    const recent = healthReport(inputs({ lastShedAt: NOW - 9_000 }));
    expect(recent.status).toBe('degraded');
    expect(recent.problems.map((p) => [p.reason, p.lastSeen])).toStrictEqual([
      ['overloaded', '2026-11-29T11:59:51.000Z'],
    ]);
    expect(healthReport(inputs({ lastShedAt: NOW - 11_000 }))).toStrictEqual({
      status: 'ok',
      problems: [],
      lagMs: 0,
    });
  });

  it('is degraded while the edge answers 5xx (the stream is down), ok once the window has passed', () => {
    const r = healthReport(inputs({ recentErrors: 42, lastErrorAt: NOW - 1_000 }));
    expect(r).toStrictEqual({
      status: 'degraded',
      problems: [
        {
          reason: 'edge_errors',
          detail:
            "42 5xx answers in the last 10 s (45 so far); see the edge's log for their reasons (503 stream_unavailable: the stream is unreachable)",
          lastSeen: '2026-11-29T11:59:59.000Z',
        },
      ],
      lagMs: 0,
    });
    expect(healthReport(inputs({ recentErrors: 0, lastErrorAt: NOW - 11_000 })).status).toBe('ok');
  });

  it('keeps an old error after recovery without calling the stack degraded', () => {
    const r = healthReport(
      inputs({ sink: { lastError: { message: 'File too large', at: NOW - 60_000 } } }),
    );
    expect(r.status).toBe('ok');
  });
});
