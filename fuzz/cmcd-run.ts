import { DEFAULT_CONFIG, type EdgeConfig } from '../edge/config.js';
import { type CmcdChecked, checkCmcdRequest } from './cmcd-oracle.js';
import { buildCmcdRequest, cmcdRequestPlans } from './cmcd-requests.js';
import { fuzzPlans } from './mutate.js';
import { toRepro } from './tally.js';

/** What a CMCD run found. */
export interface CmcdSummary {
  inputs: number;
  /** Requests per `status reason`. */
  outcomes: Record<string, number>;
  /** Refused lines per reason (bad rows and lines counted in refusals). */
  lineReasons: Record<string, number>;
  /** Lines of the bodies that could be counted, and what became of them. */
  lines: number;
  linesStored: number;
  lineBadRows: number;
  linesRefused: number;
  failures: { index: number; violations: string[]; repro: string }[];
  failureCount: number;
}

/** Failures kept in full, as fuzz/main.ts. */
const KEEP_FAILURES = 5;

/** Runs `count` CMCD inputs from `seed` against `config` (the default edge configuration). */
export async function runCmcdFuzz(opts: {
  count: number;
  seed: number;
  config?: EdgeConfig;
  /** Every record write throttled (the 429 path). */
  throttling?: boolean;
}): Promise<CmcdSummary> {
  const config = opts.config ?? DEFAULT_CONFIG;
  const plans = cmcdRequestPlans({ mutate: false });
  const s: CmcdSummary = {
    inputs: 0,
    outcomes: {},
    lineReasons: {},
    lines: 0,
    linesStored: 0,
    lineBadRows: 0,
    linesRefused: 0,
    failures: [],
    failureCount: 0,
  };
  for (const { index, plan } of fuzzPlans(plans, opts.count, opts.seed)) {
    const req = buildCmcdRequest(plan, `fuzz-cmcd-${opts.seed}-${index}`);
    const checked = await checkCmcdRequest(req, config, undefined, {
      throttling: opts.throttling,
    });
    count(s, checked);
    if (checked.violations.length === 0) continue;
    s.failureCount++;
    if (s.failures.length < KEEP_FAILURES)
      s.failures.push({ index, violations: checked.violations, repro: toRepro(req) });
  }
  return s;
}

function count(s: CmcdSummary, c: CmcdChecked): void {
  s.inputs++;
  const key = c.res ? `${c.res.status} ${outcomeName(c)}` : 'threw';
  s.outcomes[key] = (s.outcomes[key] ?? 0) + 1;
  s.lines += c.lines ?? 0;
  s.linesStored += c.records.reduce((n, r) => n + (r.reports?.length ?? 0), 0);
  for (const b of c.badRows) {
    if (b.index === undefined || b.index === null) continue;
    s.lineBadRows++;
    s.lineReasons[b.reason] = (s.lineReasons[b.reason] ?? 0) + 1;
  }
  for (const r of c.refusals) {
    s.linesRefused += r.events;
    s.lineReasons[r.reason] = (s.lineReasons[r.reason] ?? 0) + r.events;
  }
}

function outcomeName(c: CmcdChecked): string {
  const res = c.res;
  if (!res) return 'none';
  if (res.status === 204) return c.records.length > 0 ? 'accepted' : 'preflight';
  if (res.status === 200) return 'partial';
  try {
    return String((JSON.parse(res.body ?? '{}') as { error?: unknown }).error);
  } catch {
    return 'unparsable';
  }
}

/** The CMCD summary as the lines the command prints. */
export function cmcdReport(s: CmcdSummary): string[] {
  const sorted = (m: Record<string, number>) => Object.entries(m).sort((a, b) => b[1] - a[1]);
  const lines = [
    `cmcd: ${s.inputs} inputs; lines: ${s.lines} sent, ${s.linesStored} stored, ${s.lineBadRows} bad rows, ${s.linesRefused} refused by rollout`,
    'cmcd outcomes (status reason: requests):',
    ...sorted(s.outcomes).map(([k, n]) => `  ${k}: ${n}`),
    'cmcd refused lines (reason: lines):',
    ...sorted(s.lineReasons).map(([k, n]) => `  ${k}: ${n}`),
  ];
  if (s.failureCount === 0) lines.push('cmcd: every line accounted for once in every input');
  else {
    lines.push(`CMCD PROMISE BROKEN for ${s.failureCount} inputs; first ones:`);
    for (const f of s.failures)
      lines.push(
        `  #${f.index}: ${f.violations.join('; ')}`,
        `    replay: npm run fuzz -- --replay-cmcd ${f.repro}`,
      );
  }
  return lines;
}
