/**
 * CMCD records in the `timestream-flink` wire format: the captured real-player bodies go through
 * the real ingest core, and each accepted report line must become exactly one record the Flink
 * job stores as written (test/helpers/flink-rules.ts), with the stateless mapping.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { ingest } from '../../../edge/ingest/ingest.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import { cmcdFlinkEvents, cmcdMeasureName } from '../../../edge/writers/timestream-flink-cmcd.js';
import { capturedBodies, cmcdRequest, reportLine, SID } from '../../helpers/cmcd-requests.js';
import { flinkViolations } from '../../helpers/flink-rules.js';
import { NOW } from '../../helpers/cloudfront-events.js';

async function recordsOf(bodies: { body: string; query?: string }[]) {
  const writer = new MemoryRecordWriter();
  for (const { body, query } of bodies) {
    const res = await ingest(cmcdRequest(body, { query }), {
      config: DEFAULT_CONFIG,
      writer,
      badRows: new MemoryBadRowSink(),
    });
    expect(res.status).toBe(204);
  }
  return writer.cmcdRecords;
}

describe('cmcdFlinkEvents', () => {
  it.each(['hlsjs-1.7.4.txt', 'dashjs-5.2.1.txt'])(
    'maps every line of %s to one record the job stores as written',
    async (file) => {
      const records = await recordsOf(capturedBodies(file));
      for (const record of records) {
        const flat = cmcdFlinkEvents(record);
        expect(flat).toHaveLength(record.reports.length);
        flat.forEach((f, i) => {
          const { id, report } = record.reports[i];
          expect(flinkViolations(f)).toStrictEqual([]);
          expect(f).toMatchObject({
            Time: (report.ts as number) + record.skew_ms,
            event_id: id,
            session_id: record.session_id,
            schema_version: 'cmcd-1-0-0',
            cmcd_e: report.e,
          });
        });
      }
    },
  );

  it('names the measure from e and sta, with the bitrate as the value of a bitrate change', async () => {
    const [record] = await recordsOf([
      {
        body: [
          reportLine({ sn: 0, sta: 'r' }),
          reportLine({ sn: 1, e: 'bc', br: [2400, 128], sta: undefined }),
          reportLine({ sn: 2, e: 'm', sta: undefined }),
        ].join('\n'),
        query: 'player=hls.js&player_version=1.7.4',
      },
    ]);
    const flat = cmcdFlinkEvents(record, 'us-east-1');
    expect(flat.map((f) => [f.MeasureName, f.MeasureValue, f.MeasureValueType])).toStrictEqual([
      ['cmcd_rebuffering', '1', 'BIGINT'],
      ['cmcd_bitrate_change', '2400', 'DOUBLE'],
      ['cmcd_mute', '1', 'BIGINT'],
    ]);
    expect(flat[1]).toMatchObject({
      cmcd_br: '2400,128',
      stream_region: 'us-east-1',
      player_name: 'hls.js',
      sdk_name: 'cmcd',
      Time: NOW - 1000 + record.skew_ms,
    });
  });

  it('takes the video item of a dash.js-style list as the bitrate; items keep their parameters in the dimension', async () => {
    const [record] = await recordsOf([
      {
        body: `br=(16;a 128;v),e=bc,sid="${SID}",sn=0,ts=${NOW - 1000},v=2`,
        query: 'player=dash.js&player_version=5.2.1',
      },
    ]);
    const [flat] = cmcdFlinkEvents(record, 'us-east-1');
    expect([flat.MeasureName, flat.MeasureValue]).toStrictEqual(['cmcd_bitrate_change', '128']);
    expect(flat.cmcd_br).toBe('16;a,128;v');
  });

  it('names every event type and play state', () => {
    expect(cmcdMeasureName('ps', 'f')).toBe('cmcd_fatal');
    expect(cmcdMeasureName('rr', undefined)).toBe('cmcd_response_received');
    expect(cmcdMeasureName('abe', 'p')).toBe('cmcd_ad_break_end');
  });
});
