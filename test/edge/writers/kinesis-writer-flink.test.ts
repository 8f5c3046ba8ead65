/**
 * The Kinesis writer in the `timestream-flink` wire format: one Kinesis record per event, and the
 * promise kept across the fan-out (a request's record is stored only when every one of its events
 * is; failed entries alone are resent; a spent budget fails the write). A scripted Kinesis behind
 * the clients' HTTP seam (helpers/fake-aws-json.ts) stands in for the service, as in
 * kinesis-writer.test.ts; the built bundle against kinesalite is in
 * test/edge/origin-request/bundle-flink-to-kinesalite.integration.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamTarget } from '../../../edge/config.js';
import { StreamUnavailableError } from '../../../edge/errors.js';
import { KinesisRecordWriter } from '../../../edge/writers/kinesis-writer.js';
import type { PutRecordsInput } from '../../../edge/writers/operations.js';
import { type FlinkEvent, toFlinkEvents } from '../../../edge/writers/timestream-flink.js';
import { cmcdFlinkEvents } from '../../../edge/writers/timestream-flink-cmcd.js';
import type { CmcdRecord } from '../../../schemas/cmcd.js';
import { NOW } from '../../helpers/cloudfront-events.js';
import {
  FAKE_CREDENTIALS,
  type FakeAwsJson,
  FakeServiceError,
  fakeAwsJson,
} from '../../helpers/fake-aws-json.js';
import { settle } from '../../helpers/fake-timers.js';
import { flinkViolations } from '../../helpers/flink-rules.js';
import { edgeBuiltRecord } from '../../helpers/enriched-record.js';

const EU: StreamTarget = { region: 'eu-central-1', streamName: 'events-eu' };
const US: StreamTarget = { region: 'us-east-1', streamName: 'events-us' };

const CREDENTIALS = FAKE_CREDENTIALS;

let kinesis: FakeAwsJson;

const makeRecord = edgeBuiltRecord;

const decode = (data: Uint8Array | undefined) =>
  JSON.parse(new TextDecoder().decode(data)) as FlinkEvent;
const putInputs = () => kinesis.inputs('PutRecords') as unknown as PutRecordsInput[];
/** The input of a PutRecords call as the fake service decoded it. */
const putInput = ({ input }: { input: Record<string, unknown> }) =>
  input as unknown as PutRecordsInput;
/** Every record of the call stored. */
const allOk = (call: { input: Record<string, unknown> }) => ({
  FailedRecordCount: 0,
  Records: putInput(call).Records.map((_, i) => ({ SequenceNumber: String(i), ShardId: 's' })),
});

let writer: KinesisRecordWriter;

beforeEach(() => {
  kinesis = fakeAwsJson();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: NOW });
  writer = new KinesisRecordWriter({
    budgetMs: 3000,
    retry: { random: () => 0.5 },
    wireFormat: 'timestream-flink',
    localCredentials: CREDENTIALS,
    transport: kinesis.transport,
  });
});

afterEach(() => {
  writer.destroy();
  vi.useRealTimers();
});

