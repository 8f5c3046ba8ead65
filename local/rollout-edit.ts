/**
 * What `beacons rollout set|clear` changes in a rule list, as pure functions: the rule built from
 * the command line, and the new value of one KeyValueStore key with it set or cleared. Every
 * refusal is a {@link UsageError} whose message says what to do instead. A value is written only
 * when the edge would read all of it back (edge/rollout.ts `parseRules`) and it fits the store's
 * per-entry limit, so the CLI never leaves a key that the edge half-applies or CloudFront refuses.
 */
import { KVS_MAX_ENTRY_BYTES } from '../edge/kvs.js';
import {
  checkSubject,
  formatRules,
  parseRule,
  parseRules,
  ROLLOUT_KEYS,
  ROLLOUT_STATES,
  type RolloutRule,
  type RolloutScope,
  type RolloutState,
} from '../edge/rollout.js';
import { CMCD_SCHEMA_VERSIONS } from '../schemas/cmcd.js';
import { SCHEMA_VERSIONS } from '../schemas/versions.js';
import { UsageError } from './errors.js';

/** The optional parts of a rule, as given on the command line (unchecked text). */
export interface RuleOptions {
  sample?: string;
  since?: string;
  sunset?: string;
  upgrade?: string;
}

/** `1-0-0` (or `cmcd-1-0-0`) is a schema version; anything with an `@` an SDK release. */
export function scopeOf(subject: string): RolloutScope {
  if (/^(cmcd-)?\d+-\d+-\d+$/.test(subject)) return 'schema';
  if (subject.includes('@')) return 'sdk';
  throw new UsageError(
    `"${subject}" is neither a schema version (MODEL-REVISION-ADDITION, e.g. 1-0-0, or cmcd-1-0-0 for CMCD reports) nor an SDK release (<sdk_name>@<sdk_version>, e.g. beacon-edge-web@0.1.0)`,
  );
}

/** Every schema version a rule can name: the beacon schemas and the CMCD report schemas. */
const BUNDLED: readonly string[] = [...SCHEMA_VERSIONS, ...CMCD_SCHEMA_VERSIONS];

/** Refuses a schema version the edge does not bundle: a rule for it would never apply. */
function checkBundled(version: string, what: string): void {
  if (!BUNDLED.includes(version))
    throw new UsageError(
      `${what} ${version} is not a schema version this edge bundles (${BUNDLED.join(', ')}); a rule for it would never apply`,
    );
}

/**
 * The rule `beacons rollout set <subject> <state> [options]` means. `today` (YYYY-MM-DD) is the
 * default `since` of a deprecation: the `Deprecation` header then says when it was decided.
 */
