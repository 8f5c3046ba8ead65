/**
 * Writer behaviour kinesalite cannot produce on demand: partial failures, throttling, fallback,
 * the time budget, and Firehose (no local server). aws-sdk-client-mock stands in for the service
 * here only; the happy path against a real Kinesis API is in writers-kinesis.test.ts.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  KinesisClient,
  ProvisionedThroughputExceededException,
  PutRecordsCommand,
  ResourceNotFoundException,
  type PutRecordsCommandInput,
} from '@aws-sdk/client-kinesis';
import {
  FirehoseClient,
  PutRecordBatchCommand,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import type { StreamTarget } from '../../edge/config.js';
import {
  BadRowWriteError,
  RecordTooLargeError,
  StreamUnavailableError,
} from '../../edge/errors.js';
import { buildRecord, parseEdgeStamp } from '../../edge/ingest/enrich.js';
import { FirehoseBadRowSink } from '../../edge/writers/bad-row-sinks.js';
import { chunkBySize } from '../../edge/writers/chunk-by-size.js';
import { KinesisRecordWriter } from '../../edge/writers/kinesis-writer.js';
import { DEFAULT_RETRY, sendWithRetry } from '../../edge/writers/retry.js';
import type { BadRow, EnrichedRecord } from '../../schemas/record.js';
import { defaultHeaders, makeBatch, NOW } from '../helpers/cloudfront-events.js';

const EU: StreamTarget = { region: 'eu-central-1', streamName: 'events-eu' };
const US: StreamTarget = { region: 'us-east-1', streamName: 'events-us' };
const AP: StreamTarget = { region: 'ap-southeast-1', streamName: 'events-ap' };

/** Jitter fixed at half the ceiling, so waits are known: 25, 50, 100, ... ms. */
const HALF = { random: () => 0.5 };

const kinesis = mockClient(KinesisClient);
const firehose = mockClient(FirehoseClient);

function makeRecord(events = 3): EnrichedRecord {
  const batch = makeBatch({ sent_at: NOW, count: events });
  const accepted = batch.events.map((event, index) => ({ index, event }));
  return buildRecord(batch, accepted, {
    headers: defaultHeaders(),
    requestId: 'req-1',
    servingRegion: 'eu-central-1',
    streamRegion: 'eu-central-1',
    stamp: parseEdgeStamp(undefined, 'eu-central-1', NOW),
  });
}

const decode = (data: Uint8Array | undefined) =>
  JSON.parse(new TextDecoder().decode(data)) as EnrichedRecord;
const putInputs = () =>
  kinesis.commandCalls(PutRecordsCommand).map((c) => c.args[0].input as PutRecordsCommandInput);
const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });

/** Runs `write` to completion under fake timers; returns the error it threw, if any. */
async function settle(p: Promise<void>): Promise<unknown> {
  const caught = p.then(
    () => undefined,
    (err: unknown) => err,
  );
  await vi.runAllTimersAsync();
  return caught;
}

let writer: KinesisRecordWriter;

beforeEach(() => {
  kinesis.reset();
  firehose.reset();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: NOW });
  writer = new KinesisRecordWriter({ budgetMs: 3000, retry: HALF });
});

afterEach(() => {
  writer.destroy();
  vi.useRealTimers();
});

afterAll(() => {
  kinesis.restore();
  firehose.restore();
});

