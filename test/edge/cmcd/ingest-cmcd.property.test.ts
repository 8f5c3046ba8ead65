/**
 * The product's promise on the CMCD path, as properties over generated bodies: valid report
 * lines, lines the schema or cml-cmcd refuses, lines without a session, duplicates, overlong
 * lines and garbage, in the line form (application/cmcd, text/plain) and the JSON array form,
 * under generated rollout rules and storage failures. Through the real ingest core with
 * in-memory storage: every line ends up in exactly one stored record entry, or exactly one bad
 * row, or counted in exactly one rollout refusal; never two of them, never none; an answer is
 * 204/200 only when its entries are stored, a refusal only once its rows are stored (else 503).
 * A failure prints fast-check's seed and path: replay with FC_SEED and FC_PATH.
 */
import { fc, test } from '@fast-check/vitest';
import { decodeCmcd } from '@svta/cml-cmcd';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { ingest } from '../../../edge/ingest/ingest.js';
import { ROLLOUT_HEADERS } from '../../../edge/rollout.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import { LIMITS } from '../../../schemas/limits.js';
import { NOW } from '../../helpers/cloudfront-events.js';
import { cmcdRequest, reportLine } from '../../helpers/cmcd-requests.js';

const REPLAY = process.env.FC_SEED
  ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH }
  : {};
const PARAMS = { numRuns: 200, ...REPLAY };

const SIDS = ['session-aaaa', 'session-bbbb', 'session-cccc'];

/** Every answer the property saw, so the last test can show the generators reach each one. */
const seen = new Set<string>();

/** A report as an object: the JSON form's item, and the fields of a line-form line. */
const report = fc.record(
  {
    e: fc.constantFrom('ps', 't', 'm', 'um', 'bc'),
    sid: fc.constantFrom(...SIDS),
    sn: fc.nat(6),
    ts: fc.integer({ min: NOW - 60_000, max: NOW }),
    sta: fc.constantFrom('s', 'p', 'r', 'a', 'k'),
    br: fc.array(fc.nat(20_000), { minLength: 1, maxLength: 2 }),
    pt: fc.nat(1_000_000),
    cid: fc.constantFrom('movie-1', 'movie-2'),
  },
  { requiredKeys: ['e', 'sid', 'sn', 'ts', 'sta', 'br'] },
);

/** One line of the line form: valid, refused for a reason, or garbage. */
const line = fc.oneof(
  { weight: 5, arbitrary: report.map((r) => reportLine(r)) },
  { weight: 1, arbitrary: report.map((r) => `${reportLine(r)},xyz=1`) },
  { weight: 1, arbitrary: report.map((r) => reportLine({ ...r, sid: undefined })) },
  { weight: 1, arbitrary: report.map((r) => reportLine(r).replace(',v=2', '')) },
  { weight: 1, arbitrary: report.map((r) => reportLine({ ...r, e: 'rr' })) },
  {
    weight: 1,
    arbitrary: report.map((r) => `${reportLine(r)},com.example-pad="${'p'.repeat(8200)}"`),
  },
  {
    weight: 2,
    arbitrary: fc.string({ maxLength: 40, unit: 'binary' }).map((s) => s.replace(/[\r\n]/g, ' ')),
  },
);

