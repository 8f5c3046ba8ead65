/**
 * Sorts the lines of a CMCD body, purely: each line ends up accepted (with its event id), refused
 * with a reason, or in a session the rollout switch refused, and in exactly one of the three.
 * The rollout is decided per session (`sid`) before its lines are validated, as the JSON path
 * decides per batch before its events: a refused session's lines are counted, not kept.
 */
import type { CmcdReport } from '../../schemas/cmcd.js';
import { CMCD_SDK_NAME } from '../../schemas/cmcd.js';
import {
  decideRollout,
  type DeprecationNotice,
  type RolloutRules,
  type RolloutVerdict,
} from '../rollout.js';
import type { EventRejection } from '../ingest/types.js';
import { checkReport, sessionOf, versionOf } from './check.js';
import { cmcdEventId } from './ids.js';
import type { CmcdLine } from './lines.js';
import { normalizeLine } from './normalize.js';
import type { PlayerRelease } from './player.js';

/** An accepted line: its session, report and event id. */
export interface AcceptedLine {
  index: number;
  sessionId: string;
  id: string;
  /** `sn`, or the line's index when the report has none. */
  seq: number;
  report: CmcdReport;
}

/** A refused line, with what its bad row needs besides the listed fields. */
export interface RejectedLine extends EventRejection {
  line: CmcdLine;
  sessionId?: string;
  sdkVersion?: string;
}

/** A session the rollout switch refused: the lines it held are counted in its one refusal. */
export interface RefusedSession {
  sessionId: string;
  sdkVersion: string;
  indexes: number[];
  verdict: Extract<RolloutVerdict, { accept: false }>;
}

/** Every line of a body, sorted. */
export interface Triage {
  accepted: AcceptedLine[];
  /** In body order. */
  rejected: RejectedLine[];
  refused: RefusedSession[];
  /** Deprecated rules that applied to an accepted session (Deprecation / Sunset headers). */
  deprecations: DeprecationNotice[];
}

/** What the sort needs besides the lines. */
export interface TriageOptions {
  schemaVersion: string;
  /** The rules in force, or undefined when there are none (everything live). */
  rules: RolloutRules | undefined;
  player: PlayerRelease | undefined;
  /** A line older than its session's newest line by more than this is refused. */
  maxEventAgeMs: number;
}

interface Decoded {
  line: CmcdLine;
  report: CmcdReport;
  sessionId: string | undefined;
}

/** Sorts `lines` (see the module comment). */
export function triageLines(lines: readonly CmcdLine[], opts: TriageOptions): Triage {
  const rejected: RejectedLine[] = [];
  const decoded: Decoded[] = [];
  for (const line of lines) {
    const n = normalizeLine(line);
    if (!n.ok) rejected.push({ index: line.index, reason: n.reason, detail: n.detail, line });
    else decoded.push({ line, report: n.report, sessionId: sessionOf(n.report) });
  }
  const { refused, deprecations } = decideSessions(decoded, opts);
  const refusedIds = new Set(refused.map((r) => r.sessionId));
  const candidates: AcceptedLine[] = [];
  const newest = new Map<string, number>();
  for (const { line, report, sessionId } of decoded) {
    if (sessionId !== undefined && refusedIds.has(sessionId)) continue;
    const problem = checkReport(report, opts.schemaVersion);
    if (problem || sessionId === undefined) {
      rejected.push({
        index: line.index,
        reason: problem?.reason ?? 'missing_session',
        detail: problem?.detail ?? 'the report has no usable sid',
        line,
        ...trace(sessionId, report),
      });
      continue;
    }
    const ts = report.ts as number;
    if (ts > (newest.get(sessionId) ?? -1)) newest.set(sessionId, ts);
    const id = cmcdEventId(report);
    const sn = report.sn;
    candidates.push({
      index: line.index,
      sessionId,
      id,
      seq: typeof sn === 'number' ? sn : line.index,
      report,
    });
  }
  const accepted: AcceptedLine[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    const ts = c.report.ts as number;
    const latest = newest.get(c.sessionId) as number;
    const reject = (reason: RejectedLine['reason'], detail: string) => {
      const line = lines.find((l) => l.index === c.index) as CmcdLine;
      rejected.push({
        index: c.index,
        event_id: c.id,
        reason,
        detail,
        line,
        ...trace(c.sessionId, c.report),
      });
    };
    if (latest - ts > opts.maxEventAgeMs) {
      reject(
        'timestamp_out_of_range',
        `ts ${ts} is ${latest - ts} ms before the session's newest report in this body (ts ${latest}); allowed: ${opts.maxEventAgeMs} ms`,
      );
    } else if (seen.has(c.id)) {
      reject('duplicate_report', `the same report (sid, sn, e, ts) appears earlier in this body`);
    } else {
      seen.add(c.id);
      accepted.push(c);
    }
  }
  rejected.sort((a, b) => a.index - b.index);
  return { accepted, rejected, refused, deprecations };
}

/** The rollout verdict of every session of the body, in order of first appearance. */
function decideSessions(
  decoded: readonly Decoded[],
  opts: TriageOptions,
): { refused: RefusedSession[]; deprecations: DeprecationNotice[] } {
  const refused: RefusedSession[] = [];
  const deprecations: DeprecationNotice[] = [];
  if (!opts.rules) return { refused, deprecations };
  const sessions = new Map<string, { sdkVersion: string; indexes: number[] }>();
  for (const d of decoded) {
    if (d.sessionId === undefined) continue;
    const s = sessions.get(d.sessionId);
    if (s) s.indexes.push(d.line.index);
    else sessions.set(d.sessionId, { sdkVersion: versionOf(d.report), indexes: [d.line.index] });
  }
  const { player } = opts;
  for (const [sessionId, s] of sessions) {
    const verdict = decideRollout(
      opts.rules,
      {
        schemaVersion: opts.schemaVersion,
        sdkName: CMCD_SDK_NAME,
        sdkVersion: s.sdkVersion,
        sessionId,
        ...(player?.version ? { otherSdks: [{ name: player.name, version: player.version }] } : {}),
      },
      opts.schemaVersion,
    );
    if (!verdict.accept) refused.push({ sessionId, ...s, verdict });
    else
      for (const n of verdict.deprecations)
        if (!deprecations.some((d) => d.rule.subject === n.rule.subject)) deprecations.push(n);
  }
  return { refused, deprecations };
}

/** What a bad row can say about a decoded line's session and CMCD version. */
function trace(sessionId: string | undefined, report: CmcdReport) {
  return {
    ...(sessionId !== undefined ? { sessionId } : {}),
    sdkVersion: versionOf(report),
  };
}
