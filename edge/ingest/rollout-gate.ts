/**
 * The rollout switch as the ingest core applies it: the rules arrive in the two headers the
 * viewer-request function sets from the KeyValueStore (it overwrites any a client sent), the
 * decision is edge/rollout.ts's, made with the validated envelope's declared versions and session.
 */
import type { BeaconBatch } from '../../schemas/index.js';
import type { RolloutRefusal } from '../../schemas/record.js';
import { CURRENT_SCHEMA_VERSION } from '../../schemas/versions.js';
import type { EdgeConfig } from '../config.js';
import {
  decideRollout,
  formatRule,
  type ParsedRules,
  parseRules,
  ROLLOUT_HEADERS,
  type RolloutRules,
  type RolloutScope,
  type RolloutVerdict,
} from '../rollout.js';
import type { BadRowContext } from './bad-rows.js';
import type { IngestLogger } from './types.js';

/**
 * Parsed values by scope and text. The values are few (what the store held over the handler's
 * life), so parsing each once keeps the switch off the per-request cost; the bound only guards
 * against a store that changes very often.
 */
const parsed = new Map<string, ParsedRules>();
const MAX_PARSED = 32;

/** One header value's rules, parsed once; its problems are logged when it is first seen. */
function rulesOf(scope: RolloutScope, value: string | undefined, log?: IngestLogger): ParsedRules {
  const key = `${scope} ${value ?? ''}`;
  const known = parsed.get(key);
  if (known) return known;
  const rules = parseRules(scope, value);
  if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value as string);
  parsed.set(key, rules);
  if (rules.problems.length > 0) {
    log?.warn('rollout rules left out; the others apply', {
      scope,
      problems: rules.problems.slice(0, 8),
    });
  }
  return rules;
}

/**
 * The switch's answer for a validated batch. A header the viewer function did not set (no rules
 * anywhere, or a request that did not pass through it) falls back on the rules compiled in.
 */
export function rolloutVerdict(
  headers: Record<string, string>,
  config: EdgeConfig,
  batch: BeaconBatch,
  log?: IngestLogger,
): RolloutVerdict {
  const rules = rulesIn(headers, config, log);
  // Nothing to decide: skip the lookups on the common path.
  if (!rules) return { accept: true, deprecations: [] };
  return decideRollout(
    rules,
    {
      schemaVersion: batch.schema_version,
      sdkName: batch.sdk_name,
      sdkVersion: batch.sdk_version,
      sessionId: batch.session_id,
    },
    CURRENT_SCHEMA_VERSION,
  );
}

/** The rules in force for a request, or undefined when there are none anywhere. */
export function rulesIn(
  headers: Record<string, string>,
  config: EdgeConfig,
  log?: IngestLogger,
): RolloutRules | undefined {
  const schemas = headers[ROLLOUT_HEADERS.schema] ?? config.rollout?.schemas;
  const sdks = headers[ROLLOUT_HEADERS.sdk] ?? config.rollout?.sdks;
  if (schemas === undefined && sdks === undefined) return undefined;
  return { schema: rulesOf('schema', schemas, log).rules, sdk: rulesOf('sdk', sdks, log).rules };
}

/** The one record of a refused request: who was refused, by which rule, and how many events. */
export function rolloutRefusal(
  ctx: BadRowContext,
  verdict: Extract<RolloutVerdict, { accept: false }>,
  batch: BeaconBatch,
): RolloutRefusal {
  const refusal: RolloutRefusal = {
    kind: 'rollout_refusal',
    received_at: ctx.receivedAt,
    request_id: ctx.requestId,
    status: 410,
    reason: verdict.reason,
    detail: verdict.detail,
    rule: formatRule(verdict.rule),
    schema_version: batch.schema_version,
    sdk_name: batch.sdk_name,
    sdk_version: batch.sdk_version,
    session_id: batch.session_id,
    events: batch.events.length,
  };
  if (ctx.pop) refusal.pop = ctx.pop;
  return refusal;
}
