import { describe, expect, it } from 'vitest';
import { withInfluxDbDefaults } from '../../../core-pipeline/config.js';
import { SinkWriteError } from '../../../core-pipeline/errors.js';
import { InfluxWriter, writeUrl } from '../../../core-pipeline/sinks/influxdb-writer.js';

type Answer = number | { status: number; body?: string; headers?: Record<string, string> } | Error;

/** A recording fake fetch answering from a script, on a virtual clock that sleep() advances. */
function harness(
  answers: Answer[],
  cfg: Parameters<typeof withInfluxDbDefaults>[0] = {
    url: 'http://influx:8086',
    database: 'beacons',
  },
) {
  let clock = 0;
  const calls: { url: string; init: RequestInit }[] = [];
  const sleeps: number[] = [];
  const writer = new InfluxWriter(withInfluxDbDefaults(cfg), async () => 'tok', {
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    fetch: async (url, init) => {
      calls.push({ url: String(url), init: init ?? {} });
      const a = answers.shift() ?? 204;
      if (a instanceof Error) throw a;
      const spec = typeof a === 'number' ? { status: a } : a;
      return new Response(spec.status === 204 ? null : (spec.body ?? ''), {
        status: spec.status,
        headers: spec.headers,
      });
    },
  });
  return { writer, calls, sleeps, advance: (ms: number) => (clock += ms) };
}

describe('writeUrl', () => {
  it('builds the v1 and v2 write URLs with ns precision', () => {
    expect(writeUrl({ url: 'https://h:8086/', api: 'v1', database: 'b e', org: '' })).toBe(
      'https://h:8086/write?db=b+e&precision=ns',
    );
    expect(
      writeUrl({ url: 'https://h:8086', api: 'v2', database: 'beacons', org: 'acme co' }),
    ).toBe('https://h:8086/api/v2/write?org=acme+co&bucket=beacons&precision=ns');
  });
});

describe('InfluxWriter', () => {
  it('posts the body once with the token and reports it stored', async () => {
    const { writer, calls } = harness([204]);
    expect(await writer.write('m f=1i 1')).toStrictEqual({ kind: 'stored', attempts: 1 });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('http://influx:8086/write?db=beacons&precision=ns');
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.body).toBe('m f=1i 1');
    expect(calls[0].init.headers).toStrictEqual({
      'content-type': 'text/plain; charset=utf-8',
      authorization: 'Token tok',
    });
  });

  it.each([400, 413, 422])('returns %i as rejected without retrying', async (status) => {
    const { writer, calls } = harness([
      { status, body: '{"error":"partial write: field type conflict"}' },
    ]);
    expect(await writer.write('x')).toStrictEqual({
      kind: 'rejected',
      status,
      message: '{"error":"partial write: field type conflict"}',
    });
    expect(calls).toHaveLength(1);
  });

  it.each([401, 403, 404, 405])('throws SinkWriteError at once on %i', async (status) => {
    const { writer, calls } = harness([{ status, body: 'no' }]);
    await expect(writer.write('x')).rejects.toThrow(
      new SinkWriteError(`InfluxDB refused the write: HTTP ${status} no`),
    );
    expect(calls).toHaveLength(1);
  });

  it('retries 429, 5xx, 408 and network errors with full-jitter backoff, then stores', async () => {
    const { writer, calls, sleeps } = harness([
      429,
      500,
      503,
      408,
      new TypeError('fetch failed'),
      204,
    ]);
    expect(await writer.write('x')).toStrictEqual({ kind: 'stored', attempts: 6 });
    expect(calls).toHaveLength(6);
    // random 0.5 of ceilings 200, 400, 800, 1600, 3200 (base 200 ms, cap 5 s).
    expect(sleeps).toStrictEqual([100, 200, 400, 800, 1600]);
  });

  it('waits at least Retry-After', async () => {
    const { writer, sleeps } = harness([{ status: 429, headers: { 'retry-after': '3' } }, 204]);
    await writer.write('x');
    expect(sleeps).toStrictEqual([3000]);
  });

  it('gives up with SinkWriteError when the retry budget is spent', async () => {
    const { writer, calls } = harness(Array(100).fill({ status: 503, body: 'busy' }), {
      url: 'http://influx:8086',
      database: 'beacons',
      retryBudgetMs: 2000,
    });
    const err = await writer.write('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkWriteError);
    expect((err as Error).message).toMatch(
      /^InfluxDB write failed after 5 attempts in 1500 ms: HTTP 503 busy$/,
    );
    expect(calls).toHaveLength(5);
  });

  it('gives up at once when Retry-After is beyond the budget', async () => {
    const { writer, calls } = harness([{ status: 429, headers: { 'retry-after': '3600' } }], {
      url: 'http://influx:8086',
      database: 'beacons',
      retryBudgetMs: 30_000,
    });
    await expect(writer.write('x')).rejects.toBeInstanceOf(SinkWriteError);
    expect(calls).toHaveLength(1);
  });

  it('turns a token failure into SinkWriteError without sending', async () => {
    let sent = 0;
    const writer = new InfluxWriter(
      withInfluxDbDefaults({ url: 'http://i', database: 'd' }),
      async () => {
        throw new Error('AccessDeniedException');
      },
      {
        fetch: async () => {
          sent++;
          return new Response(null, { status: 204 });
        },
      },
    );
    await expect(writer.write('x')).rejects.toThrow(
      new SinkWriteError('cannot read the InfluxDB token: AccessDeniedException'),
    );
    expect(sent).toBe(0);
  });

  it('sends no Authorization header with an empty token', async () => {
    const calls: RequestInit[] = [];
    const writer = new InfluxWriter(
      withInfluxDbDefaults({ url: 'http://i', database: 'd' }),
      async () => '',
      {
        fetch: async (_u, init) => {
          calls.push(init ?? {});
          return new Response(null, { status: 204 });
        },
      },
    );
    await writer.write('x');
    expect(calls[0].headers).toStrictEqual({ 'content-type': 'text/plain; charset=utf-8' });
  });
});
