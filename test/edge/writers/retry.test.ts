/** The writers' retry loop: the full-jitter wait before each retry, under fake timers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RETRY, sendWithRetry } from '../../../edge/writers/retry.js';
import { NOW } from '../../helpers/cloudfront-events.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: NOW });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('sendWithRetry', () => {
  it('full jitter: waits below min(max, base × 2^(retry − 1)) before each retry', async () => {
    const times: number[] = [];
    const send = async (entries: number[]) => {
      times.push(Date.now());
      return { failed: entries };
    };
    const policy = { ...DEFAULT_RETRY, attemptsPerTarget: 100, budgetMs: 3000 };
    const done = sendWithRetry(
      1,
      ['only'],
      send,
      { ...policy, random: () => 0.999999 },
      () => false,
    );
    await vi.runAllTimersAsync();
    // Failed entries without a code are counted as Unknown: never mistaken for throttling.
    expect(await done).toStrictEqual({ failed: [0], attempts: 7, errorCodes: ['Unknown'] });
    // Ceilings 50, 100, 200, 400, 800, then capped at 1000; the next wait would pass the budget.
    expect(times.slice(1).map((t, i) => t - times[i])).toStrictEqual([49, 99, 199, 399, 799, 999]);
  });

  it('full jitter: a draw of 0 retries at once', async () => {
    const times: number[] = [];
    const send = async (entries: number[]) => {
      times.push(Date.now());
      return { failed: times.length < 6 ? entries : [] };
    };
    const policy = { ...DEFAULT_RETRY, attemptsPerTarget: 100, budgetMs: 3000, random: () => 0 };
    const done = sendWithRetry(1, ['only'], send, policy, () => false);
    await vi.runAllTimersAsync();
    expect(await done).toStrictEqual({ failed: [], attempts: 6, errorCodes: ['Unknown'] });
    expect(times).toStrictEqual(Array.from({ length: 6 }, () => NOW));
  });

  it('collects every distinct error code of the failed attempts: entry codes and call errors', async () => {
    const answers = [
      async () => ({ failed: [0, 1], errorCode: 'InternalFailure', errorCodes: ['A', 'B'] }),
      async () => {
        throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
      },
      async () => ({ failed: [1], errorCode: 'A' }),
      async () => ({ failed: [] }),
    ];
    let n = 0;
    const send = () => answers[n++]();
    const policy = { ...DEFAULT_RETRY, attemptsPerTarget: 100, budgetMs: 3000, random: () => 0 };
    const done = sendWithRetry(2, ['only'], send, policy, () => false);
    await vi.runAllTimersAsync();
    const out = await done;
    expect(out).toMatchObject({ failed: [], attempts: 4, lastErrorCode: 'A' });
    expect(out.errorCodes).toStrictEqual(['A', 'B', 'ThrottlingException']);
  });
});
