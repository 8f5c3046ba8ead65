/**
 * CMCD records through the Lambda consumer's batch processing: every line is counted as a stored
 * event, groups are cut by the rows the lines become, and the rows land in the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processKinesisBatch } from '../../../core-pipeline/lambda/kinesis-handler.js';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import { cmcdLines, cmcdRecord, sta } from '../../helpers/cmcd-records.js';
import { kinesisStreamEvent, kinesisStreamRecord } from '../../helpers/lambda-kinesis-events.js';
import { jsonBytes } from '../../helpers/records.js';

let store: DuckDbStore;
beforeAll(async () => {
  store = await DuckDbStore.open(':memory:');
});
afterAll(() => store.close());

describe('processKinesisBatch with CMCD records', () => {
  it('counts one stored event per line and writes groups by the rows lines become', async () => {
    const recs = ['cmcd-lambda-a', 'cmcd-lambda-b', 'cmcd-lambda-c'].map((sid) =>
      cmcdRecord(
        cmcdLines(
          [
            [0, 'ps', 0, sta('s')],
            [1, 'ps', 500, sta('p')],
            [2, 't', 5_000],
          ],
          sid,
        ),
        { session_id: sid },
      ),
    );
    const out = await processKinesisBatch(
      kinesisStreamEvent(recs.map((r) => kinesisStreamRecord(jsonBytes(r)))).Records,
      { sink: store, maxRowsPerWrite: 4 },
    );
    expect(out).toMatchObject({ recordsIn: 3, eventsWritten: 9, badRowsWritten: 0, writes: 3 });
    expect(
      await store.query(
        "SELECT count(*) AS n FROM events WHERE source = 'cmcd' AND session_id LIKE 'cmcd-lambda-%'",
      ),
    ).toStrictEqual([{ n: 9 }]);
  });
});
