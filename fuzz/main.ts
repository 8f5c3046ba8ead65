import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG } from '../edge/config.js';
import type { IngestRequest } from '../edge/ingest/types.js';
import { checkCmcdRequest } from './cmcd-oracle.js';
import { type CmcdSummary, cmcdReport, runCmcdFuzz } from './cmcd-run.js';
import { fuzzPlans } from './mutate.js';
import { checkRequest } from './oracle.js';
import { buildRequest, requestPlans } from './requests.js';
import { beaconArbitraries } from './schema-arbitrary.js';
import { fromRepro, tally, type Tally, toRepro } from './tally.js';

/** Options of one run. */
export interface FuzzOptions {
  count: number;
  seed: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** A broken promise, with what reproduces it. */
export interface FuzzFailure {
  index: number;
  violations: string[];
  /** `--replay` argument: the request as base64 JSON. */
  repro: string;
}

/** What a run found. */
export interface FuzzSummary extends Tally {
  seed: number;
  seconds: number;
  inputsPerSecond: number;
  failures: FuzzFailure[];
  failureCount: number;
  /** The CMCD path's inputs (a quarter of `count`, rounded up). */
  cmcd: CmcdSummary;
}

/** Inputs between progress lines. */
const PROGRESS_EVERY = 50_000;
/** Failures kept in full; the rest are only counted. */
const KEEP_FAILURES = 5;

/**
 * Runs `count` inputs from `seed`: requests generated from the schema, each also sent mutated
 * (generating a request costs far more than mutating one). Deterministic for a count and seed.
 */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  const plans = requestPlans(beaconArbitraries(), { mutate: false });
  const t = tally();
  const failures: FuzzFailure[] = [];
  let failureCount = 0;
  const start = performance.now();
  for (const { index, plan } of fuzzPlans(plans, opts.count, opts.seed)) {
    const req = buildRequest(plan, `fuzz-${opts.seed}-${index}`);
    const checked = await checkRequest(req);
    t.add(checked);
    if (index % PROGRESS_EVERY === PROGRESS_EVERY - 1)
      opts.log?.(`${index + 1} inputs, ${failureCount} failing`);
    if (checked.violations.length === 0) continue;
    failureCount++;
    if (failures.length < KEEP_FAILURES)
      failures.push({ index, violations: checked.violations, repro: toRepro(req) });
  }
  const cmcd = await runCmcdFuzz({ count: Math.ceil(opts.count / 4), seed: opts.seed });
  const seconds = (performance.now() - start) / 1000;
  return {
    ...t.result(),
    cmcd,
    seed: opts.seed,
    seconds,
    inputsPerSecond: (opts.count + cmcd.inputs) / seconds,
    failures,
    failureCount,
  };
}

/** The summary as the lines the command prints. */
export function report(s: FuzzSummary): string[] {
  const lines = [
    `fuzz: ${s.inputs} inputs, seed ${s.seed}, ${s.seconds.toFixed(1)} s, ${Math.round(s.inputsPerSecond)} inputs/s`,
    `events: ${s.eventsSent} sent, ${s.eventsAcknowledged} acknowledged, ${s.eventRows} stored as rows; ${s.badRows} bad rows`,
    'outcomes (status reason: requests):',
    ...sorted(s.outcomes).map(([k, n]) => `  ${k}: ${n}`),
    'refused events (reason: events):',
    ...sorted(s.eventReasons).map(([k, n]) => `  ${k}: ${n}`),
  ];
  lines.push(...cmcdReport(s.cmcd));
  if (s.failureCount === 0) lines.push('promise kept for every input');
  else {
    lines.push(`PROMISE BROKEN for ${s.failureCount} inputs; first ones:`);
    for (const f of s.failures)
      lines.push(
        `  #${f.index}: ${f.violations.join('; ')}`,
        `    replay: npm run fuzz -- --replay ${f.repro}`,
      );
  }
  return lines;
}

function sorted(m: Record<string, number>): [string, number][] {
  return Object.entries(m).sort((a, b) => b[1] - a[1]);
}

async function main(argv: string[]): Promise<number> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const replayCmcd = arg('replay-cmcd');
  if (replayCmcd !== undefined) {
    const checked = await checkCmcdRequest(fromRepro(replayCmcd), DEFAULT_CONFIG);
    console.log(JSON.stringify({ response: checked.res, violations: checked.violations }, null, 2));
    return checked.violations.length === 0 ? 0 : 1;
  }
  const replay = arg('replay');
  if (replay !== undefined) {
    const req: IngestRequest = fromRepro(replay);
    const checked = await checkRequest(req);
    console.log(
      JSON.stringify({ response: checked.ex.res, violations: checked.violations }, null, 2),
    );
    return checked.violations.length === 0 ? 0 : 1;
  }
  const count = Number(arg('count') ?? 1_000_000);
  const seed = Number(arg('seed') ?? Date.now() % 2 ** 31);
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(seed))
    throw new Error('usage: npm run fuzz -- [--count N] [--seed S] | --replay <base64>');
  const summary = await runFuzz({ count, seed, log: (l) => console.log(l) });
  for (const line of report(summary)) console.log(line);
  return summary.failureCount + summary.cmcd.failureCount === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(2);
    },
  );
}
