/**
 * The CMCD oracle can fail: stand-in handlers that lose a line, store one twice, list a line
 * without keeping it, or keep no row for a refused body are each caught; a handler that accounts
 * for every line once passes. Lines are counted independently of the edge.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../edge/config.js';
import { bodyBadRow } from '../../edge/ingest/bad-rows.js';
import type { IngestDeps, IngestRequest, IngestResult } from '../../edge/ingest/types.js';
import { checkCmcdRequest, countLines, type Handler } from '../../fuzz/cmcd-oracle.js';
import type { CmcdRecord } from '../../schemas/cmcd.js';
import type { EnrichedRecord } from '../../schemas/record.js';
import { makeIngestRequest } from '../helpers/cloudfront-events.js';

const LINES = [
  'e=ps,sid="s",sn=0,sta=s,ts=1',
  'e=ps,sid="s",sn=1,sta=p,ts=2',
  'e=t,sid="s",sn=2,ts=3',
];

const cmcd = (body: string, contentType = 'application/cmcd'): IngestRequest =>
  makeIngestRequest({ uri: '/v1/cmcd', body, headers: { 'content-type': contentType } });

/** A record of `n` reports of session `s`, as the edge would write it (only what the oracle reads). */
function record(n: number): EnrichedRecord {
  const r = {
    kind: 'cmcd',
    session_id: 's',
    reports: Array.from({ length: n }, (_, i) => ({ id: `id-${i}`, seq: i, report: { sid: 's' } })),
  } as unknown as CmcdRecord;
  return r as unknown as EnrichedRecord;
}

/** A stand-in handler storing `stored` reports, keeping bad rows for `kept` lines, answering `res`. */
function handler(stored: number, kept: number[], res: IngestResult): Handler {
  return async (req: IngestRequest, deps: IngestDeps) => {
    if (stored > 0) await deps.writer.write([record(stored)], deps.config.streams);
    const ctx = { receivedAt: req.now, requestId: req.requestId, pop: 'FRA56-C1' };
    const rows = kept.map((index) => ({
      ...bodyBadRow(ctx, res.status, 'invalid_event', 'x', new Uint8Array(0)),
      index,
    }));
    if (rows.length > 0) await deps.badRows.write(rows);
    return res;
  };
}

const json = (status: number, body: unknown): IngestResult => ({
  status,
  headers: {},
  body: JSON.stringify(body),
});

describe('countLines', () => {
  it('counts non-blank LF lines (CR dropped) by their position, and JSON array items', () => {
    expect(countLines(cmcd('a\r\n\r\nb\n \nc\n'))).toStrictEqual([0, 2, 4]);
    expect(countLines(cmcd('[{"sid":"s"},1,null]', 'application/json'))).toStrictEqual([0, 1, 2]);
    expect(countLines(cmcd('{"sid":"s"}', 'application/json'))).toBeUndefined();
    const bad = makeIngestRequest({ uri: '/v1/cmcd', body: new Uint8Array([0xff, 0x0a]) });
    expect(countLines(bad)).toBeUndefined();
  });
});

describe('checkCmcdRequest against stand-in handlers', () => {
  const req = cmcd(LINES.join('\n'));
  const check = (h: Handler) => checkCmcdRequest(req, DEFAULT_CONFIG, h);

  it('passes a handler that stores every line once', async () => {
    const c = await check(handler(3, [], { status: 204, headers: {} }));
    expect(c.violations).toStrictEqual([]);
    expect(c.lines).toBe(3);
  });

  it('catches a lost line and a line stored twice', async () => {
    const lost = await check(handler(2, [], { status: 204, headers: {} }));
    expect(lost.violations).toContain('3 lines but 2 stored + 0 bad rows + 0 refused');
    const twice = await check(handler(4, [], { status: 204, headers: {} }));
    expect(twice.violations).toContain('3 lines but 4 stored + 0 bad rows + 0 refused');
  });

  it('catches a 200 that lists a line it kept no row for, or says the wrong count', async () => {
    const rejected = [{ index: 1, reason: 'invalid_event', detail: 'x' }];
    const ok = await check(handler(2, [1], json(200, { accepted: 2, rejected })));
    expect(ok.violations).toStrictEqual([]);
    const noRow = await check(handler(2, [], json(200, { accepted: 2, rejected })));
    expect(noRow.violations).toContain('3 lines but 2 stored + 0 bad rows + 0 refused');
    const miscount = await check(handler(2, [1], json(200, { accepted: 3, rejected })));
    expect(miscount.violations).toContain('200 says accepted 3 but 2 were stored');
    const stray = await check(handler(2, [7], json(200, { accepted: 2, rejected })));
    expect(stray.violations).toContain('line index 7 is not a line of the body');
  });

  it('catches a whole-body refusal without its one bad row, and a throw', async () => {
    const refused = json(415, { error: 'unsupported_media_type', detail: 'x' });
    const none = await check(handler(0, [], refused));
    expect(none.violations).toStrictEqual(['415 unsupported_media_type kept nothing']);
    const threw = await check(async () => {
      throw new Error('boom');
    });
    expect(threw.violations).toStrictEqual(['ingest threw: Error: boom']);
  });
});
