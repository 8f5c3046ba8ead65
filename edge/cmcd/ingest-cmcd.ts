/**
 * The CMCD ingest path (`POST /v1/cmcd`): CMCD v2 event-mode reports from unmodified players,
 * under the JSON path's rules (edge/ingest/ingest.ts): nothing is acknowledged that was not
 * stored; a refusal is answered only once its bad rows (and rollout refusals) are stored, else
 * 503 and the player sends the batch again (cml-cmcd's reporter re-queues on 429 and 5xx).
 *
 * - 204: every line accepted and stored, one CmcdRecord per session (`sid`).
 * - 200 `{accepted, rejected}`: some lines stored; each listed line is one bad row (or, for a
 *   session the rollout refused beside an accepted one, counted in that session's refusal).
 * - 400 `no_valid_events`: no line accepted; every line is one bad row.
 * - 410: every session of the request refused by the rollout switch: one RolloutRefusal per
 *   session, and the reporter stops sending to this target for the session.
 * - Whole-body problems (415, 413, empty, invalid UTF-8, malformed JSON form): as the JSON path.
 */
import { CMCD_MIME_TYPE } from '@svta/cml-cmcd';
import { CMCD_SDK_NAME, CURRENT_CMCD_SCHEMA_VERSION, type CmcdRecord } from '../../schemas/cmcd.js';
import type { RefusalRecord } from '../../schemas/record.js';
import { sharedProblem } from '../../schemas/storage-rules.js';
import type { StreamTarget } from '../config.js';
import { deprecationHeaders } from '../rollout.js';
import { nearestStreams } from '../routing/nearest.js';
import type { BadRowContext } from '../ingest/bad-rows.js';
import type { EdgeStamp } from '../ingest/enrich.js';
import { checkOrigin } from '../ingest/origin.js';
import { checkBody, decodeUtf8, type BodyAccepts } from '../ingest/request-gate.js';
import { accepted, failure, partial, withHeaders } from '../ingest/respond.js';
import { rulesIn } from '../ingest/rollout-gate.js';
import type {
  BodyRejection,
  IngestDeps,
  IngestRequest,
  IngestResult,
  StreamRecord,
} from '../ingest/types.js';
import { lineBadRow, sessionRefusal } from './bad-rows.js';
import { formOf, splitCmcdBody } from './lines.js';
import { playerOf } from './player.js';
import { buildCmcdRecords } from './records.js';
import { triageLines } from './triage.js';

/** What the CMCD path shares with the JSON path's handler instead of copying it. */
export interface SharedIngest {
  cors: Record<string, string>;
  stamp: EdgeStamp;
  requestId: string;
  /** The bad-row context of the request (the CMCD path fills in its schema and SDK). */
  ctx: BadRowContext;
  /** Answers a whole-body refusal once its bad row is stored. */
  reject(r: BodyRejection): Promise<IngestResult>;
  /** Stores bad rows and refusals; false when they could not be stored. */
  keepBadRows(rows: RefusalRecord[]): Promise<boolean>;
  /**
   * Writes records to `route` (nearest first); undefined when they were, else the answer to give
   * (429 throttled or 503), with which the whole body goes to bad rows (`reject`).
   */
  putRecords(records: StreamRecord[], route: StreamTarget[]): Promise<BodyRejection | undefined>;
  /** The answer to a refusal whose rows could not be stored. */
  unrecorded: BodyRejection;
}

/** `application/cmcd`, the JSON array form, and text/plain (sendBeacon-style clients). */
const CMCD_BODY: BodyAccepts = {
  media: new Set([CMCD_MIME_TYPE, 'text/plain', 'application/json']),
  content: 'CMCD report lines',
};

/** Handles one POST to the CMCD path (the route and preflight are the caller's). */
export async function ingestCmcd(
  req: IngestRequest,
  deps: IngestDeps,
  s: SharedIngest,
): Promise<IngestResult> {
  const { config } = deps;
  const schemaVersion = CURRENT_CMCD_SCHEMA_VERSION;
  s.ctx.schemaVersion = schemaVersion;
  s.ctx.sdkName = CMCD_SDK_NAME;
  const problem =
    checkOrigin(req.headers.origin, config, s.stamp.origin) ?? checkBody(req, config, CMCD_BODY);
  if (problem) return s.reject(problem);
  const body = req.body as Uint8Array; // checkBody rejected null/empty bodies
  const text = decodeUtf8(body);
  if (text === undefined)
    return s.reject({ status: 400, reason: 'invalid_utf8', detail: 'the body is not valid UTF-8' });
  const split = splitCmcdBody(text, body, formOf(req.headers['content-type']), config.maxEvents);
  if (!split.ok) return s.reject(split.rejection);

  const player = playerOf(req.query);
  const sorted = triageLines(split.lines, {
    schemaVersion,
    rules: rulesIn(req.headers, config, deps.log),
    player,
    maxEventAgeMs: config.maxEventAgeMs,
  });
  const { rejected, refused } = sorted;
  const refusals = refused.map((r, n) => sessionRefusal(s.ctx, schemaVersion, r, n));
  const notice = deprecationHeaders(sorted.deprecations, s.stamp.t);

  if (sorted.accepted.length === 0) {
    // Every session refused: the reporter is told to stop (410), whatever lines had no session.
    const gone = refused.length > 0;
    const status = gone ? 410 : 400;
    const rows = [...refusals, ...rejected.map((r) => lineBadRow(s.ctx, status, r))];
    if (!(await s.keepBadRows(rows))) return failure(s.cors, s.unrecorded);
    if (gone) {
      const { reason, detail, upgrade } = refused[0].verdict;
      return failure(s.cors, { status, reason, detail, ...(upgrade ? { upgrade } : {}) });
    }
    const detail = `none of the ${split.lines.length} report lines is valid`;
    return withHeaders(
      failure(s.cors, { status, reason: 'no_valid_events', detail }, rejected),
      notice,
    );
  }

  const route = nearestStreams(s.stamp.region, config.streams);
  const records = buildCmcdRecords(sorted.accepted, schemaVersion, player, {
    headers: req.headers,
    requestId: s.requestId,
    servingRegion: req.servingRegion,
    streamRegion: route[0]?.region ?? req.servingRegion,
    stamp: s.stamp,
  });
  for (const record of records) assertStorable(record);
  const writeFailed = await s.putRecords(records, route);
  if (writeFailed) return s.reject(writeFailed);
  // A refused session beside accepted ones: its lines are listed with the rollout's reason (and
  // counted in its refusal, not kept as bad rows), so the player learns what was not stored.
  const listed = [
    ...rejected,
    ...refused.flatMap(({ indexes, verdict }) =>
      indexes.map((index) => ({ index, reason: verdict.reason, detail: verdict.detail })),
    ),
  ].sort((a, b) => a.index - b.index);
  if (listed.length === 0) return withHeaders(accepted(s.cors), notice);
  const rows = [...refusals, ...rejected.map((r) => lineBadRow(s.ctx, 200, r))];
  if (!(await s.keepBadRows(rows))) return failure(s.cors, s.unrecorded);
  return withHeaders(partial(s.cors, sorted.accepted.length, listed), notice);
}

/**
 * The core reads a record's shared part with the storage rules: a value the edge made that
 * breaks one is a bug here, answered 500 before anything is acknowledged.
 */
function assertStorable(record: CmcdRecord): void {
  const unstorable = sharedProblem(record as unknown as Record<string, unknown>);
  if (unstorable)
    throw new Error(`record would be unreadable: ${unstorable.field} ${unstorable.problem}`);
}
