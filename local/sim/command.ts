/**
 * The `beacons simulate` command: flags → a live simulation against the local stack, or, with
 * `--backfill`, historical events written straight into the store. Prints progress and a summary,
 * and writes the ground truth when `--truth FILE` is given.
 */
import { intFlag, numberFlag, parseFlags } from '../cli-args.js';
import { DEV_DEFAULTS, SIMULATE_DEFAULTS } from '../config.js';
import { UsageError } from '../errors.js';
import { type Fault, parseFault } from './faults.js';

/**
 * A duration flag: whole seconds (`90`) or with a unit (`90s`, `2m`, `1h`), within [minMs, maxMs].
 * @throws UsageError naming the flag.
 */
export function durationFlag(name: string, value: string, minMs: number, maxMs: number): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(value.trim());
  if (!m)
    throw new UsageError(
      `--${name} must be seconds or a duration such as 90s, 2m or 1h, got "${value}"`,
    );
  const ms = Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
  if (ms < minMs || ms > maxMs)
    throw new UsageError(
      `--${name} must be between ${minMs / 1000} s and ${maxMs / 1000} s, got "${value}"`,
    );
  return ms;
}

/** Runs `beacons simulate`; resolves to the exit code. */
export async function simulate(args: string[]): Promise<number> {
  const flags = parseFlags('simulate', args, {
    target: { type: 'string' },
    url: { type: 'string' },
    viewers: { type: 'string' },
    duration: { type: 'string' },
    seed: { type: 'string' },
    fault: { type: 'string', multiple: true },
    truth: { type: 'string' },
    'invalid-ratio': { type: 'string' },
    backfill: { type: 'string' },
    since: { type: 'string' },
    'data-dir': { type: 'string' },
  });
  const d = SIMULATE_DEFAULTS;
  if (flags.target !== undefined && flags.url !== undefined)
    throw new UsageError('--url is another name for --target; give one of them');
  const faults: Fault[] = (flags.fault ?? []).map(parseFault);
  const seed =
    flags.seed === undefined ? undefined : intFlag('seed', flags.seed, 0, 0, 2 ** 32 - 1);
  if (flags.backfill !== undefined) {
    for (const f of ['target', 'url', 'viewers', 'duration', 'invalid-ratio'] as const)
      if (flags[f] !== undefined)
        throw new UsageError(
          `--${f} does not apply to --backfill, which writes into the store directly`,
        );
    const { backfillCommand } = await import('./backfill-command.js');
    return backfillCommand({
      events: intFlag('backfill', flags.backfill, 0, 1, d.maxBackfillEvents),
      sinceMs: durationFlag('since', flags.since ?? d.backfillSince, 60_000, d.maxBackfillSinceMs),
      dataDir: flags['data-dir'] ?? DEV_DEFAULTS.dataDir,
      seed,
      faults,
      truthFile: flags.truth,
    });
  }
  for (const f of ['since', 'data-dir'] as const)
    if (flags[f] !== undefined) throw new UsageError(`--${f} only applies with --backfill N`);
  const url = flags.target ?? flags.url ?? d.url;
  const viewers = intFlag('viewers', flags.viewers, d.viewers, 1, d.maxViewers);
  const durationMs =
    flags.duration === undefined
      ? d.durationSeconds * 1000
      : durationFlag('duration', flags.duration, 1_000, d.maxDurationSeconds * 1000);
  const invalidRatio = numberFlag('invalid-ratio', flags['invalid-ratio'], 0, 0, 1);
  const { runSimulation } = await import('./simulation.js');
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    console.log(
      `simulating ${viewers} viewers for ${durationMs / 1000} s against ${url}` +
        (faults.length ? ` with faults ${faults.map((f) => f.spec).join(', ')}` : ''),
    );
    const s = await runSimulation({
      url,
      viewers,
      durationSeconds: durationMs / 1000,
      faults,
      seed,
      invalidRatio,
      truth: flags.truth !== undefined,
      signal: abort.signal,
      onProgress: (p) =>
        console.log(
          `  ${(p.elapsedMs / 1000).toFixed(0).padStart(4)} s  ${p.events} events sent, ${p.eventsAccepted} accepted, ${p.sessions} sessions`,
        ),
    });
    const statuses = Object.entries(s.statuses)
      .map(([k, n]) => `${k === '0' ? 'no response' : k}: ${n}`)
      .join(', ');
    console.log(
      `done: ${s.requests} requests, ${s.events} events, ${s.eventsAccepted} accepted, ${s.sessions} sessions (${statuses || 'none'}); seed ${s.seed}`,
    );
    console.log(
      `  resent ${s.retries} times; gave up on ${s.batchesFailed} batches (${s.eventsFailed} events) after retries; ${s.batchesRefused} batches (${s.eventsRefused} events) refused`,
    );
    if (s.sessionsStopped > 0)
      console.log(
        `  ${s.sessionsStopped} sessions stopped on a 410 (a version retired or not sampled: beacons rollout list)`,
      );
    if (s.statuses['0'])
      console.log(
        `  no response for ${s.statuses['0']} attempts: is "beacons dev" running at ${url}?`,
      );
    if (flags.truth !== undefined && s.truth) {
      const { truthJson, writeTruth } = await import('./truth-file.js');
      await writeTruth(
        flags.truth,
        truthJson(
          s.truth,
          {
            seed: s.seed,
            viewers,
            durationSeconds: durationMs / 1000,
            target: url,
            invalidRatio,
            startedAt: s.startedAt,
            endedAt: s.startedAt + Math.min(durationMs, s.elapsedMs),
          },
          faults,
        ),
      );
      console.log(
        `  ground truth (${s.truth.eventsAcknowledged} acknowledged events) in ${flags.truth}`,
      );
    }
    return s.requests > 0 && s.eventsAccepted === 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
