/**
 * The rollout switch: per schema version and per SDK release (`name@version`), a state that an
 * operator changes without a redeploy.
 *
 * - `live` (the default for anything without a rule): accepted.
 * - `deprecated`: accepted; the answer carries `Deprecation` (RFC 9745) and, when a sunset date is
 *   set, `Sunset` (RFC 8594).
 * - `retired`: refused with 410 Gone and a JSON body naming the upgrade; the SDK stops sending for
 *   the session.
 * - `sample` (0..1, on a live or deprecated rule): a canary. Only that share of sessions is
 *   accepted, decided by a hash of the session id, so a session is all in or all out: the same
 *   session always gets the same answer at one rate, and raising the rate only adds sessions.
 *   The others get 410 `session_not_sampled` and stop for that session.
 *
 * Rules live in two CloudFront KeyValueStore keys (`rollout.schemas`, `rollout.sdks`; one value
 * each, at most 1 KB with its key). The viewer-request function reads them on every POST and
 * passes them on in two headers (`ROLLOUT_HEADERS`), because only it can read the store and only
 * the origin-request handler sees the body, whose declared versions and session id decide.
 *
 * A value is the rules separated by spaces, `-` when there are none:
 *
 *     1-0-0:deprecated,since=2026-11-30,sunset=2027-03-01 2-0-0:live,sample=0.1
 *     beacon-edge-web@0.1.0:retired,upgrade=0.3.0
 *
 * Pure and dependency-free: the Lambda@Edge bundle, the CLI (`beacons rollout`), the CDK app (the
 * seed) and the tests use it.
 */

