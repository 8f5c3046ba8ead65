/**
 * The CMCD path through the ingest core (`ingest()` with in-memory storage): every documented
 * status and reason, what is stored, and what lands in bad rows and refusals. The real players'
 * captured bodies are accepted whole.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type EdgeConfig } from '../../../edge/config.js';
import { ingest } from '../../../edge/ingest/ingest.js';
import { ROLLOUT_HEADERS } from '../../../edge/rollout.js';
import type { IngestRequest, IngestResult } from '../../../edge/ingest/types.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import { LIMITS } from '../../../schemas/limits.js';
import { NOW } from '../../helpers/cloudfront-events.js';
import { capturedBodies, cmcdRequest, reportLine, SID } from '../../helpers/cmcd-requests.js';

let writer: MemoryRecordWriter;
let badRows: MemoryBadRowSink;

beforeEach(() => {
  writer = new MemoryRecordWriter();
  badRows = new MemoryBadRowSink();
});

function run(req: IngestRequest, config: EdgeConfig = DEFAULT_CONFIG): Promise<IngestResult> {
  return ingest(req, { config, writer, badRows });
}

function bodyOf(res: IngestResult): Record<string, unknown> {
  return JSON.parse(res.body ?? 'null') as Record<string, unknown>;
}

const OTHER_SID = 'b2c3d4e5-0000-4000-8000-000000000002';

describe('accepted reports', () => {
  it('answers 204 and writes one record per session, with the player from the query', async () => {
    const body = [
      reportLine({ sn: 0, sta: 's', cid: 'movie-1', ts: NOW - 3000 }),
      reportLine({ sn: 1, sta: 'p', ts: NOW - 2000 }),
      reportLine({ sid: OTHER_SID, sn: 0, e: 't', sta: undefined }),
    ].join('\n');
    const res = await run(cmcdRequest(body, { query: 'player=hls.js&player_version=1.7.4' }));
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect(badRows.rows).toStrictEqual([]);
    const records = writer.cmcdRecords;
    expect(records.map((r) => [r.session_id, r.reports.length, r.content_id])).toStrictEqual([
      [SID, 2, 'movie-1'],
      [OTHER_SID, 1, 'unknown'],
    ]);
    const [first] = records;
    expect(first).toMatchObject({
      record_version: 1,
      kind: 'cmcd',
      schema_version: 'cmcd-1-0-0',
      received_at: NOW,
      skew_ms: 2000,
      sdk_name: 'cmcd',
      sdk_version: '2',
      player_name: 'hls.js',
      player_version: '1.7.4',
      geo: { country: 'DE' },
      edge: { pop: 'FRA56-C1', request_id: 'req-0001', device: 'desktop' },
    });
    expect(first.reports.map((r) => [r.seq, r.report.sta])).toStrictEqual([
      [0, 's'],
      [1, 'p'],
    ]);
    for (const r of records.flatMap((x) => x.reports)) expect(r.id).toMatch(LIMITS.idPattern);
  });

  it.each([
    ['hlsjs-1.7.4.txt', 'hls.js', '1.7.4'],
    ['dashjs-5.2.1.txt', 'dash.js', '5.2.1'],
  ])('accepts every body %s captured from the real player', async (file, name, version) => {
    const bodies = capturedBodies(file);
    expect(bodies.length).toBeGreaterThan(20);
    for (const { n, query, body } of bodies) {
      const res = await run(cmcdRequest(body, { query }));
      expect([n, res.status, res.body]).toStrictEqual([n, 204, undefined]);
    }
    expect(badRows.rows).toStrictEqual([]);
    const lines = bodies.reduce((sum, b) => sum + b.body.trim().split('\n').length, 0);
    const reports = writer.cmcdRecords.flatMap((r) => r.reports);
    expect(reports).toHaveLength(lines);
    expect(new Set(reports.map((r) => r.id)).size).toBe(lines);
    expect(
      new Set(writer.cmcdRecords.map((r) => `${r.player_name}@${r.player_version}`)),
    ).toStrictEqual(new Set([`${name}@${version}`]));
  });

  it('keeps item parameters of inner lists (dash.js br=(24;v 16;a))', async () => {
    const line = 'br=(24;v 16;a),e=bc,sid="s-0001",sn=2,ts=1796028312782,v=2';
    expect((await run(cmcdRequest(line))).status).toBe(204);
    expect(writer.cmcdRecords[0].reports[0].report.br).toStrictEqual([
      { value: 24, params: { v: true } },
      { value: 16, params: { a: true } },
    ]);
  });

  it('refuses a line whose item parameter the schema does not allow, beside an accepted one', async () => {
    const body = [
      'br=(24;v 16;a),e=t,sid="s-0001",sn=3,ts=1796028312782,v=2',
      'br=(24;a;b;c;d;e;f;g;h;i),e=t,sid="s-0001",sn=4,ts=1796028312783,v=2',
    ].join('\n');
    const res = await run(cmcdRequest(body));
    expect(res.status).toBe(200);
    expect(writer.cmcdRecords.flatMap((r) => r.reports.map((e) => e.seq))).toStrictEqual([3]);
    expect(badRows.rows.map((r) => [r.index, r.reason])).toStrictEqual([[1, 'invalid_report']]);
  });

  it('takes text/plain like application/cmcd, with CRLF, blank lines and a trailing newline', async () => {
    const body = `\r\n${reportLine({ sn: 0 })}\r\n\r\n${reportLine({ sn: 1 })}\r\n`;
    expect((await run(cmcdRequest(body, { contentType: 'text/plain;charset=UTF-8' }))).status).toBe(
      204,
    );
    expect(writer.cmcdRecords[0].reports.map((r) => r.seq)).toStrictEqual([0, 1]);
  });

  it('takes the JSON array form of older player builds', async () => {
    const reports = [
      { e: 'ps', sid: SID, sn: 0, sta: 'p', ts: NOW - 500, v: 2, br: [2400] },
      { e: 'm', sid: SID, sn: 1, ts: NOW - 400, v: 2, 'com.example-x': 'y' },
    ];
    const res = await run(
      cmcdRequest(JSON.stringify(reports), { contentType: 'application/json' }),
    );
    expect(res.status).toBe(204);
    expect(writer.cmcdRecords[0].reports.map((r) => r.report)).toStrictEqual(reports);
  });

  it('gives a line without sn its index as seq, and a resent body the same ids', async () => {
    const body = `${reportLine({ sn: undefined, e: 't', sta: undefined })}\n${reportLine({ sn: undefined, e: 't', sta: undefined, pt: 5000 })}`;
    expect((await run(cmcdRequest(body))).status).toBe(204);
    expect((await run(cmcdRequest(body, { requestId: 'req-0002' }))).status).toBe(204);
    const [a, b] = writer.cmcdRecords;
    expect(a.reports.map((r) => r.seq)).toStrictEqual([0, 1]);
    expect(a.reports.map((r) => r.id)).toStrictEqual(b.reports.map((r) => r.id));
    expect(a.reports[0].id).not.toBe(a.reports[1].id);
  });
});

describe('refused lines', () => {
  it('answers 200 with the refused lines; each is one bad row with its line text', async () => {
    const lines = [
      reportLine({ sn: 0 }),
      'e=ps,,sid="x"',
      `${reportLine({ sn: 1 })},xyz="a"`,
      reportLine({ sn: 2, sid: undefined }),
      reportLine({ sn: 3, e: 'rr', sta: undefined }),
      reportLine({ sn: 0 }),
      `${reportLine({ sn: 4 })},com.example-pad="${'p'.repeat(8200)}"`,
    ];
    const res = await run(cmcdRequest(lines.join('\n')));
    expect(res.status).toBe(200);
    const body = bodyOf(res);
    expect(body.accepted).toBe(1);
    const rejected = body.rejected as { index: number; reason: string; detail: string }[];
    expect(rejected.map((r) => [r.index, r.reason])).toStrictEqual([
      [1, 'invalid_cmcd'],
      [2, 'invalid_report'],
      [3, 'missing_session'],
      [4, 'invalid_report'],
      [5, 'duplicate_report'],
      [6, 'line_too_long'],
    ]);
    expect(rejected[1].detail).toContain("'xyz' is not a CMCD key");
    expect(rejected[2].detail).toContain('enabledKeys');
    expect(rejected[3].detail).toContain('url');
    expect(
      badRows.rows.map((r) => [r.index, r.reason, r.status, r.payload_encoding]),
    ).toStrictEqual(rejected.map((r) => [r.index, r.reason, 200, 'text']));
    expect(badRows.rows.map((r) => r.payload)).toStrictEqual(lines.slice(1));
    expect(badRows.rows[1]).toMatchObject({
      session_id: SID,
      schema_version: 'cmcd-1-0-0',
      sdk_name: 'cmcd',
      sdk_version: '2',
    });
    expect(writer.cmcdRecords.flatMap((r) => r.reports)).toHaveLength(1);
  });

  it('answers 400 no_valid_events when no line is valid, one bad row per line', async () => {
    const res = await run(cmcdRequest(`e=ps,,x\n${reportLine().replace(',v=2', '')}`));
    expect(res.status).toBe(400);
    expect(bodyOf(res)).toMatchObject({
      error: 'no_valid_events',
      rejected: [{ index: 0 }, { index: 1 }],
    });
    expect(badRows.rows.map((r) => [r.status, r.reason, r.index])).toStrictEqual([
      [400, 'invalid_cmcd', 0],
      [400, 'invalid_report', 1],
    ]);
    expect(writer.stored).toStrictEqual([]);
  });

  it('refuses a line far older than its session’s newest', async () => {
    const old = reportLine({ sn: 0, ts: NOW - DEFAULT_CONFIG.maxEventAgeMs - 5000 });
    const res = await run(cmcdRequest(`${old}\n${reportLine({ sn: 1 })}`));
    expect(res.status).toBe(200);
    expect(bodyOf(res).rejected).toMatchObject([{ index: 0, reason: 'timestamp_out_of_range' }]);
  });

  it('keeps JSON-form items as JSON bad rows; a non-object item is refused alone', async () => {
    const items = [
      { e: 'ps', sid: SID, sn: 0, sta: 'p', ts: NOW, v: 2 },
      'e=ps',
      null,
      [1],
      { e: 'ps', sid: SID, ts: NOW, v: 2, sta: 'p', x: { y: 1 } },
    ];
    const res = await run(cmcdRequest(JSON.stringify(items), { contentType: 'application/json' }));
    expect(res.status).toBe(200);
    expect(
      badRows.rows.map((r) => [r.index, r.reason, r.payload_encoding, r.payload]),
    ).toStrictEqual([
      [1, 'invalid_report', 'json', '"e=ps"'],
      [2, 'invalid_report', 'json', 'null'],
      [3, 'invalid_report', 'json', '[1]'],
      [4, 'invalid_report', 'json', JSON.stringify(items[4])],
    ]);
  });
});

describe('refused bodies', () => {
  it.each([
    [
      'a wrong type',
      cmcdRequest(reportLine(), { contentType: 'application/xml' }),
      415,
      'unsupported_media_type',
    ],
    ['no body', cmcdRequest(null), 400, 'empty_body'],
    ['blank lines only', cmcdRequest('\n\r\n  \n'), 400, 'empty_body'],
    [
      'an empty JSON array',
      cmcdRequest('[]', { contentType: 'application/json' }),
      400,
      'empty_body',
    ],
    ['invalid UTF-8', cmcdRequest(new Uint8Array([0x65, 0x3d, 0xff])), 400, 'invalid_utf8'],
    ['malformed JSON', cmcdRequest('[{', { contentType: 'application/json' }), 400, 'invalid_json'],
    [
      'a JSON object',
      cmcdRequest('{"e":"ps"}', { contentType: 'application/json' }),
      400,
      'invalid_envelope',
    ],
    [
      'deep JSON',
      cmcdRequest(`${'['.repeat(20)}${']'.repeat(20)}`, { contentType: 'application/json' }),
      400,
      'too_deep',
    ],
    [
      'too many lines',
      cmcdRequest(Array.from({ length: 201 }, (_, sn) => reportLine({ sn })).join('\n')),
      413,
      'too_many_events',
    ],
    [
      'a body over the size limit',
      cmcdRequest(`${reportLine()}\n${'x'.repeat(70_000)}`),
      413,
      'body_too_large',
    ],
  ])(
    'answers %s with its status and one bad row of the body',
    async (_what, req, status, reason) => {
      const res = await run(req);
      expect([res.status, bodyOf(res).error]).toStrictEqual([status, reason]);
      expect(badRows.rows).toHaveLength(1);
      expect(badRows.rows[0]).toMatchObject({
        status,
        reason,
        schema_version: 'cmcd-1-0-0',
        sdk_name: 'cmcd',
      });
      expect(writer.stored).toStrictEqual([]);
    },
  );
});

describe('storage failures', () => {
  it('answers 503 when the records cannot be written, keeping the whole body as a bad row', async () => {
    writer.failing = true;
    const res = await run(cmcdRequest(reportLine()));
    expect([res.status, bodyOf(res).error, res.headers['retry-after']]).toStrictEqual([
      503,
      'stream_unavailable',
      '2',
    ]);
    expect(badRows.rows.map((r) => [r.status, r.payload])).toStrictEqual([[503, reportLine()]]);
  });

  it('answers 503 when refused lines cannot be stored, although the good ones were written', async () => {
    badRows.failing = true;
    const res = await run(cmcdRequest(`${reportLine()}\nnot=cmcd=`));
    expect([res.status, bodyOf(res).error]).toStrictEqual([503, 'stream_unavailable']);
    expect(writer.cmcdRecords).toHaveLength(1);
  });

  it('answers 503 when a 400 or a 410 cannot be recorded', async () => {
    badRows.failing = true;
    expect((await run(cmcdRequest('e=ps,,x'))).status).toBe(503);
    const retired = cmcdRequest(reportLine(), {
      headers: { [ROLLOUT_HEADERS.schema]: 'cmcd-1-0-0:retired' },
    });
    expect((await run(retired)).status).toBe(503);
  });
});

describe('rollout switch', () => {
  const rules = (schemas: string, sdks = '-') => ({
    [ROLLOUT_HEADERS.schema]: schemas,
    [ROLLOUT_HEADERS.sdk]: sdks,
  });

  it('answers 410 with one refusal per session when the CMCD schema is retired', async () => {
    const body = [
      reportLine({ sn: 0 }),
      reportLine({ sn: 1 }),
      reportLine({ sid: OTHER_SID }),
    ].join('\n');
    const res = await run(cmcdRequest(body, { headers: rules('cmcd-1-0-0:retired') }));
    expect(res.status).toBe(410);
    expect(bodyOf(res)).toStrictEqual({
      error: 'schema_retired',
      detail: 'schema_version cmcd-1-0-0 is retired',
    });
    expect(
      badRows.refusals.map((r) => [
        r.request_id,
        r.session_id,
        r.events,
        r.rule,
        r.sdk_name,
        r.sdk_version,
      ]),
    ).toStrictEqual([
      ['req-0001', SID, 2, 'cmcd-1-0-0:retired', 'cmcd', '2'],
      ['req-0001:1', OTHER_SID, 1, 'cmcd-1-0-0:retired', 'cmcd', '2'],
    ]);
    expect(badRows.rows).toStrictEqual([]);
    expect(writer.stored).toStrictEqual([]);
  });

  it('refuses by the CMCD version (cmcd@2) and by the player the URL names', async () => {
    let res = await run(cmcdRequest(reportLine(), { headers: rules('-', 'cmcd@2:retired') }));
    expect([res.status, bodyOf(res).error]).toStrictEqual([410, 'sdk_retired']);
    res = await run(
      cmcdRequest(reportLine(), {
        query: 'player=dash.js&player_version=5.2.1',
        headers: rules('-', 'dash.js@5.2.1:retired,upgrade=5.3.0'),
      }),
    );
    expect(bodyOf(res)).toStrictEqual({
      error: 'sdk_retired',
      detail: 'dash.js@5.2.1 is retired; upgrade to dash.js@5.3.0',
      upgrade: 'dash.js@5.3.0',
    });
    res = await run(
      cmcdRequest(reportLine(), {
        query: 'player=hls.js&player_version=1.7.4',
        headers: rules('-', 'dash.js@5.2.1:retired'),
      }),
    );
    expect(res.status).toBe(204);
  });

  it('samples per session: a mixed request is answered for the accepted session, the other counted in its refusal', async () => {
    const sids = Array.from({ length: 40 }, (_, i) => `session-${String(i).padStart(4, '0')}`);
    const body = sids.map((sid) => reportLine({ sid })).join('\n');
    const res = await run(cmcdRequest(body, { headers: rules('cmcd-1-0-0:live,sample=0.5') }));
    expect(res.status).toBe(200);
    const kept = writer.cmcdRecords.map((r) => r.session_id);
    const refused = badRows.refusals.map((r) => r.session_id);
    expect(kept.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect([...kept, ...refused].sort()).toStrictEqual(sids);
    const listed = bodyOf(res).rejected as { index: number; reason: string }[];
    expect(listed.every((r) => r.reason === 'session_not_sampled')).toBe(true);
    expect(listed).toHaveLength(refused.length);
    expect(badRows.rows).toStrictEqual([]);
    expect(new Set(badRows.refusals.map((r) => r.request_id)).size).toBe(refused.length);
  });

  it('still refuses lines without a session as bad rows when the sessions are refused, and answers 410', async () => {
    const res = await run(
      cmcdRequest(`${reportLine()}\ne=ps,,x`, { headers: rules('cmcd-1-0-0:retired') }),
    );
    expect(res.status).toBe(410);
    expect(badRows.refusals.map((r) => r.events)).toStrictEqual([1]);
    expect(badRows.rows.map((r) => [r.status, r.reason])).toStrictEqual([[410, 'invalid_cmcd']]);
  });

  it('answers a deprecated version with Deprecation and Sunset headers', async () => {
    const res = await run(
      cmcdRequest(reportLine(), {
        headers: rules('cmcd-1-0-0:deprecated,since=2026-11-01,sunset=2027-03-01'),
      }),
    );
    expect(res.status).toBe(204);
    expect(res.headers.deprecation).toBe(`@${Date.UTC(2026, 10, 1) / 1000}`);
    expect(res.headers.sunset).toBe(new Date(Date.UTC(2027, 2, 1)).toUTCString());
  });
});
