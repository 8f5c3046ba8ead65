/**
 * The ingest core: one request in, one response out. Pure apart from the injected writer and
 * bad-rows sink, so the Lambda@Edge handler, the local emulator and the tests all run this code.
 *
 * Rule: nothing is acknowledged (204/200) that was not stored. The good record is written first;
 * if that fails the client gets 503 (429 when the stream throttled every attempt) and retries,
 * and the whole body goes to bad rows so it is not lost even if the client gives up. A refusal (4xx, or the rejected part of a 200) is answered
 * only once its bad rows are stored: when they cannot be, the client gets 503 too and sends the
 * batch again, rather than a final answer whose record is lost (valid events it may already have
 * written are stored once: event ids are idempotent in the store).
 *
 * CMCD event reports (`config.cmcdPath`) go to edge/cmcd/ingest-cmcd.ts, which shares the refusal,
 * bad-row, write and CORS steps below and follows the same rules.
 *
 * The rollout switch (rollout-gate.ts) decides once the envelope is valid: a refused request is
 * answered 410 once its one RolloutRefusal is stored (its events are neither validated nor kept);
 * an accepted one under a deprecated rule carries Deprecation/Sunset on whatever it is answered.
 */
import type { RefusalRecord } from '../../schemas/record.js';
import { jsonMayHoldLoneSurrogate } from '../../schemas/storable.js';
import { sharedProblem } from '../../schemas/storage-rules.js';
import { EDGE_HEADER } from '../config.js';
import { StreamThrottledError } from '../errors.js';
import { nearestStreams } from '../routing/nearest.js';
import { bodyBadRow, eventBadRow, traceFields, type BadRowContext } from './bad-rows.js';
import { checkBody, checkRoute, decodeUtf8 } from './request-gate.js';
import { buildRecord, parseEdgeStamp, usableRequestId, type EdgeStamp } from './enrich.js';
import { checkOrigin } from './origin.js';
import { depthRejection, parseJson } from './parse.js';
import { accepted, corsHeaders, failure, partial, preflight, withHeaders } from './respond.js';
import { rolloutRefusal, rolloutVerdict } from './rollout-gate.js';
import { deprecationHeaders } from '../rollout.js';
import type {
  BodyRejection,
  IngestDeps,
  IngestRequest,
  IngestResult,
  StreamRecord,
} from './types.js';
import type { StreamTarget } from '../config.js';
import { ingestCmcd } from '../cmcd/ingest-cmcd.js';
import { validateEnvelope, validateEvents, type BatchValidation } from './validate.js';

/**
 * Handles one ingest request. Never throws: bad input gets its documented status and reason,
 * a storage failure 503 stream_unavailable (429 throttled), and an unexpected bug 500 internal_error.
 *
 * @example
 * const res = await ingest(req, { config: DEFAULT_CONFIG, writer, badRows });
 * // res.status === 204 when every event was stored
 */
export async function ingest(req: IngestRequest, deps: IngestDeps): Promise<IngestResult> {
  const stamp = parseEdgeStamp(req.headers[EDGE_HEADER], req.servingRegion, req.now);
  const cors = corsHeaders(req.headers.origin, deps.config, stamp.origin);
  const requestId = usableRequestId(req.requestId);
  const ctx: BadRowContext = { receivedAt: stamp.t, requestId, pop: stamp.pop };
  const reject = async (r: BodyRejection): Promise<IngestResult> => {
    const kept = await keepBadRows(deps, [bodyBadRow(ctx, r.status, r.reason, r.detail, req.body)]);
    // A 5xx already tells the client to come back; only a final answer needs its record.
    return kept || r.status >= 500 ? failure(cors, r) : failure(cors, UNRECORDED);
  };
  try {
    const route = checkRoute(req, deps.config);
    if (route.kind === 'reject') return await reject(route.rejection);
    if (route.kind === 'preflight') return preflight(cors);
    if (req.path === deps.config.cmcdPath) {
      return await ingestCmcd(req, deps, {
        cors,
        stamp,
        requestId,
        ctx,
        reject,
        keepBadRows: (rows) => keepBadRows(deps, rows),
        putRecords: (records, to) => putRecords(req, deps, records, to),
        unrecorded: UNRECORDED,
      });
    }
    const bodyProblem =
      checkOrigin(req.headers.origin, deps.config, stamp.origin) ?? checkBody(req, deps.config);
    if (bodyProblem) return await reject(bodyProblem);
    const body = req.body as Uint8Array; // checkBody rejected null/empty bodies
    const text = decodeUtf8(body);
    if (text === undefined)
      return await reject({
        status: 400,
        reason: 'invalid_utf8',
        detail: 'the body is not valid UTF-8',
      });
    const parsed = parseJson(text);
    if (!parsed.ok) return await reject(depthRejection(body) ?? parsed.rejection);
    // Named fields only: the parsed value is untrusted and is never merged into our objects.
    const trace = traceFields(parsed.value);
    ctx.sessionId = trace.sessionId;
    ctx.schemaVersion = trace.schemaVersion;
    ctx.sdkName = trace.sdkName;
    ctx.sdkVersion = trace.sdkVersion;
    const envelope = validateEnvelope(parsed.value, deps.config);
    if (!envelope.ok) return await reject(depthRejection(body) ?? envelope.rejection);

    const { batch } = envelope;
    const verdict = rolloutVerdict(req.headers, deps.config, batch, deps.log);
    if (!verdict.accept) {
      const kept = await keepBadRows(deps, [rolloutRefusal(ctx, verdict, batch)]);
      if (!kept) return failure(cors, UNRECORDED);
      const { reason, detail, upgrade } = verdict;
      return failure(cors, { status: 410, reason, detail, ...(upgrade ? { upgrade } : {}) });
    }
    const notice = deprecationHeaders(verdict.deprecations, stamp.t);
    const events = validateEvents(
      batch,
      envelope.version,
      deps.config,
      jsonMayHoldLoneSurrogate(text),
    );
    const { rejected } = events;
    // Only a body with a rejection can be too deep (see parse.ts); check before serializing any of it.
    if (rejected.length > 0) {
      const tooDeep = depthRejection(body);
      if (tooDeep) return await reject(tooDeep);
    }
    const result = { ok: true as const, batch, ...events };
    if (result.accepted.length === 0) {
      const status = 400;
      const kept = await keepBadRows(
        deps,
        rejected.map((r) => eventBadRow(ctx, status, r)),
      );
      if (!kept) return failure(cors, UNRECORDED);
      const detail = `none of the ${batch.events.length} events is valid`;
      return withHeaders(
        failure(cors, { status, reason: 'no_valid_events', detail }, rejected),
        notice,
      );
    }
    const writeFailed = await writeRecord(req, requestId, deps, result, stamp);
    if (writeFailed) return await reject(writeFailed);
    if (rejected.length === 0) return withHeaders(accepted(cors), notice);
    const kept = await keepBadRows(
      deps,
      rejected.map((r) => eventBadRow(ctx, 200, r)),
    );
    if (!kept) return failure(cors, UNRECORDED);
    return withHeaders(partial(cors, result.accepted.length, rejected), notice);
  } catch (err) {
    // A bug, not bad input: answer 500 rather than let CloudFront turn a throw into a 502.
    deps.log?.error('ingest failed unexpectedly', {
      requestId: req.requestId,
      error: describeError(err),
    });
    return reject({
      status: 500,
      reason: 'internal_error',
      detail: 'internal error; retry later',
    }).catch(() =>
      failure(cors, {
        status: 500,
        reason: 'internal_error',
        detail: 'internal error; retry later',
      }),
    );
  }
}