describe('KinesisRecordWriter', () => {
  it('sends one PutRecords: partition key = session id, data = the record as JSON', async () => {
    kinesis
      .on(PutRecordsCommand)
      .resolves({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1', ShardId: 's' }] });
    const record = makeRecord();
    expect(await settle(writer.write([record], [EU, US]))).toBeUndefined();
    const inputs = putInputs();
    expect(inputs).toHaveLength(1);
    expect(inputs[0].StreamName).toBe('events-eu');
    expect(inputs[0].Records?.map((r) => [r.PartitionKey, decode(r.Data)])).toStrictEqual([
      [record.session_id, record],
    ]);
  });

  it('resends only the failed entries of a partial failure, after a jittered backoff', async () => {
    const records = [makeRecord(), makeRecord(), makeRecord()];
    kinesis
      .on(PutRecordsCommand)
      .resolvesOnce({
        FailedRecordCount: 2,
        Records: [
          { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' },
          { SequenceNumber: '2', ShardId: 's' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
        ],
      })
      .resolves({
        FailedRecordCount: 0,
        Records: [{ SequenceNumber: '3' }, { SequenceNumber: '4' }],
      });
    const p = writer.write(records, [EU, US]);
    const done = p.then(() => 'done');
    await vi.advanceTimersByTimeAsync(24); // first backoff: 0.5 × 50 ms = 25 ms
    expect(putInputs()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await done).toBe('done');
    const inputs = putInputs();
    expect(inputs).toHaveLength(2);
    expect(inputs[1].StreamName).toBe('events-eu');
    expect(inputs[1].Records?.map((r) => decode(r.Data).session_id)).toStrictEqual([
      records[0].session_id,
      records[2].session_id,
    ]);
  });

  it('falls back to the next-nearest stream when the nearest keeps failing, and says so in the record', async () => {
    kinesis.on(PutRecordsCommand, { StreamName: 'events-eu' }).rejects(throttled());
    kinesis
      .on(PutRecordsCommand, { StreamName: 'events-us' })
      .resolves({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1' }] });
    const record = makeRecord();
    expect(await settle(writer.write([record], [EU, US, AP]))).toBeUndefined();
    const inputs = putInputs();
    expect(inputs.map((i) => i.StreamName)).toStrictEqual([
      'events-eu',
      'events-eu',
      'events-eu',
      'events-us',
    ]);
    const stored = decode(inputs[3].Records?.[0].Data);
    expect(stored).toStrictEqual({
      ...record,
      edge: { ...record.edge, stream_region: 'us-east-1' },
    });
    // One client per region, created on first use.
    expect(writer.clientCount).toBe(2);
  });

  it('skips a stream at once on an error retrying cannot fix (stream missing)', async () => {
    kinesis
      .on(PutRecordsCommand, { StreamName: 'events-eu' })
      .rejects(new ResourceNotFoundException({ message: 'no stream', $metadata: {} }));
    kinesis
      .on(PutRecordsCommand, { StreamName: 'events-us' })
      .resolves({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1' }] });
    const p = writer.write([makeRecord()], [EU, US]);
    await vi.advanceTimersByTimeAsync(0);
    await p; // no backoff was needed: resolved without advancing the clock
    expect(putInputs().map((i) => i.StreamName)).toStrictEqual(['events-eu', 'events-us']);
  });

  it('throws StreamUnavailableError when the budget is spent, never later than the budget', async () => {
    kinesis.on(PutRecordsCommand).rejects(throttled());
    const err = await settle(writer.write([makeRecord(), makeRecord()], [EU, US]));
    expect(err).toBeInstanceOf(StreamUnavailableError);
    const e = err as StreamUnavailableError;
    expect(e.name).toBe('StreamUnavailableError');
    expect(e.failedIndexes).toStrictEqual([0, 1]);
    expect(e.lastErrorCode).toBe('ProvisionedThroughputExceededException');
    expect(e.cause).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(e.attempts).toBe(putInputs().length);
    expect(e.attempts).toBeGreaterThan(6); // both streams were tried, more than once
    expect(Date.now() - NOW).toBeLessThanOrEqual(3000);
  });

  it('throws at once when every stream is unusable', async () => {
    kinesis
      .on(PutRecordsCommand)
      .rejects(new ResourceNotFoundException({ message: 'no stream', $metadata: {} }));
    const p = writer.write([makeRecord()], [EU, US]);
    const caught = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    expect(await caught).toBeInstanceOf(StreamUnavailableError);
    expect(putInputs()).toHaveLength(2);
  });

  it('aborts a call that hangs past the budget', async () => {
    kinesis.on(PutRecordsCommand).callsFake(() => new Promise(() => undefined));
    const err = await settle(writer.write([makeRecord()], [EU]));
    expect(err).toBeInstanceOf(StreamUnavailableError);
    expect(Date.now() - NOW).toBe(3000);
  });

  it('splits many records into PutRecords of at most 500 records', async () => {
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => ({
      FailedRecordCount: 0,
      Records: (input.Records ?? []).map((_, i) => ({ SequenceNumber: String(i) })),
    }));
    const one = makeRecord(1);
    const records = Array.from({ length: 1201 }, () => one);
    expect(await settle(writer.write(records, [EU]))).toBeUndefined();
    expect(putInputs().map((i) => i.Records?.length)).toStrictEqual([500, 500, 201]);
  });

  it('splits by the 5 MiB request limit', async () => {
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => ({
      FailedRecordCount: 0,
      Records: (input.Records ?? []).map(() => ({ SequenceNumber: '1' })),
    }));
    const big = makeRecord(1);
    big.content_id = 'x'.repeat(900 * 1024); // ~900 KiB per record: 5 fit in one request
    expect(
      await settle(
        writer.write(
          Array.from({ length: 12 }, () => big),
          [EU],
        ),
      ),
    ).toBeUndefined();
    const sizes = putInputs().map((i) =>
      (i.Records ?? []).reduce((n, r) => n + (r.Data?.byteLength ?? 0), 0),
    );
    expect(putInputs().map((i) => i.Records?.length)).toStrictEqual([5, 5, 2]);
    for (const s of sizes) expect(s).toBeLessThanOrEqual(5 * 1024 * 1024);
  });

  it('refuses a record over 1 MiB before sending anything', async () => {
    const huge = makeRecord(1);
    huge.content_id = 'x'.repeat(1024 * 1024);
    const err = await settle(writer.write([huge], [EU]));
    expect(err).toBeInstanceOf(RecordTooLargeError);
    expect(putInputs()).toHaveLength(0);
  });
});

describe('FirehoseBadRowSink', () => {
  const target = {
    kind: 'firehose' as const,
    region: 'us-east-1',
    deliveryStreamName: 'beacon-edge-bad-rows',
  };
  const row = (i: number): BadRow => ({
    received_at: NOW,
    request_id: `req-${i}`,
    status: 400,
    reason: 'invalid_json',
    detail: 'Unexpected end of JSON input',
    payload: `{"n":${i}`,
    payload_encoding: 'text',
  });
  const line = (r: BadRow) => new TextEncoder().encode(`${JSON.stringify(r)}\n`);
  let sink: FirehoseBadRowSink;
  beforeEach(() => {
    sink = new FirehoseBadRowSink(target, { budgetMs: 3000, retry: HALF });
  });
  afterEach(() => sink.destroy());

  it('sends newline-delimited JSON with PutRecordBatch', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'a' }, { RecordId: 'b' }] });
    await settle(sink.write([row(1), row(2)]));
    expect(firehose.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input)).toStrictEqual([
      {
        DeliveryStreamName: 'beacon-edge-bad-rows',
        Records: [{ Data: line(row(1)) }, { Data: line(row(2)) }],
      },
    ]);
  });

  it('checks FailedPutCount and resends only the failed entries', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 1,
        RequestResponses: [
          { RecordId: 'a' },
          { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'busy' },
          { RecordId: 'c' },
        ],
      })
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'b' }] });
    expect(await settle(sink.write([row(1), row(2), row(3)]))).toBeUndefined();
    expect(firehose.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input)).toStrictEqual([
      {
        DeliveryStreamName: 'beacon-edge-bad-rows',
        Records: [{ Data: line(row(1)) }, { Data: line(row(2)) }, { Data: line(row(3)) }],
      },
      { DeliveryStreamName: 'beacon-edge-bad-rows', Records: [{ Data: line(row(2)) }] },
    ]);
  });

  it('splits at 500 records per PutRecordBatch', async () => {
    firehose.on(PutRecordBatchCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedPutCount: 0,
      RequestResponses: input.Records.map(() => ({ RecordId: 'x' })),
    }));
    await settle(sink.write(Array.from({ length: 1001 }, (_, i) => row(i))));
    expect(
      firehose.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input.Records?.length),
    ).toStrictEqual([500, 500, 1]);
  });

  it('throws BadRowWriteError when the budget is spent', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .rejects(new ServiceUnavailableException({ message: 'down', $metadata: {} }));
    const err = await settle(sink.write([row(1), row(2)]));
    expect(err).toBeInstanceOf(BadRowWriteError);
    expect(err).toMatchObject({
      name: 'BadRowWriteError',
      failedCount: 2,
      lastErrorCode: 'ServiceUnavailableException',
    });
    expect(Date.now() - NOW).toBeLessThanOrEqual(3000);
  });
});

