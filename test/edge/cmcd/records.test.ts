import { describe, expect, it } from 'vitest';
import { buildCmcdRecords, isCmcdRecord } from '../../../edge/cmcd/records.js';
import type { AcceptedLine } from '../../../edge/cmcd/triage.js';
import { edgeStamp, NOW } from '../../helpers/cloudfront-events.js';
import { parseEdgeStamp } from '../../../edge/ingest/enrich.js';

const line = (index: number, sessionId: string, ts: number, extra = {}): AcceptedLine => ({
  index,
  sessionId,
  id: `cmcd-${index}-xxxxxxxxxxxx`,
  seq: index,
  report: { e: 't', sid: sessionId, ts, v: 2, ...extra },
});

const ctx = {
  headers: { 'cloudfront-viewer-country': 'FR', 'cloudfront-is-mobile-viewer': 'true' },
  requestId: 'req-9',
  servingRegion: 'eu-west-3',
  streamRegion: 'eu-central-1',
  stamp: parseEdgeStamp(edgeStamp('CDG50-C1', 'eu-west-3', NOW), 'eu-west-3', NOW),
};

describe('buildCmcdRecords', () => {
  it('writes one record per session in order of first appearance, each with its own skew and last cid', () => {
    const records = buildCmcdRecords(
      [
        line(0, 'session-a', NOW - 5000, { cid: 'movie-1' }),
        line(1, 'session-b', NOW - 100),
        line(2, 'session-a', NOW - 3000, { cid: 'movie-2' }),
      ],
      'cmcd-1-0-0',
      { name: 'dash.js' },
      ctx,
    );
    expect(
      records.map((r) => [r.session_id, r.skew_ms, r.content_id, r.reports.map((e) => e.seq)]),
    ).toStrictEqual([
      ['session-a', 3000, 'movie-2', [0, 2]],
      ['session-b', 100, 'unknown', [1]],
    ]);
    expect(records[0]).toMatchObject({
      player_name: 'dash.js',
      geo: { country: 'FR' },
      edge: {
        pop: 'CDG50-C1',
        serving_region: 'eu-west-3',
        stream_region: 'eu-central-1',
        request_id: 'req-9',
        device: 'mobile',
      },
    });
    expect(records[0]).not.toHaveProperty('player_version');
    expect(records[0].geo).not.toBe(records[1].geo);
    expect(records.every(isCmcdRecord)).toBe(true);
  });
});