/**
 * Writes the request's one record to the nearest stream (the writer falls back). Undefined when
 * stored, else the answer to give (the whole body then goes to bad rows with it).
 */
async function writeRecord(
  req: IngestRequest,
  requestId: string,
  deps: IngestDeps,
  result: Extract<BatchValidation, { ok: true }>,
  stamp: EdgeStamp,
): Promise<BodyRejection | undefined> {
  const route = nearestStreams(stamp.region, deps.config.streams);
  const record = buildRecord(result.batch, result.accepted, {
    headers: req.headers,
    requestId,
    servingRegion: req.servingRegion,
    streamRegion: route[0]?.region ?? req.servingRegion,
    stamp,
  });
  // The core reads the shared part of the record with these same rules; a value the edge made
  // that breaks one is a bug here, answered 500 before anything is acknowledged.
  const unstorable = sharedProblem(record as unknown as Record<string, unknown>);
  if (unstorable) {
    throw new Error(`record would be unreadable: ${unstorable.field} ${unstorable.problem}`);
  }
  return putRecords(req, deps, [record], route);
}

/**
 * Writes records (the writer falls back along `route`). Undefined when all were stored, else
 * (logged) the answer to give; the caller keeps the whole body as a bad row with it.
 */
async function putRecords(
  req: IngestRequest,
  deps: IngestDeps,
  records: StreamRecord[],
  route: StreamTarget[],
): Promise<BodyRejection | undefined> {
  try {
    await deps.writer.write(records, route);
    return undefined;
  } catch (err) {
    deps.log?.error('record write failed', { requestId: req.requestId, error: describeError(err) });
    return writeRejection(err);
  }
}

/**
 * The answer to a failed record write, for every ingest path: 429 throttled when the stream was
 * over its write rate on every attempt (it is up; the client should slow down), else 503
 * stream_unavailable. Both carry Retry-After, and the caller keeps the whole body as a bad row
 * with this status and reason, so nothing is lost if the client gives up.
 */
export function writeRejection(err: unknown): BodyRejection {
  if (err instanceof StreamThrottledError) {
    return {
      status: 429,
      reason: 'throttled',
      detail: 'the event stream is over its write rate; retry after the Retry-After delay',
    };
  }
  return {
    status: 503,
    reason: 'stream_unavailable',
    detail: 'the event stream is unavailable; retry later',
  };
}

/** The answer to a refusal whose bad rows could not be stored: come back later. */
const UNRECORDED: BodyRejection = {
  status: 503,
  reason: 'stream_unavailable',
  detail: 'the rejection could not be recorded; retry later',
};

/** Stores bad rows (or a rollout refusal); false (logged) when they could not be stored. */
async function keepBadRows(deps: IngestDeps, rows: RefusalRecord[]): Promise<boolean> {
  if (rows.length === 0) return true;
  try {
    await deps.badRows.write(rows);
    return true;
  } catch (err) {
    deps.log?.error('bad-row write failed', {
      rows: rows.length,
      reasons: [...new Set(rows.map((r) => r.reason))],
      error: describeError(err),
    });
    return false;
  }
}

function describeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  return { name: err.name, message: err.message };
}
