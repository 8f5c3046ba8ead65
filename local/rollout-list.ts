/**
 * What `beacons rollout list` (and the state column of `beacons schemas list`) shows: every
 * bundled schema version with its state (live when no rule names it), every SDK rule, and what
 * the edge would skip, as data (`--json`) and as text.
 */
import { parseRules, ROLLOUT_KEYS, type RolloutRule, type RuleProblem } from '../edge/rollout.js';
import { CMCD_SCHEMA_VERSIONS, CURRENT_CMCD_SCHEMA_VERSION } from '../schemas/cmcd.js';
import { CURRENT_SCHEMA_VERSION, SCHEMA_VERSIONS } from '../schemas/versions.js';
import type { RolloutValues } from './rollout-file.js';

/** One line of the listing: a rule's fields (its scope is the list it is in), and more. */
export interface RolloutRow extends Omit<RolloutRule, 'scope'> {
  /** Schema versions: whether the edge bundles it (a rule for another never applies). */
  bundled?: boolean;
  /** Schema versions: the one new clients send. */
  current?: boolean;
}

/** The whole listing. */
export interface RolloutView {
  schemas: RolloutRow[];
  sdks: RolloutRow[];
  /** Entries the edge cannot read and skips. */
  problems: RuleProblem[];
  /**
   * Keys the store does not have: the viewer function then applies the rules built into the edge
   * (none unless the deployment's configuration sets some), which the store cannot show.
   */
  missingKeys: string[];
}

function row(rule: RolloutRule): RolloutRow {
  const { scope: _, ...rest } = rule;
  return rest;
}

/** The listing of the two keys' values. */
export function rolloutView(values: RolloutValues): RolloutView {
  const schema = parseRules('schema', values.schema);
  const sdk = parseRules('sdk', values.sdk);
  const bundled: readonly string[] = [...SCHEMA_VERSIONS, ...CMCD_SCHEMA_VERSIONS];
  const schemas: RolloutRow[] = bundled.map((v) => {
    const rule = schema.rules.find((r) => r.subject === v);
    return {
      ...(rule ? row(rule) : { subject: v, state: 'live' as const }),
      bundled: true,
      current: v === CURRENT_SCHEMA_VERSION || v === CURRENT_CMCD_SCHEMA_VERSION,
    };
  });
  for (const rule of schema.rules)
    if (!bundled.includes(rule.subject)) schemas.push({ ...row(rule), bundled: false });
  return {
    schemas,
    sdks: sdk.rules.map(row),
    problems: [...schema.problems, ...sdk.problems],
    missingKeys: (['schema', 'sdk'] as const)
      .filter((scope) => values[scope] === undefined)
      .map((scope) => ROLLOUT_KEYS[scope]),
  };
}

/** One row's state with its details, e.g. `deprecated  since 2026-11-30  sunset 2027-03-01`. */
export function describeRow(r: RolloutRow): string {
  const parts: string[] = [r.state.padEnd(10)];
  if (r.sample !== undefined)
    parts.push(`sample ${Math.round(r.sample * 10000) / 100} % of sessions`);
  if (r.since !== undefined) parts.push(`since ${r.since}`);
  if (r.sunset !== undefined) parts.push(`sunset ${r.sunset}`);
  if (r.upgrade !== undefined) parts.push(`upgrade ${r.upgrade}`);
  if (r.current) parts.push('(what new clients send)');
  if (r.bundled === false) parts.push('(not bundled: never applies)');
  return parts.join('  ').trimEnd();
}

/** The listing as text for a terminal. */
export function formatRolloutView(view: RolloutView, where: string): string {
  const width = Math.max(8, ...[...view.schemas, ...view.sdks].map((r) => r.subject.length));
  const line = (r: RolloutRow) => `  ${r.subject.padEnd(width)}  ${describeRow(r)}`;
  const lines = [`Rollout rules in ${where}`, '', 'Schema versions:', ...view.schemas.map(line)];
  lines.push('', 'SDK releases:');
  if (view.sdks.length === 0) lines.push('  (no rules: every SDK release is live)');
  else lines.push(...view.sdks.map(line));
  if (view.problems.length > 0) {
    lines.push('', 'Entries the edge cannot read (it skips them):');
    for (const p of view.problems) lines.push(`  ${p.text}: ${p.problem}`);
  }
  for (const key of view.missingKeys)
    lines.push(
      '',
      `${key} is not in the store: the edge applies the rules built into it, if any (none unless the deployment's configuration sets them)`,
    );
  return lines.join('\n');
}
