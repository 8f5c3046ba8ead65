/**
 * The CMCD promise, checked for one request: every report line of the body is accounted for
 * exactly once, as a report in a written CmcdRecord, a bad row, or a line counted in a rollout
 * refusal, and the response says which (fuzz/oracle.ts checks the JSON path the same way). A body
 * refused whole owes one bad row holding it. The lines are counted here independently of the
 * edge: an `application/cmcd` body is split on LF (a CR before it dropped) and blank lines skipped;
 * a JSON body is an array whose items are the lines.
 */
import type { EdgeConfig } from '../edge/config.js';
import { ingest } from '../edge/ingest/ingest.js';
import type { IngestDeps, IngestRequest, IngestResult } from '../edge/ingest/types.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../edge/writers/memory.js';
import type { CmcdRecord } from '../schemas/cmcd.js';
import type { BadRow, RolloutRefusal } from '../schemas/record.js';
import { isBodyReason, isEventReason } from './reasons.js';

/** What one CMCD request caused, and whether it kept the promise. */
export interface CmcdChecked {
  res?: IngestResult;
  records: CmcdRecord[];
  badRows: BadRow[];
  refusals: RolloutRefusal[];
  /** Lines of the body as counted here (undefined when it is not even text). */
  lines?: number;
  /** Broken invariants, in words; empty when the request kept the promise. */
  violations: string[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The body's report lines by index (position in the body), or undefined for no readable body. */
export function countLines(req: IngestRequest): number[] | undefined {
  if (!req.body) return undefined;
  let text: string;
  try {
    text = strictUtf8.decode(req.body);
  } catch {
    return undefined;
  }
  const media = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (media === 'application/json') {
    try {
      const value: unknown = JSON.parse(text);
      return Array.isArray(value) ? value.map((_, i) => i) : undefined;
    } catch {
      return undefined;
    }
  }
  const out: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() !== '') out.push(i);
  });
  return out;
}

/** The handler under test: the ingest core, or (in the oracle's own tests) a broken stand-in. */
export type Handler = (req: IngestRequest, deps: IngestDeps) => Promise<IngestResult>;

/** Sends one CMCD request through the ingest core with fresh in-memory storage and checks it. */
export async function checkCmcdRequest(
  req: IngestRequest,
  config: EdgeConfig,
  handler: Handler = ingest,
  opts: { throttling?: boolean } = {},
): Promise<CmcdChecked> {
  const writer = new MemoryRecordWriter();
  // A stream over its write rate: every request that would store anything is refused whole.
  writer.throttling = opts.throttling === true;
  const sink = new MemoryBadRowSink();
  const out: CmcdChecked = { records: [], badRows: [], refusals: [], violations: [] };
  try {
    out.res = await handler(req, { config, writer, badRows: sink });
  } catch (err) {
    out.violations.push(`ingest threw: ${String(err)}`);
  }
  out.records = writer.cmcdRecords;
  out.badRows = sink.rows;
  out.refusals = sink.refusals;
  const lines = countLines(req);
  out.lines = lines?.length;
  if (out.res) out.violations.push(...account(req, out, lines));
  return out;
}

/** The violations of one answered request. */
function account(req: IngestRequest, c: CmcdChecked, lines: number[] | undefined): string[] {
  const v: string[] = [];
  const res = c.res as IngestResult;
  const entries = c.records.flatMap((r) => r.reports ?? []);
  const body = parse(res.body) as { error?: unknown; accepted?: unknown; rejected?: unknown };
  const listed = Array.isArray(body?.rejected)
    ? (body.rejected as { index: number; reason: unknown }[])
    : [];
  if (res.status >= 500) v.push(`answered ${res.status} ${res.body ?? ''}`);
  for (const r of c.records)
    if (r.kind !== 'cmcd') v.push(`a ${String(r.kind)} record on the CMCD path`);
  for (const r of c.records)
    for (const e of r.reports ?? [])
      if (e.report.sid !== r.session_id)
        v.push(`record of session ${r.session_id} holds a report of ${String(e.report.sid)}`);
  const ids = entries.map((e) => e.id);
  if (new Set(ids).size !== ids.length) v.push('one request stored the same report id twice');
  for (const r of listed)
    if (!isEventReason(r.reason)) v.push(`undocumented line reason ${String(r.reason)}`);
  const lineRows = c.badRows.filter((b) => b.index !== undefined && b.index !== null);
  const bodyRows = c.badRows.filter((b) => b.index === undefined || b.index === null);
  const refusedLines = c.refusals.reduce((n, r) => n + r.events, 0);

  if (req.method.toUpperCase() === 'OPTIONS' || res.status === 404 || res.status === 405) {
    // Not a report at all: a preflight stores nothing; a wrong route keeps the body once.
    if (entries.length > 0 || c.refusals.length > 0) v.push(`${res.status} stored reports`);
    return v;
  }
  const lineLevel =
    res.status === 204 ||
    res.status === 200 ||
    res.status === 410 ||
    (res.status === 400 && body?.error === 'no_valid_events');
  if (!lineLevel) {
    // A whole-body refusal: nothing stored, the body kept once under the answered reason.
    if (!isBodyReason(body?.error)) v.push(`undocumented body reason ${String(body?.error)}`);
    if (entries.length > 0 || c.refusals.length > 0) v.push(`${res.status} stored reports`);
    if (bodyRows.length !== 1 || lineRows.length > 0 || bodyRows[0]?.reason !== body?.error)
      v.push(`${res.status} ${String(body?.error)} kept ${describeRows(c.badRows)}`);
    return v;
  }
  if (!lines) return [...v, `${res.status} for a body whose lines cannot be counted`];
  if (bodyRows.length > 0) v.push(`${res.status} kept whole-body rows ${describeRows(bodyRows)}`);
  const known = new Set(lines);
  for (const i of [...listed.map((r) => r.index), ...lineRows.map((b) => b.index as number)])
    if (!known.has(i)) v.push(`line index ${i} is not a line of the body`);
  const listedSet = new Set(listed.map((r) => r.index));
  if (listedSet.size !== listed.length) v.push('a line is listed twice');
  if (new Set(lineRows.map((b) => b.index)).size !== lineRows.length)
    v.push('a line has two bad rows');
  // Every line once: stored, kept as a bad row, or counted in a rollout refusal.
  const accounted = entries.length + lineRows.length + refusedLines;
  if (accounted !== lines.length)
    v.push(
      `${lines.length} lines but ${entries.length} stored + ${lineRows.length} bad rows + ${refusedLines} refused`,
    );
  const stores = res.status === 204 || res.status === 200;
  if (stores && entries.length === 0) v.push(`${res.status} with nothing stored`);
  if (!stores && entries.length > 0) v.push(`${res.status} but ${entries.length} reports stored`);
  if (res.status === 204 && (listed.length > 0 || c.badRows.length > 0 || c.refusals.length > 0))
    v.push('204 with refused lines');
  if (res.status === 200) {
    if (body?.accepted !== entries.length)
      v.push(`200 says accepted ${String(body?.accepted)} but ${entries.length} were stored`);
    if (listed.length + entries.length !== lines.length)
      v.push(`200 lists ${listed.length} of ${lines.length} lines and stored ${entries.length}`);
  }
  // Each kept line is one the answer lists (200, 400), so the player can tell which.
  if (res.status !== 410)
    for (const b of lineRows)
      if (!listedSet.has(b.index as number)) v.push(`bad row for line ${b.index} not listed`);
  return v;
}

function describeRows(rows: BadRow[]): string {
  return rows.map((b) => `${b.reason}@${b.index ?? '-'}`).join(',') || 'nothing';
}

function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