describe('retry helpers', () => {
  it('full jitter: waits below min(max, base × 2^(retry − 1)) before each retry', async () => {
    const times: number[] = [];
    const send = async (entries: number[]) => {
      times.push(Date.now());
      return { failed: entries };
    };
    const policy = { ...DEFAULT_RETRY, attemptsPerTarget: 100, budgetMs: 3000 };
    const done = sendWithRetry(
      1,
      ['only'],
      send,
      { ...policy, random: () => 0.999999 },
      () => false,
    );
    await vi.runAllTimersAsync();
    expect(await done).toStrictEqual({ failed: [0], attempts: 7 });
    // Ceilings 50, 100, 200, 400, 800, then capped at 1000; the next wait would pass the budget.
    expect(times.slice(1).map((t, i) => t - times[i])).toStrictEqual([49, 99, 199, 399, 799, 999]);
  });

  it('full jitter: a draw of 0 retries at once', async () => {
    const times: number[] = [];
    const send = async (entries: number[]) => {
      times.push(Date.now());
      return { failed: times.length < 6 ? entries : [] };
    };
    const policy = { ...DEFAULT_RETRY, attemptsPerTarget: 100, budgetMs: 3000, random: () => 0 };
    const done = sendWithRetry(1, ['only'], send, policy, () => false);
    await vi.runAllTimersAsync();
    expect(await done).toStrictEqual({ failed: [], attempts: 6 });
    expect(times).toStrictEqual(Array.from({ length: 6 }, () => NOW));
  });

  it('chunks by count and by bytes, never leaving an entry out', () => {
    expect(chunkBySize([1, 1, 1, 1, 1], 2, 100)).toStrictEqual([[0, 1], [2, 3], [4]]);
    expect(chunkBySize([60, 50, 40, 70], 10, 100)).toStrictEqual([[0], [1, 2], [3]]);
    expect(chunkBySize([150], 10, 100)).toStrictEqual([[0]]);
    expect(chunkBySize([], 10, 100)).toStrictEqual([]);
  });
});
