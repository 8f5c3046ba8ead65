/**
 * Validation of one decoded report: it must name its session (`sid`), pass our versioned JSON
 * Schema of the decoded form (ajv standalone code, no eval at the edge), then cml-cmcd's own
 * event-mode rules (`validateCmcd`: errors refuse the line, warnings do not), and hold only text
 * the store can keep. The schema runs first because its messages name the key and the bound.
 */
import { validateCmcd } from '@svta/cml-cmcd';
import type { CmcdReport, CmcdValue } from '../../schemas/cmcd.js';
import { cmcdValidators, type ValidationError } from '../../schemas/generated/index.js';
import { isWellFormed } from '../../schemas/storable.js';
import { truncate } from '../ingest/request-gate.js';
import { CMCD_SID_PATTERN } from './limits.js';

/** Why a decoded report is refused. */
export interface ReportProblem {
  reason: 'missing_session' | 'invalid_report';
  detail: string;
}

/**
 * The report's session id when it is one the edge can group by (CMCD_SID_PATTERN), else
 * undefined: such a line is refused by {@link checkReport} whatever the rollout says.
 */
export function sessionOf(report: CmcdReport): string | undefined {
  const sid = Object.hasOwn(report, 'sid') ? report.sid : undefined;
  return typeof sid === 'string' && CMCD_SID_PATTERN.test(sid) ? sid : undefined;
}

/** The CMCD version a report declares, as the record's `sdk_version` (`1` when absent, as the spec says). */
export function versionOf(report: CmcdReport): string {
  const v = Object.hasOwn(report, 'v') ? report.v : undefined;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1000 ? String(v) : '1';
}

/** The first reason `report` cannot be stored, or undefined when it passes every check. */
export function checkReport(report: CmcdReport, schemaVersion: string): ReportProblem | undefined {
  // A line that is a report (it names its event) but no session: say what to switch on. Any
  // other line without sid is not a report at all, and the schema's message says why.
  if (!Object.hasOwn(report, 'sid') && Object.hasOwn(report, 'e')) {
    return {
      reason: 'missing_session',
      detail: `the report has no sid, so it cannot be tied to a playback session; have the player send sid in event reports (dash.js: add 'sid' to the event target's enabledKeys; hls.js sends it by default)`,
    };
  }
  const validate = cmcdValidators[schemaVersion];
  if (!validate(report)) return invalid(formatError(validate.errors));
  const result = validateCmcd(withoutItemParams(report), { reportingMode: 'event' });
  if (!result.valid) {
    const error = result.issues.find((i) => i.severity === 'error');
    return invalid(
      `${error?.key ? `/${error.key} ` : ''}${error?.message ?? 'invalid CMCD report'}`,
    );
  }
  // The schema cannot say "well-formed Unicode"; only the JSON form can carry a lone surrogate
  // (structured-field strings are printable ASCII), and no store keeps one as text.
  for (const [key, value] of Object.entries(report)) {
    for (const s of textsOf(value)) {
      if (!isWellFormed(s))
        return invalid(`/${key} holds an unpaired UTF-16 surrogate; send well-formed text`);
    }
  }
  return undefined;
}

/**
 * The report with every inner-list item bare (`{ value, params }` → value). cml-cmcd's
 * `validateCmcd` knows an item with parameters only as its own SfItem class, and a plain object
 * fails its list checks; the parameters themselves are our schema's to check.
 */
export function withoutItemParams(report: CmcdReport): CmcdReport {
  const out: CmcdReport = {};
  for (const [key, value] of Object.entries(report)) {
    Object.defineProperty(out, key, {
      value: Array.isArray(value)
        ? value.map((item) => (typeof item === 'object' ? item.value : item))
        : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Every string a value holds: items, item values and parameter values. */
function textsOf(value: CmcdValue): string[] {
  const out: string[] = [];
  for (const item of Array.isArray(value) ? value : [value]) {
    if (typeof item === 'string') out.push(item);
    else if (typeof item === 'object') {
      if (typeof item.value === 'string') out.push(item.value);
      for (const p of Object.values(item.params)) if (typeof p === 'string') out.push(p);
    }
  }
  return out;
}

function invalid(detail: string): ReportProblem {
  return { reason: 'invalid_report', detail };
}

/** `/key message`, plus the offending key where ajv names one. */
function formatError(errors: ValidationError[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return 'the report is invalid';
  const extra = e.params.additionalProperty ?? e.params.missingProperty;
  const name =
    typeof extra === 'string'
      ? e.keyword === 'additionalProperties'
        ? `: '${truncate(extra, 64)}' is not a CMCD key (a custom key is lowercase with a hyphen, e.g. com.example-id)`
        : ''
      : '';
  const allowed = Array.isArray(e.params.allowedValues)
    ? ` (${(e.params.allowedValues as unknown[]).join(', ')})`
    : '';
  return `${e.instancePath || '/'} ${e.message ?? e.keyword}${allowed}${name}`;
}
