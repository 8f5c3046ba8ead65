/**
 * Rollout rules as generated input: the two headers the viewer-request function would pass on,
 * with rules about the schema versions and about the request's own SDK release (so they decide
 * often), about other releases (so they do not), and now and then an entry the edge cannot read.
 * Every state, canary rates from none to all, dates and upgrades.
 */
import fc from 'fast-check';
import type { IngestRequest } from '../edge/ingest/types.js';
import { checkSubject, formatRule, ROLLOUT_HEADERS, type RolloutRule } from '../edge/rollout.js';
import { SCHEMA_VERSIONS } from '../schemas/versions.js';

/** One rule before its subject is known: `body` is the request's own SDK release. */
interface RuleSpec {
  target: (typeof SCHEMA_VERSIONS)[number] | 'body-sdk' | 'other-sdk';
  state: RolloutRule['state'];
  sample?: number;
  since?: string;
  sunset?: string;
  upgrade?: string;
}

/** The rules of one request; `absent` sends no headers at all (the rules built in apply). */
export interface RolloutPlan {
  absent: boolean;
  rules: RuleSpec[];
  /** An entry the edge cannot read, left out of what it applies. */
  junk: boolean;
}

const DAYS = ['2026-10-01', '2026-11-30', '2027-03-01', '2027-06-15'];

const RULE: fc.Arbitrary<RuleSpec> = fc.record(
  {
    target: fc.constantFrom<RuleSpec['target']>(
      ...SCHEMA_VERSIONS,
      'body-sdk',
      'body-sdk',
      'other-sdk',
    ),
    state: fc.constantFrom<RuleSpec['state']>('live', 'deprecated', 'retired'),
    sample: fc.constantFrom(0, 0.1, 0.5, 0.9, 1),
    since: fc.constantFrom(...DAYS),
    sunset: fc.constantFrom(...DAYS),
    upgrade: fc.constantFrom('2-0-0', '9.9.9'),
  },
  { requiredKeys: ['target', 'state'] },
);

/** Rules for a request: none most of the time, up to four otherwise. */
export function rolloutPlans(): fc.Arbitrary<RolloutPlan> {
  return fc.record({
    absent: fc.oneof(
      { arbitrary: fc.constant(true), weight: 1 },
      { arbitrary: fc.constant(false), weight: 3 },
    ),
    rules: fc.oneof(
      { arbitrary: fc.constant<RuleSpec[]>([]), weight: 1 },
      { arbitrary: fc.array(RULE, { minLength: 1, maxLength: 4 }), weight: 3 },
    ),
    junk: fc.boolean(),
  });
}

/** The request with the plan's rollout headers, set as the viewer-request function sets them. */
export function withRollout(req: IngestRequest, plan: RolloutPlan): IngestRequest {
  if (plan.absent) return req;
  const own = ownSdk(req.body);
  const schema: string[] = [];
  const sdk: string[] = [];
  const seen = new Set<string>();
  for (const spec of plan.rules) {
    const isSchema = spec.target !== 'body-sdk' && spec.target !== 'other-sdk';
    const subject = isSchema
      ? spec.target
      : spec.target === 'body-sdk'
        ? own
        : 'some-other-sdk@1.0.0';
    if (subject === undefined || seen.has(subject)) continue;
    seen.add(subject);
    const { target: _, ...attrs } = spec;
    const rule: RolloutRule = { scope: isSchema ? 'schema' : 'sdk', subject, ...attrs };
    (isSchema ? schema : sdk).push(formatRule(rule));
  }
  if (plan.junk) schema.push('1-0-0:maybe');
  return {
    ...req,
    headers: {
      ...req.headers,
      [ROLLOUT_HEADERS.schema]: schema.join(' ') || '-',
      [ROLLOUT_HEADERS.sdk]: sdk.join(' ') || '-',
    },
  };
}

/** `sdk_name@sdk_version` of the body when it has a release a rule can name. */
function ownSdk(body: Uint8Array | null): string | undefined {
  try {
    const o = JSON.parse(new TextDecoder().decode(body ?? new Uint8Array(0))) as Record<
      string,
      unknown
    >;
    const subject = `${String(o.sdk_name)}@${String(o.sdk_version)}`;
    if (typeof o.sdk_name !== 'string' || typeof o.sdk_version !== 'string') return undefined;
    return checkSubject('sdk', subject) === undefined ? subject : undefined;
  } catch {
    return undefined;
  }
}
