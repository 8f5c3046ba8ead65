/**
 * One line-protocol body to InfluxDB over HTTP(S), with the retry rule of the InfluxDB sink:
 *
 * | answer                                   | what happens                                        |
 * |------------------------------------------|-----------------------------------------------------|
 * | 2xx                                      | stored                                              |
 * | 400, 413, 422                            | `rejected`: the body's content is at fault; the     |
 * |                                          | sink isolates the refused lines (influxdb.ts)       |
 * | 408, 429, 5xx, network error, timeout    | retried with full-jitter backoff, Retry-After as a  |
 * |                                          | floor, within the retry budget; then SinkWriteError |
 * | 401, 403, 404, any other status          | SinkWriteError at once: the same request would fail |
 * |                                          | again (token, permission, database or bucket)       |
 *
 * A retried write is harmless: every point's timestamp is derived from its row's id, so sending
 * the same lines again overwrites the same points (influxdb-schema.ts).
 */
import { backoffDelay, errorName } from '../../common/backoff.js';
import { parseRetryAfter } from '../../common/retry-policy.js';
import type { InfluxDbConfig } from '../config.js';
import { SinkWriteError } from '../errors.js';

/** What one body's write came to, when it did not throw. */
export type WriteOutcome =
  | { kind: 'stored'; attempts: number }
  | { kind: 'rejected'; status: number; message: string };

/** Answers that mean the body's content was refused (bisecting it can find the culprit lines). */
const CONTENT_REJECTED = new Set([400, 413, 422]);

/** Transient answers worth the same request again. */
function isTransient(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Injected clock and randomness, so tests control time without sleeping for real. */
export interface WriterDeps {
  fetch: typeof fetch;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

const DEFAULT_DEPS: WriterDeps = {
  fetch: (...args) => fetch(...args),
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** The write URL for the configured API (precision is always ns: see influxdb-schema.ts). */
export function writeUrl(cfg: Pick<InfluxDbConfig, 'url' | 'api' | 'database' | 'org'>): string {
  const base = cfg.url.replace(/\/+$/, '');
  if (cfg.api === 'v2') {
    const q = new URLSearchParams({ org: cfg.org, bucket: cfg.database, precision: 'ns' });
    return `${base}/api/v2/write?${q}`;
  }
  return `${base}/write?${new URLSearchParams({ db: cfg.database, precision: 'ns' })}`;
}

/**
 * Writes line-protocol bodies for one sink. `token` is asked for on every write so a rotated
 * secret is picked up through the cache behind it (secret-token.ts).
 */
export class InfluxWriter {
  private readonly url: string;
  private readonly deps: WriterDeps;

  constructor(
    private readonly cfg: InfluxDbConfig,
    private readonly token: () => Promise<string>,
    deps: Partial<WriterDeps> = {},
  ) {
    this.url = writeUrl(cfg);
    this.deps = { ...DEFAULT_DEPS, ...deps };
  }

  /**
   * Sends one body. Resolves `stored` or `rejected` (see the table above).
   * @throws SinkWriteError on an authorisation/configuration answer, or when transient failures
   *   outlast the retry budget.
   */
  async write(body: string): Promise<WriteOutcome> {
    const { now, sleep, random } = this.deps;
    const started = now();
    const token = await this.token().catch((err: unknown) => {
      throw new SinkWriteError(
        `cannot read the InfluxDB token: ${(err as Error)?.message ?? err}`,
        {
          cause: err,
        },
      );
    });
    let lastProblem = '';
    for (let attempt = 1; ; attempt++) {
      let retryAfterMs: number | undefined;
      try {
        const res = await this.post(body, token);
        if (res.status >= 200 && res.status < 300) {
          await res.body?.cancel();
          return { kind: 'stored', attempts: attempt };
        }
        const text = await res.text().catch(() => '');
        if (CONTENT_REJECTED.has(res.status)) {
          return { kind: 'rejected', status: res.status, message: text.slice(0, 500) };
        }
        lastProblem = `HTTP ${res.status} ${text.slice(0, 200)}`.trim();
        if (!isTransient(res.status)) {
          throw new SinkWriteError(`InfluxDB refused the write: ${lastProblem}`);
        }
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now());
      } catch (err) {
        if (err instanceof SinkWriteError) throw err;
        lastProblem = `${errorName(err)}: ${(err as Error)?.message ?? String(err)}`;
      }
      const wait = Math.max(
        backoffDelay(
          attempt,
          { baseMs: this.cfg.backoffBaseMs, maxMs: this.cfg.backoffMaxMs },
          random(),
        ),
        retryAfterMs ?? 0,
      );
      if (now() + wait - started > this.cfg.retryBudgetMs) {
        throw new SinkWriteError(
          `InfluxDB write failed after ${attempt} attempts in ${now() - started} ms: ${lastProblem}`,
        );
      }
      await sleep(wait);
    }
  }

  private post(body: string, token: string): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
    if (token) headers.authorization = `Token ${token}`;
    return this.deps.fetch(this.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(this.cfg.requestTimeoutMs),
    });
  }
}