export function buildRule(
  subject: string,
  state: string,
  opts: RuleOptions,
  today: string,
): RolloutRule {
  const scope = scopeOf(subject);
  const subjectProblem = checkSubject(scope, subject);
  if (subjectProblem) throw new UsageError(subjectProblem);
  if (scope === 'schema') checkBundled(subject, 'schema version');
  if (!(ROLLOUT_STATES as readonly string[]).includes(state))
    throw new UsageError(`the state must be one of ${ROLLOUT_STATES.join(', ')}, got "${state}"`);
  const s = state as RolloutState;
  if (opts.sample !== undefined && s === 'retired')
    throw new UsageError(
      '--sample does not apply to retired: a retired version is refused for every session',
    );
  for (const flag of ['since', 'sunset'] as const)
    if (opts[flag] !== undefined && s !== 'deprecated')
      throw new UsageError(
        `--${flag} only applies to deprecated (the Deprecation and Sunset headers)`,
      );
  if (opts.upgrade !== undefined && s === 'live')
    throw new UsageError('--upgrade only applies to deprecated or retired');
  if (opts.upgrade !== undefined && scope === 'schema') {
    checkBundled(opts.upgrade, '--upgrade');
    // A beacon batch cannot move to a CMCD report schema, nor the other way round.
    if (opts.upgrade.startsWith('cmcd-') !== subject.startsWith('cmcd-'))
      throw new UsageError(`--upgrade ${opts.upgrade} is not a version of ${subject}'s schema`);
  }
  if (opts.upgrade === subject || (scope === 'sdk' && subject.endsWith(`@${opts.upgrade}`)))
    throw new UsageError(`--upgrade ${opts.upgrade} is the version being ${s}`);
  const attrs: Record<string, string | undefined> = {
    sample: opts.sample,
    since: s === 'deprecated' ? (opts.since ?? today) : undefined,
    sunset: opts.sunset,
    upgrade: opts.upgrade,
  };
  let text = `${subject}:${s}`;
  for (const [name, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    // A separator in a value would smuggle in another attribute or rule.
    if (/[\s,:=]/.test(v)) throw new UsageError(`--${name} "${v}" has a space, comma, colon or =`);
    text += `,${name}=${v}`;
  }
  // The edge's own reader checks the rest (sample 0..1, real dates, version characters), so the
  // CLI writes exactly what the edge can read.
  const checked = parseRule(scope, text);
  if (typeof checked === 'string') throw new UsageError(flagWording(checked));
  if (
    checked.sunset !== undefined &&
    checked.since !== undefined &&
    checked.sunset <= checked.since
  )
    throw new UsageError(`--sunset ${checked.sunset} must be after --since ${checked.since}`);
  return checked;
}

/** The edge reader's words name rule attributes; the CLI user typed flags. */
function flagWording(problem: string): string {
  return problem.replace(/^(sample|since|sunset|upgrade) /, '--$1 ');
}

/** The rules a key holds now; refuses to edit a value with entries the edge cannot read. */
export function currentRules(scope: RolloutScope, value: string | undefined): RolloutRule[] {
  const { rules, problems } = parseRules(scope, value);
  if (problems.length > 0)
    throw new UsageError(
      `${ROLLOUT_KEYS[scope]} holds entries the edge cannot read (${problems.map((p) => `"${p.text}": ${p.problem}`).join('; ')}); fix or remove them in the store first, so a change does not hide them`,
    );
  return rules;
}

/**
 * The key's new value with `rule` set (replacing the subject's rule, else added at the end).
 * @throws UsageError when the value would not fit the KeyValueStore's limit per entry.
 */
export function withRule(value: string | undefined, rule: RolloutRule): string {
  const rules = currentRules(rule.scope, value);
  const at = rules.findIndex((r) => r.subject === rule.subject);
  const next = at < 0 ? [...rules, rule] : rules.map((r, i) => (i === at ? rule : r));
  const text = formatRules(next);
  const key = ROLLOUT_KEYS[rule.scope];
  const bytes = Buffer.byteLength(key) + Buffer.byteLength(text);
  if (bytes > KVS_MAX_ENTRY_BYTES) {
    const average = Buffer.byteLength(text) / next.length;
    const fit = Math.floor((KVS_MAX_ENTRY_BYTES - Buffer.byteLength(key) + 1) / (average + 1));
    throw new UsageError(
      `${key} would be ${bytes} bytes with ${next.length} rules, over the KeyValueStore's ${KVS_MAX_ENTRY_BYTES} bytes per key and value: about ${fit} rules of this length fit. Clear rules no longer needed first (beacons rollout clear <subject>)`,
    );
  }
  return text;
}

/**
 * The key's new value without the subject's rule: `-` when no rule is left, never a removed key,
 * because the viewer function reads a missing key as "use the rules built into the edge" (so
 * removing the key could bring back a built-in rule); `unchanged` when there was no rule for it.
 */
export function withoutRule(
  scope: RolloutScope,
  value: string | undefined,
  subject: string,
): { value: string | undefined; unchanged: boolean } {
  const rules = currentRules(scope, value);
  const next = rules.filter((r) => r.subject !== subject);
  if (next.length === rules.length) return { value, unchanged: true };
  return { value: formatRules(next), unchanged: false };
}
