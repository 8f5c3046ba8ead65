/**
 * The CmcdRecords of a request: one per session (`sid`) with accepted lines, each enriched with
 * the same geo and edge context as the JSON path's record (edge/ingest/enrich.ts).
 */
import {
  CMCD_SDK_NAME,
  type CmcdEntry,
  type CmcdRecord,
  type CmcdSchemaVersion,
} from '../../schemas/cmcd.js';
import { RECORD_VERSION, type EnrichedRecord } from '../../schemas/record.js';
import { edgeContext, readGeo, type EnrichContext } from '../ingest/enrich.js';
import { versionOf } from './check.js';
import type { PlayerRelease } from './player.js';
import type { AcceptedLine } from './triage.js';

/**
 * One record per session, in the order sessions first appear in the body, entries in body
 * order. `skew_ms` is received_at − the newest `ts` of the record's reports (the reporter sends
 * a batch right after its newest event, as the SDK stamps `sent_at`); `content_id` is the last
 * `cid` of the session's lines (a `c` event changes it), `unknown` when none has one.
 */
export function buildCmcdRecords(
  accepted: readonly AcceptedLine[],
  schemaVersion: CmcdSchemaVersion,
  player: PlayerRelease | undefined,
  ctx: EnrichContext,
): CmcdRecord[] {
  const bySession = new Map<string, AcceptedLine[]>();
  for (const a of accepted) {
    const lines = bySession.get(a.sessionId);
    if (lines) lines.push(a);
    else bySession.set(a.sessionId, [a]);
  }
  const geo = readGeo(ctx.headers);
  const edge = edgeContext(ctx);
  const records: CmcdRecord[] = [];
  for (const [sessionId, lines] of bySession) {
    let newest = -Infinity;
    let contentId = 'unknown';
    const reports: CmcdEntry[] = [];
    for (const a of lines) {
      const ts = a.report.ts as number;
      if (ts > newest) newest = ts;
      if (typeof a.report.cid === 'string') contentId = a.report.cid;
      reports.push({ id: a.id, seq: a.seq, report: a.report });
    }
    const record: CmcdRecord = {
      record_version: RECORD_VERSION,
      kind: 'cmcd',
      schema_version: schemaVersion,
      received_at: ctx.stamp.t,
      skew_ms: ctx.stamp.t - newest,
      session_id: sessionId,
      content_id: contentId,
      sdk_name: CMCD_SDK_NAME,
      sdk_version: versionOf(lines[0].report),
      geo: { ...geo },
      edge: { ...edge },
      reports,
    };
    if (player) record.player_name = player.name;
    if (player?.version) record.player_version = player.version;
    records.push(record);
  }
  return records;
}

/** Whether a record on the events stream is a CMCD session's (beacon records have no `kind`). */
export function isCmcdRecord(record: EnrichedRecord | CmcdRecord): record is CmcdRecord {
  return (record as { kind?: unknown }).kind === 'cmcd';
}