/** A JSON-form item: a report, a refused one, or not an object at all. */
const item = fc.oneof(
  { weight: 5, arbitrary: report.map((r) => ({ ...r, v: 2 }) as unknown) },
  { weight: 1, arbitrary: report.map((r) => ({ ...r, v: 2, sn: -1 }) as unknown) },
  { weight: 1, arbitrary: report.map((r) => ({ ...r, v: 2, sid: undefined }) as unknown) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** A body: its lines (a line may repeat an earlier one), how they are joined, and its form. */
const body = fc.oneof(
  // Short all-valid bodies: without them a run of the mixed arms below can miss a 204 altogether.
  fc.record({
    form: fc.constant('application/cmcd'),
    lines: fc.array(
      report.map((r) => reportLine(r)),
      { minLength: 1, maxLength: 3 },
    ),
    eol: fc.constant('\n'),
    trailing: fc.boolean(),
  }),
  // Short all-refused bodies (no session id on any line): without them a run can miss the
  // 400 no_valid_events answer, which needs every line refused and the bad rows stored.
  fc.record({
    form: fc.constant('application/cmcd'),
    lines: fc.array(
      report.map((r) => reportLine({ ...r, sid: undefined })),
      { minLength: 1, maxLength: 3 },
    ),
    eol: fc.constant('\n'),
    trailing: fc.boolean(),
  }),
  fc.record({
    form: fc.constantFrom('application/cmcd', 'text/plain'),
    lines: fc
      .array(line, { minLength: 1, maxLength: 12 })
      .chain((ls) =>
        fc
          .array(fc.nat(ls.length - 1), { maxLength: 2 })
          .map((dups) => [...ls, ...dups.map((i) => ls[i])]),
      ),
    eol: fc.constantFrom('\n', '\r\n', '\n\n'),
    trailing: fc.boolean(),
  }),
  fc.record({
    form: fc.constant('application/json'),
    lines: fc.array(item, { minLength: 1, maxLength: 12 }),
    eol: fc.constant(''),
    trailing: fc.constant(false),
  }),
);

/** The rules the request meets, and whether each store fails. */
const world = fc.record({
  schemas: fc.constantFrom(
    '-',
    'cmcd-1-0-0:retired',
    'cmcd-1-0-0:live,sample=0.5',
    'cmcd-1-0-0:deprecated',
  ),
  sdks: fc.constantFrom('-', 'cmcd@2:retired', 'hls.js@1.7.4:live,sample=0.3'),
  writerFails: fc.boolean(),
  badRowsFail: fc.boolean(),
});

type Body = { form: string; lines: unknown[]; eol: string; trailing: boolean };

function textOf(b: Body): string {
  if (b.form === 'application/json') return JSON.stringify(b.lines);
  return (b.lines as string[]).join(b.eol) + (b.trailing ? '\n' : '');
}

/** The session of each line as the library decodes it (undefined: none, or not decodable). */
function sidOf(b: Body, l: unknown): string | undefined {
  try {
    const r = (b.form === 'application/json' ? l : decodeCmcd(l as string)) as Record<
      string,
      unknown
    >;
    return typeof r?.sid === 'string' ? r.sid : undefined;
  } catch {
    return undefined;
  }
}

/** The lines the edge sees: non-blank ones of the line form, every item of the JSON form. */
function linesOf(b: Body): { index: number; value: unknown }[] {
  if (b.form === 'application/json') return b.lines.map((value, index) => ({ index, value }));
  return textOf(b)
    .split('\n')
    .map((raw, index) => ({ index, value: raw.endsWith('\r') ? raw.slice(0, -1) : raw }))
    .filter((l) => (l.value as string).trim() !== '');
}

describe('CMCD ingest promise', () => {
  test.prop([body, world], PARAMS)(
    'every line is stored once, or one bad row, or counted in one refusal; nothing acknowledged unstored',
    async (b, w) => {
      const writer = new MemoryRecordWriter();
      const badRows = new MemoryBadRowSink();
      writer.failing = w.writerFails;
      badRows.failing = w.badRowsFail;
      const req = cmcdRequest(textOf(b), {
        contentType: b.form,
        query: 'player=hls.js&player_version=1.7.4',
        headers: { [ROLLOUT_HEADERS.schema]: w.schemas, [ROLLOUT_HEADERS.sdk]: w.sdks },
      });
      const res = await ingest(req, { config: DEFAULT_CONFIG, writer, badRows });
      const answer = res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {};
      const entries = writer.cmcdRecords.flatMap((r) => r.reports);
      const lines = linesOf(b);

      seen.add(`${res.status} ${answer.error ?? ''}`.trim());
      expect(res.status).not.toBe(500);
      if (res.status === 503) {
        // Nothing final was said: the player sends the body again. What was stored is idempotent.
        expect(w.writerFails || w.badRowsFail).toBe(true);
        return;
      }
      if (w.badRowsFail) {
        // A final answer with nothing to record: every line accepted, or nothing refused at all.
        expect(res.status).toBe(204);
      }
      for (const e of entries) expect(e.id).toMatch(LIMITS.idPattern);
      expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);

      const lineLevel =
        res.status === 204 ||
        res.status === 200 ||
        res.status === 410 ||
        answer.error === 'no_valid_events';
      if (!lineLevel) {
        // A body-level refusal: one bad row of the whole body, nothing else.
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(badRows.rows).toHaveLength(1);
        expect(badRows.rows[0].index).toBeUndefined();
        expect(entries).toStrictEqual([]);
        expect(badRows.refusals).toStrictEqual([]);
        return;
      }
      // Each line in exactly one place.
      const bad = badRows.rows.map((r) => r.index as number);
      expect(new Set(bad).size).toBe(bad.length);
      const refusedSids = new Set(badRows.refusals.map((r) => r.session_id));
      expect(refusedSids.size).toBe(badRows.refusals.length);
      const refusedLines = lines.filter(
        (l) => !bad.includes(l.index) && refusedSids.has(sidOf(b, l.value) ?? ''),
      );
      for (const r of badRows.refusals)
        expect(r.events).toBe(
          refusedLines.filter((l) => sidOf(b, l.value) === r.session_id).length,
        );
      for (const i of bad) expect(lines.map((l) => l.index)).toContain(i);
      expect(entries.length + bad.length + refusedLines.length).toBe(lines.length);
      // The answer says what happened to each.
      if (res.status === 204) expect(bad.length + refusedLines.length).toBe(0);
      if (res.status === 200) {
        expect(answer.accepted).toBe(entries.length);
        const listed = (answer.rejected as { index: number }[]).map((r) => r.index);
        expect(listed).toStrictEqual(
          [...bad, ...refusedLines.map((l) => l.index)].sort((x, y) => x - y),
        );
      }
      if (res.status === 410) {
        expect(entries).toStrictEqual([]);
        expect(badRows.refusals.length).toBeGreaterThan(0);
      }
      if (answer.error === 'no_valid_events') {
        expect(entries).toStrictEqual([]);
        expect(bad).toHaveLength(lines.length);
      }
      if (entries.length > 0) expect([200, 204]).toContain(res.status);
      // A resend of an acknowledged body is the same events (the store keeps each once).
      if (res.status === 204 || res.status === 200) {
        const again = new MemoryRecordWriter();
        await ingest(
          { ...req, requestId: 'req-resend' },
          { config: DEFAULT_CONFIG, writer: again, badRows: new MemoryBadRowSink() },
        );
        expect(again.cmcdRecords.flatMap((r) => r.reports.map((e) => e.id)).sort()).toStrictEqual(
          entries.map((e) => e.id).sort(),
        );
      }
    },
  );

  it('reached every kind of answer (unless replaying one case)', () => {
    if (REPLAY.seed !== undefined) return;
    for (const answer of [
      '204',
      '200',
      '400 no_valid_events',
      '410 schema_retired',
      '410 sdk_retired',
      '503 stream_unavailable',
    ])
      expect([...seen]).toContain(answer);
  });
});