describe('KinesisRecordWriter, timestream-flink', () => {
  it('puts one Kinesis record per event, partition key = session id, in event order', async () => {
    kinesis.setHandler(allOk);
    const record = makeRecord(3);
    expect(await settle(writer.write([record], [EU, US]))).toBeUndefined();
    const inputs = putInputs();
    expect(inputs).toHaveLength(1);
    expect(inputs[0].StreamName).toBe('events-eu');
    const sent = inputs[0].Records ?? [];
    expect(sent.map((r) => r.PartitionKey)).toStrictEqual(Array(3).fill(record.session_id));
    expect(sent.map((r) => decode(r.Data))).toStrictEqual(
      JSON.parse(JSON.stringify(toFlinkEvents(record))),
    );
    for (const r of sent) expect(flinkViolations(decode(r.Data))).toStrictEqual([]);
  });

  it('puts one Kinesis record per CMCD report line, beside a beacon record in the same call', async () => {
    kinesis.setHandler(allOk);
    const beacon = makeRecord(1);
    const cmcd: CmcdRecord = {
      record_version: 1,
      kind: 'cmcd',
      schema_version: 'cmcd-1-0-0',
      received_at: NOW,
      skew_ms: 500,
      session_id: 'cmcd-session-1',
      content_id: 'unknown',
      sdk_name: 'cmcd',
      sdk_version: '2',
      geo: {},
      edge: { ...beacon.edge },
      reports: [0, 1].map((sn) => ({
        id: `cmcd-line-${sn}-aaaaaaaa`,
        seq: sn,
        report: { e: 'ps', sid: 'cmcd-session-1', sn, sta: 'p', ts: NOW - 1000, v: 2 },
      })),
    };
    expect(await settle(writer.write([beacon, cmcd], [EU]))).toBeUndefined();
    const sent = putInputs()[0].Records ?? [];
    expect(sent.map((r) => [r.PartitionKey, decode(r.Data).event_id])).toStrictEqual([
      [beacon.session_id, beacon.events[0].id],
      ['cmcd-session-1', 'cmcd-line-0-aaaaaaaa'],
      ['cmcd-session-1', 'cmcd-line-1-aaaaaaaa'],
    ]);
    expect(decode(sent[1].Data)).toStrictEqual(
      JSON.parse(JSON.stringify(cmcdFlinkEvents(cmcd)[0])),
    );
    for (const r of sent) expect(flinkViolations(decode(r.Data))).toStrictEqual([]);
  });

  it('resends only the failed events of a partial failure, and resolves when all are stored', async () => {
    const record = makeRecord(3);
    let n = 0;
    kinesis.setHandler((call) =>
      n++ === 0
        ? {
            FailedRecordCount: 1,
            Records: [
              { SequenceNumber: '1', ShardId: 's' },
              {
                ErrorCode: 'ProvisionedThroughputExceededException',
                ErrorMessage: 'Rate exceeded',
              },
              { SequenceNumber: '3', ShardId: 's' },
            ],
          }
        : allOk(call),
    );
    expect(await settle(writer.write([record], [EU]))).toBeUndefined();
    const inputs = putInputs();
    expect(inputs).toHaveLength(2);
    expect(inputs[1].Records?.map((r) => decode(r.Data).event_id)).toStrictEqual([
      record.events[1].id,
    ]);
  });

  it('fails the write (the request is not acknowledged) when one event of it cannot be stored', async () => {
    const records = [makeRecord(2), makeRecord(2)];
    // The last event of the second record is refused every time.
    kinesis.setHandler((call) => {
      const rows = putInput(call).Records.map((r) =>
        decode(r.Data).event_id === records[1].events[1].id
          ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' }
          : { SequenceNumber: '1', ShardId: 's' },
      );
      return { FailedRecordCount: rows.filter((r) => 'ErrorCode' in r).length, Records: rows };
    });
    const err = await settle(writer.write(records, [EU]));
    expect(err).toBeInstanceOf(StreamUnavailableError);
    expect((err as StreamUnavailableError).failedIndexes).toStrictEqual([1]);
    expect(Date.now() - NOW).toBeLessThanOrEqual(3000);
  });

  it('names the fallback stream in every event stored there', async () => {
    kinesis.setHandler((call) => {
      if (putInput(call).StreamName === 'events-eu') {
        throw new FakeServiceError('ProvisionedThroughputExceededException', 'Rate exceeded');
      }
      if (putInput(call).StreamName === 'events-us') return allOk(call);
      throw new FakeServiceError('ResourceNotFoundException', 'no such stream');
    });
    const record = makeRecord(2);
    expect(await settle(writer.write([record], [EU, US]))).toBeUndefined();
    const us = putInputs().filter((i) => i.StreamName === 'events-us');
    expect(us).toHaveLength(1);
    expect(us[0].Records?.map((r) => decode(r.Data).stream_region)).toStrictEqual([
      'us-east-1',
      'us-east-1',
    ]);
  });

  it('splits a request of 200 events × 3 records into PutRecords of at most 500', async () => {
    kinesis.setHandler(allOk);
    const records = [makeRecord(200), makeRecord(200), makeRecord(200)];
    expect(await settle(writer.write(records, [EU]))).toBeUndefined();
    expect(putInputs().map((i) => i.Records?.length)).toStrictEqual([500, 100]);
  });
});
