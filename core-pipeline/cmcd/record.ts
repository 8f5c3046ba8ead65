/**
 * Reading a CmcdRecord from the events stream as untrusted data. The edge wrote it after
 * validating every line, but a record that breaks the contract must cost a bad row, never the
 * shard: the envelope is checked with the rules the edge checks (schemas/storage-rules.ts), and
 * each line on its own, so one unreadable line costs that line only.
 */
import { CMCD_SDK_NAME, type CmcdEntry, type CmcdReport } from '../../schemas/cmcd.js';
import { RECORD_VERSION } from '../../schemas/record.js';
import { ENVELOPE_FIELDS, EVENT_FIELDS } from '../../schemas/storage-rules.js';
import {
  InvalidRecordEventError,
  UnreadableRecordError,
  UnsupportedRecordVersionError,
} from '../errors.js';
import { placeColumns, readRecordContext } from '../transform.js';
import * as read from '../values.js';
import type { CmcdRowContext } from './map.js';

/** The `kind` of a CmcdRecord on the events stream (beacon records have none). */
export const CMCD_RECORD_KIND = 'cmcd';

const ENV = read.readersOf(ENVELOPE_FIELDS, { repairText: true });
const E = read.readersOf(EVENT_FIELDS);

/** One readable CmcdRecord: its shared columns and its readable lines, ready for the mapper. */
export interface CmcdBatch {
  context: CmcdRowContext;
  entries: CmcdEntry[];
}

/** A readable record, and one error per line that could not be read (its index in `reports`). */
export interface CmcdRecordRows extends CmcdBatch {
  invalidEntries: InvalidRecordEventError[];
}

/**
 * Checks a parsed CmcdRecord.
 * @param ingestedAt ms since epoch, stamped on every row.
 * @throws UnsupportedRecordVersionError / UnreadableRecordError when the envelope breaks the
 *   contract (the whole record becomes one bad row).
 */
export function readCmcdRecord(value: unknown, ingestedAt: number): CmcdRecordRows {
  const r = read.object(value, '');
  if (r.record_version !== RECORD_VERSION)
    throw new UnsupportedRecordVersionError(r.record_version);
  if (r.kind !== CMCD_RECORD_KIND) throw new UnreadableRecordError('kind', 'must be "cmcd"');
  const ctx = readRecordContext(r);
  const sdkName = ENV.sdk_name(r.sdk_name, 'sdk_name');
  if (sdkName !== CMCD_SDK_NAME) throw new UnreadableRecordError('sdk_name', 'must be "cmcd"');
  const context: CmcdRowContext = {
    received_at: ctx.received_at,
    ingested_at: ingestedAt,
    skew_ms: ctx.skew_ms,
    record_version: RECORD_VERSION,
    schema_version: ENV.schema_version(r.schema_version, 'schema_version'),
    session_id: ENV.session_id(r.session_id, 'session_id'),
    viewer_id: null,
    content_id: ENV.content_id(r.content_id, 'content_id'),
    sdk_name: sdkName,
    sdk_version: ENV.sdk_version(r.sdk_version, 'sdk_version'),
    player_name: ENV.player_name(r.player_name, 'player_name'),
    player_version: ENV.player_version(r.player_version, 'player_version'),
    source: 'cmcd',
    drm_system: null,
    audio_language: null,
    subtitle_language: null,
    ...placeColumns(ctx),
  };
  if (!Array.isArray(r.reports)) throw new UnreadableRecordError('reports', 'must be an array');
  const entries: CmcdEntry[] = [];
  const invalidEntries: InvalidRecordEventError[] = [];
  r.reports.forEach((v: unknown, index: number) => {
    try {
      entries.push(readEntry(v, ctx.skew_ms));
    } catch (err) {
      if (!(err instanceof UnreadableRecordError)) throw err;
      invalidEntries.push(new InvalidRecordEventError(index, err.field, err.detail));
    }
  });
  return { context, entries, invalidEntries };
}

/** One line: an id and seq as an event's, a report whose values are CMCD values and whose ts is a time. */
function readEntry(v: unknown, skewMs: number): CmcdEntry {
  const o = read.object(v, '');
  const id = E.id(o.id, 'id');
  const seq = E.seq(o.seq, 'seq');
  const report = read.object(o.report, 'report');
  const ts = E.ts(report.ts, 'report.ts');
  // The row's time (ts + skew) must be a time as well.
  read.timeMs(ts + skewMs, 'report.ts');
  if (report.sn !== undefined && !(Number.isSafeInteger(report.sn) && (report.sn as number) >= 0)) {
    throw new UnreadableRecordError('report.sn', 'must be a non-negative integer');
  }
  for (const key of Object.keys(report)) {
    if (!isCmcdValue(report[key]))
      throw new UnreadableRecordError(`report.${key}`, 'is not a CMCD value');
  }
  return { id, seq, report: report as CmcdReport };
}

const isItem = (x: unknown): boolean =>
  typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));

/** An inner-list item: bare, or `{ value, params }` with bare parameter values. */
function isListItem(x: unknown): boolean {
  if (isItem(x)) return true;
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const o = x as Record<string, unknown>;
  const params = o.params;
  return (
    Object.keys(o).length === 2 &&
    isItem(o.value) &&
    typeof params === 'object' &&
    params !== null &&
    !Array.isArray(params) &&
    Object.values(params).every(isItem)
  );
}

/** A decoded CMCD value as the record carries it: a bare item or an inner list of items. */
function isCmcdValue(v: unknown): boolean {
  return isItem(v) || (Array.isArray(v) && v.every(isListItem));
}
