/**
 * `beacons diagnose`: asks a running stack (`GET /api/v1/diagnose`, the local one by default)
 * which slices are significantly worse than the rest, and prints the ranking (or, with --json,
 * the findings array, most significant first). Every failure to get an answer is a sentence
 * saying what to do.
 */
import type { DiagnoseAnswer } from '../core-pipeline/diagnose/run.js';
import { API_TOKEN_ENV } from './api-auth.js';
import { intFlag, parseFlags } from './cli-args.js';
import { DEV_DEFAULTS } from './config.js';
import { formatDiagnose } from './diagnose-format.js';
import { LocalStackError, UsageError } from './errors.js';

/** Defaults of `beacons diagnose`. */
export const DIAGNOSE_DEFAULTS = {
  since: '15m',
  target: `http://${DEV_DEFAULTS.host}:${DEV_DEFAULTS.port}`,
  limit: 20,
  timeoutMs: 30_000,
} as const;

/** The flags, checked. @throws UsageError naming the flag at fault. */
export function parseDiagnoseFlags(args: string[]) {
  const f = parseFlags('diagnose', args, {
    since: { type: 'string' },
    json: { type: 'boolean' },
    target: { type: 'string' },
    token: { type: 'string' },
    limit: { type: 'string' },
  });
  const since = (f.since ?? DIAGNOSE_DEFAULTS.since).trim();
  if (!/^\d+[smhd]$/.test(since))
    throw new UsageError(`--since must be a duration such as 90s, 15m or 2h, got "${f.since}"`);
  const raw = f.target ?? DIAGNOSE_DEFAULTS.target;
  let target: URL;
  try {
    target = new URL(raw);
  } catch {
    throw new UsageError(
      `--target must be a URL such as ${DIAGNOSE_DEFAULTS.target}, got "${raw}"`,
    );
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new UsageError(`--target must be an http or https URL, got "${raw}"`);
  return {
    since,
    json: f.json ?? false,
    target,
    token: f.token ?? (process.env[API_TOKEN_ENV] || undefined),
    limit: intFlag('limit', f.limit, DIAGNOSE_DEFAULTS.limit, 1, 100),
  };
}

/** Fetches the answer. @throws LocalStackError with what went wrong and what to do. */
export async function fetchDiagnose(
  opts: ReturnType<typeof parseDiagnoseFlags>,
): Promise<DiagnoseAnswer> {
  const url = new URL('/api/v1/diagnose', opts.target);
  url.searchParams.set('since', opts.since);
  url.searchParams.set('limit', String(opts.limit));
  let res: Response;
  try {
    res = await fetch(url, {
      headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
      signal: AbortSignal.timeout(DIAGNOSE_DEFAULTS.timeoutMs),
    });
  } catch (err) {
    const cause =
      err instanceof Error
        ? err.cause instanceof Error
          ? err.cause.message
          : err.message
        : String(err);
    throw new LocalStackError(
      `no answer from ${opts.target.origin} (${cause}); is "beacons dev" running there? Start it with "npm start", or pass --target <URL>`,
      { cause: err },
    );
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new LocalStackError(
      `${url.origin} answered ${res.status} without JSON: is it a beacons stack? (${text.slice(0, 120)})`,
    );
  }
  if (res.status === 401)
    throw new LocalStackError(
      `${url.origin} refused: ${(body as { detail?: string }).detail ?? 'unauthorized'}; pass --token or set ${API_TOKEN_ENV}`,
    );
  if (!res.ok) {
    const e = body as { error?: string; detail?: string };
    throw new LocalStackError(
      `${url.origin} answered ${res.status} ${e.error ?? ''}: ${e.detail ?? text.slice(0, 200)}`,
    );
  }
  return body as DiagnoseAnswer;
}

/** Runs `beacons diagnose`; resolves to the exit code. */
export async function diagnoseCommand(args: string[]): Promise<number> {
  const opts = parseDiagnoseFlags(args);
  const answer = await fetchDiagnose(opts);
  console.log(opts.json ? JSON.stringify(answer.findings, null, 2) : formatDiagnose(answer));
  return 0;
}