/** The states a rule can set. */
export const ROLLOUT_STATES = ['live', 'deprecated', 'retired'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/** What a rule is about: a schema version, or an SDK release. */
export type RolloutScope = 'schema' | 'sdk';

/** One rule. Dates are UTC calendar days (`YYYY-MM-DD`). */
export interface RolloutRule {
  scope: RolloutScope;
  /**
   * `1-0-0` (or `cmcd-1-0-0`, the CMCD report schema), or `<sdk_name>@<sdk_version>` (split on the
   * last `@`, so `@scope/sdk@1.0.0` works; CMCD reports are `cmcd@<v>` and the player's release).
   */
  subject: string;
  state: RolloutState;
  /** Share of sessions accepted, 0..1 (absent: all). Ignored when retired. */
  sample?: number;
  /** deprecated: when it was deprecated (the `Deprecation` header's date). */
  since?: string;
  /** deprecated: when it will be retired (the `Sunset` header). */
  sunset?: string;
  /** retired: what to move to; a schema version, or an SDK version of the same SDK. */
  upgrade?: string;
}

/** The two KeyValueStore keys, and the header each is passed on in. */
export const ROLLOUT_KEYS = { schema: 'rollout.schemas', sdk: 'rollout.sdks' } as const;
export const ROLLOUT_HEADERS = {
  schema: 'x-beacon-rollout-schemas',
  sdk: 'x-beacon-rollout-sdks',
} as const;

/** The value of a key without rules (KeyValueStore values cannot be empty). */
export const NO_RULES = '-';

/** Characters a subject may have: what the format can carry (no space, comma, colon or equals). */
const SUBJECT = /^[A-Za-z0-9._+/@~-]{1,97}$/;
/** A beacon schema version (`2-0-0`), or a CMCD report schema version (`cmcd-1-0-0`, schemas/cmcd.ts). */
const SCHEMA_SUBJECT = /^(cmcd-)?\d{1,4}-\d{1,4}-\d{1,4}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SAMPLE = /^(0(\.\d{1,6})?|1(\.0{1,6})?)$/;

/** A rule that could not be read, and why. */
export interface RuleProblem {
  text: string;
  problem: string;
}

/** Rules read from one key's value; problems are entries left out. */
export interface ParsedRules {
  rules: RolloutRule[];
  problems: RuleProblem[];
}

/**
 * Reads one key's value. Lenient: an entry it cannot read is left out and listed in `problems`
 * (the edge logs them and applies the rest; the CLI refuses to write a value with any).
 */
export function parseRules(scope: RolloutScope, value: string | undefined): ParsedRules {
  const out: ParsedRules = { rules: [], problems: [] };
  if (value === undefined) return out;
  for (const text of value.trim().split(/\s+/)) {
    if (text === '' || text === NO_RULES) continue;
    const rule = parseRule(scope, text);
    if (typeof rule === 'string') out.problems.push({ text: text.slice(0, 120), problem: rule });
    else if (out.rules.some((r) => r.subject === rule.subject))
      out.problems.push({ text: text.slice(0, 120), problem: `a second rule for ${rule.subject}` });
    else out.rules.push(rule);
  }
  return out;
}

/** One entry, or why it cannot be read. */
export function parseRule(scope: RolloutScope, text: string): RolloutRule | string {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return 'expected <subject>:<state>[,key=value...]';
  const subject = text.slice(0, colon);
  const [state, ...attrs] = text.slice(colon + 1).split(',');
  const subjectProblem = checkSubject(scope, subject);
  if (subjectProblem) return subjectProblem;
  if (!(ROLLOUT_STATES as readonly string[]).includes(state))
    return `state must be one of ${ROLLOUT_STATES.join(', ')}`;
  const rule: RolloutRule = { scope, subject, state: state as RolloutState };
  for (const attr of attrs) {
    const eq = attr.indexOf('=');
    const key = eq < 0 ? attr : attr.slice(0, eq);
    const v = eq < 0 ? '' : attr.slice(eq + 1);
    if (key === 'sample') {
      if (!SAMPLE.test(v)) return `sample must be a number from 0 to 1, got '${v}'`;
      rule.sample = Number(v);
    } else if (key === 'since' || key === 'sunset') {
      if (!isDay(v)) return `${key} must be a date YYYY-MM-DD, got '${v}'`;
      rule[key] = v;
    } else if (key === 'upgrade') {
      if (!/^[A-Za-z0-9._+~-]{1,64}$/.test(v)) return `upgrade must be a version, got '${v}'`;
      rule.upgrade = v;
    } else return `unknown attribute '${key}'`;
  }
  return rule;
}

/** Why `subject` cannot be a rule's subject in `scope`, or undefined. */
export function checkSubject(scope: RolloutScope, subject: string): string | undefined {
  if (!SUBJECT.test(subject))
    return `subject '${subject.slice(0, 40)}' has characters a rule cannot carry`;
  if (scope === 'schema' && !SCHEMA_SUBJECT.test(subject))
    return `a schema version is MODEL-REVISION-ADDITION, e.g. 1-0-0 (cmcd-1-0-0 for CMCD reports); got '${subject}'`;
  if (scope === 'sdk') {
    const at = subject.lastIndexOf('@');
    if (at <= 0 || at === subject.length - 1)
      return `an SDK release is <name>@<version>, got '${subject}'`;
  }
  return undefined;
}

/** One entry as the store holds it. */
export function formatRule(rule: RolloutRule): string {
  let text = `${rule.subject}:${rule.state}`;
  if (rule.sample !== undefined) text += `,sample=${rule.sample}`;
  if (rule.since !== undefined) text += `,since=${rule.since}`;
  if (rule.sunset !== undefined) text += `,sunset=${rule.sunset}`;
  if (rule.upgrade !== undefined) text += `,upgrade=${rule.upgrade}`;
  return text;
}

/** One key's value for `rules` (of one scope), `-` when there are none. */
export function formatRules(rules: readonly RolloutRule[]): string {
  return rules.length === 0 ? NO_RULES : rules.map(formatRule).join(' ');
}

/** What the request declared, from its validated envelope. */
export interface RolloutSubject {
  schemaVersion: string;
  sdkName: string;
  sdkVersion: string;
  sessionId: string;
  /**
   * Further SDK releases the request names, each under the SDK rules like the first: a CMCD
   * report's player (`hls.js@1.7.4`, from the event-target URL) beside `cmcd@2`.
   */
  otherSdks?: readonly { name: string; version: string }[];
}

/** The rules in force for one request: both scopes. */
export interface RolloutRules {
  schema: readonly RolloutRule[];
  sdk: readonly RolloutRule[];
}

/** A deprecated rule that applied to an accepted request. */
export interface DeprecationNotice {
  rule: RolloutRule;
}

/** The switch's answer for one request. */
export type RolloutVerdict =
  | { accept: true; deprecations: DeprecationNotice[] }
  | {
      accept: false;
      reason: 'schema_retired' | 'sdk_retired' | 'session_not_sampled';
      /** What the client is told. */
      detail: string;
      /** The version to move to, when the rule names one (`2-0-0`, `beacon-edge-web@0.3.0`). */
      upgrade?: string;
      /** The rule that decided. */
      rule: RolloutRule;
    };

/**
 * Applies the rules to one request. Retired beats not sampled beats deprecated; the schema's rule
 * is looked at before the SDK's. `currentSchema` names the upgrade of a retired schema version
 * whose rule names none.
 */
export function decideRollout(
  rules: RolloutRules,
  who: RolloutSubject,
  currentSchema: string,
): RolloutVerdict {
  const schemaRule = rules.schema.find((r) => r.subject === who.schemaVersion);
  const sdks = [{ name: who.sdkName, version: who.sdkVersion }, ...(who.otherSdks ?? [])];
  const sdkRules = sdks.map((sdk) => ({
    sdk,
    rule: rules.sdk.find((r) => r.subject === `${sdk.name}@${sdk.version}`),
  }));
  if (schemaRule?.state === 'retired') {
    // Nothing to move to when the retired version is the current one (a CMCD player cannot
    // choose its report schema at all): the answer then names no upgrade.
    const upgrade =
      schemaRule.upgrade ?? (currentSchema === who.schemaVersion ? undefined : currentSchema);
    return {
      accept: false,
      reason: 'schema_retired',
      detail: `schema_version ${who.schemaVersion} is retired${upgrade ? `; send ${upgrade}` : ''}`,
      ...(upgrade ? { upgrade } : {}),
      rule: schemaRule,
    };
  }
  const retired = sdkRules.find(({ rule }) => rule?.state === 'retired');
  if (retired?.rule) {
    const { sdk, rule: sdkRule } = retired;
    const upgrade = sdkRule.upgrade ? `${sdk.name}@${sdkRule.upgrade}` : undefined;
    return {
      accept: false,
      reason: 'sdk_retired',
      detail: `${sdkRule.subject} is retired${upgrade ? `; upgrade to ${upgrade}` : '; upgrade the SDK'}`,
      ...(upgrade ? { upgrade } : {}),
      rule: sdkRule,
    };
  }
  const applied = [schemaRule, ...sdkRules.map(({ rule }) => rule)];
  for (const rule of applied) {
    if (rule?.sample !== undefined && !inSample(who.sessionId, rule.subject, rule.sample)) {
      return {
        accept: false,
        reason: 'session_not_sampled',
        detail: `${rule.subject} is accepted from ${formatShare(rule.sample)} of sessions and this session is not one of them; stop sending for this session`,
        rule,
      };
    }
  }
  const deprecations: DeprecationNotice[] = [];
  for (const rule of applied) if (rule?.state === 'deprecated') deprecations.push({ rule });
  return { accept: true, deprecations };
}

/**
 * Whether a session is in a canary of `rate` for `subject`: FNV-1a (32 bit) of `subject/session`
 * as a share of 2³², below `rate`. Deterministic, so a session never flips at one rate; each
 * subject hashes differently, so two canaries do not pick the same sessions.
 */
export function inSample(sessionId: string, subject: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return fnv1a(`${subject}/${sessionId}`) / 2 ** 32 < rate;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Response headers for deprecated rules that applied: `Deprecation: @<unix seconds>` (RFC 9745,
 * a structured-field date: the earliest `since`, or now when no rule says), and `Sunset:
 * <HTTP-date>` (RFC 8594: the earliest sunset). Empty when nothing is deprecated.
 */
export function deprecationHeaders(
  notices: readonly DeprecationNotice[],
  now: number,
): Record<string, string> {
  if (notices.length === 0) return {};
  const since = earliest(notices.map((n) => n.rule.since)) ?? now;
  const headers: Record<string, string> = { deprecation: `@${Math.floor(since / 1000)}` };
  const sunset = earliest(notices.map((n) => n.rule.sunset));
  if (sunset !== undefined) headers.sunset = new Date(sunset).toUTCString();
  return headers;
}

function earliest(days: (string | undefined)[]): number | undefined {
  let min: number | undefined;
  for (const d of days) {
    if (d === undefined) continue;
    const t = Date.parse(`${d}T00:00:00Z`);
    if (Number.isFinite(t) && (min === undefined || t < min)) min = t;
  }
  return min;
}

function isDay(v: string): boolean {
  if (!DAY.test(v)) return false;
  const t = Date.parse(`${v}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().startsWith(v);
}

function formatShare(rate: number): string {
  return `${Math.round(rate * 10000) / 100} %`;
}
