/**
 * The Kinesis record writer where kinesalite cannot help: partial failures, throttling, fallback,
 * the time budget and request limits. A scripted Kinesis behind the clients' HTTP seam
 * (helpers/fake-aws-json.ts) stands in for the service here only, answering with the JSON the
 * real API sends; the happy path against a real Kinesis API is in kinesalite.integration.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamTarget } from '../../../edge/config.js';
import {
  RecordTooLargeError,
  StreamThrottledError,
  StreamUnavailableError,
} from '../../../edge/errors.js';
import { AwsServiceError } from '../../../edge/writers/aws-json-client.js';
import { KinesisRecordWriter } from '../../../edge/writers/kinesis-writer.js';
import type { PutRecordsInput } from '../../../edge/writers/operations.js';
import type { EnrichedRecord } from '../../../schemas/record.js';
import { NOW } from '../../helpers/cloudfront-events.js';
import {
  FAKE_CREDENTIALS,
  fakeAwsJson,
  FakeServiceError,
  type FakeAwsJson,
} from '../../helpers/fake-aws-json.js';
import { settle } from '../../helpers/fake-timers.js';
import { edgeBuiltRecord } from '../../helpers/enriched-record.js';

const EU: StreamTarget = { region: 'eu-central-1', streamName: 'events-eu' };
const US: StreamTarget = { region: 'us-east-1', streamName: 'events-us' };
const AP: StreamTarget = { region: 'ap-southeast-1', streamName: 'events-ap' };

/** Jitter fixed at half the ceiling, so waits are known: 25, 50, 100, ... ms. */
const HALF = { random: () => 0.5 };

const CREDENTIALS = FAKE_CREDENTIALS;

let kinesis: FakeAwsJson;

const makeRecord = edgeBuiltRecord;

const decode = (data: Uint8Array | undefined) =>
  JSON.parse(new TextDecoder().decode(data)) as EnrichedRecord;
const putInputs = () => kinesis.inputs('PutRecords') as unknown as PutRecordsInput[];
const throttled = () =>
  new FakeServiceError('ProvisionedThroughputExceededException', 'Rate exceeded');
const notFound = () => new FakeServiceError('ResourceNotFoundException', 'no stream');
/** Answers by stream name; every stream the test writes to is listed. */
const byStream =
  (answers: Record<string, () => unknown>) =>
  ({ input }: { input: Record<string, unknown> }) =>
    answers[String(input.StreamName)]();
/** Answers the first call with `first`, every later one with `rest`. */
const onceThen = (first: () => unknown, rest: () => unknown) => {
  let n = 0;
  return () => (n++ === 0 ? first() : rest());
};

let writer: KinesisRecordWriter;

beforeEach(() => {
  kinesis = fakeAwsJson();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: NOW });
  writer = new KinesisRecordWriter({
    budgetMs: 3000,
    retry: HALF,
    localCredentials: CREDENTIALS,
    transport: kinesis.transport,
  });
});

afterEach(() => {
  writer.destroy();
  vi.useRealTimers();
});

describe('KinesisRecordWriter', () => {
  it('sends one PutRecords: partition key = session id, data = the record as JSON', async () => {
    kinesis.setHandler(() => ({
      FailedRecordCount: 0,
      Records: [{ SequenceNumber: '1', ShardId: 's' }],
    }));
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
    kinesis.setHandler(
      onceThen(
        () => ({
          FailedRecordCount: 2,
          Records: [
            { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' },
            { SequenceNumber: '2', ShardId: 's' },
            { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
          ],
        }),
        () => ({
          FailedRecordCount: 0,
          Records: [{ SequenceNumber: '3' }, { SequenceNumber: '4' }],
        }),
      ),
    );
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
    kinesis.setHandler(
      byStream({
        'events-eu': () => {
          throw throttled();
        },
        'events-us': () => ({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1' }] }),
      }),
    );
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
    kinesis.setHandler(
      byStream({
        'events-eu': () => {
          throw notFound();
        },
        'events-us': () => ({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1' }] }),
      }),
    );
    const p = writer.write([makeRecord()], [EU, US]);
    await vi.advanceTimersByTimeAsync(0);
    await p; // no backoff was needed: resolved without advancing the clock
    expect(putInputs().map((i) => i.StreamName)).toStrictEqual(['events-eu', 'events-us']);
  });

  it('throws StreamThrottledError (a StreamUnavailableError) when the budget is spent throttled, never later than the budget', async () => {
    kinesis.setHandler(() => {
      throw throttled();
    });
    const err = await settle(writer.write([makeRecord(), makeRecord()], [EU, US]));
    expect(err).toBeInstanceOf(StreamUnavailableError);
    expect(err).toBeInstanceOf(StreamThrottledError);
    const e = err as StreamUnavailableError;
    expect(e.name).toBe('StreamThrottledError');
    expect(e.failedIndexes).toStrictEqual([0, 1]);
    expect(e.lastErrorCode).toBe('ProvisionedThroughputExceededException');
    // The service's error as the client surfaces it: named by its type, like the SDK's exception.
    expect(e.cause).toBeInstanceOf(AwsServiceError);
    expect(e.cause).toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      message: 'Rate exceeded',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    expect(e.attempts).toBe(putInputs().length);
    expect(e.attempts).toBeGreaterThan(6); // both streams were tried, more than once
    expect(Date.now() - NOW).toBeLessThanOrEqual(3000);
  });

  it('throws StreamThrottledError when every entry of every attempt was refused for throughput', async () => {
    kinesis.setHandler(({ input }: { input: Record<string, unknown> }) => ({
      FailedRecordCount: (input.Records as unknown[]).length,
      Records: (input.Records as unknown[]).map(() => ({
        ErrorCode: 'ProvisionedThroughputExceededException',
        ErrorMessage: 'Rate exceeded for shard',
      })),
    }));
    const err = await settle(writer.write([makeRecord()], [EU, US]));
    expect(err).toBeInstanceOf(StreamThrottledError);
    expect((err as StreamThrottledError).attempts).toBeGreaterThan(3);
  });

  it.each<[string, Record<string, () => unknown>]>([
    [
      'throttled on one stream, missing on the other',
      {
        'events-eu': () => {
          throw throttled();
        },
        'events-us': () => {
          throw notFound();
        },
      },
    ],
    [
      'throttled entries beside an internal failure',
      {
        'events-eu': () => ({
          FailedRecordCount: 2,
          Records: [
            { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' },
            { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
          ],
        }),
        'events-us': () => {
          throw throttled();
        },
      },
    ],
    [
      'a throttled call, then a server error',
      {
        'events-eu': onceThen(
          () => {
            throw throttled();
          },
          () => {
            throw new FakeServiceError('InternalFailure', 'oops', 500);
          },
        ),
        'events-us': () => {
          throw throttled();
        },
      },
    ],
  ])(
    'throws a plain StreamUnavailableError when not every failure was throttling: %s',
    async (_n, answers) => {
      kinesis.setHandler(byStream(answers));
      const err = await settle(writer.write([makeRecord(), makeRecord()], [EU, US]));
      expect(err).toBeInstanceOf(StreamUnavailableError);
      expect(err).not.toBeInstanceOf(StreamThrottledError);
      expect((err as Error).name).toBe('StreamUnavailableError');
    },
  );

  it('stays throttled when the last attempt is cut off at the end of the budget unanswered', async () => {
    // Throttled quickly, then a call that never answers: the deadline cuts it off.
    kinesis.setHandler(
      onceThen(
        () => {
          throw throttled();
        },
        () => new Promise(() => undefined),
      ),
    );
    const err = await settle(writer.write([makeRecord()], [EU]));
    expect(err).toBeInstanceOf(StreamThrottledError);
    expect((err as StreamThrottledError).lastErrorCode).toBe('TimeoutError');
    expect(putInputs()).toHaveLength(2);
  });

  it('is not throttled when the stream never answers at all', async () => {
    kinesis.setHandler(() => new Promise(() => undefined));
    const err = await settle(writer.write([makeRecord()], [EU]));
    expect(err).toBeInstanceOf(StreamUnavailableError);
    expect(err).not.toBeInstanceOf(StreamThrottledError);
  });

  it('throws at once when every stream is unusable', async () => {
    kinesis.setHandler(() => {
      throw notFound();
    });
    const p = writer.write([makeRecord()], [EU, US]);
    const caught = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    expect(await caught).toBeInstanceOf(StreamUnavailableError);
    expect(putInputs()).toHaveLength(2);
  });

  it('skips every stream at once when the container has no credentials, sending nothing', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    const bare = new KinesisRecordWriter({
      budgetMs: 3000,
      retry: HALF,
      transport: kinesis.transport,
    });
    try {
      const caught = bare.write([makeRecord()], [EU, US]).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(0);
      expect(await caught).toMatchObject({
        name: 'StreamUnavailableError',
        attempts: 2,
        lastErrorCode: 'CredentialsProviderError',
      });
      expect(putInputs()).toHaveLength(0);
    } finally {
      bare.destroy();
      vi.unstubAllEnvs();
    }
  });

  it('aborts a call that hangs past the budget', async () => {
    kinesis.setHandler(() => new Promise(() => undefined));
    const err = await settle(writer.write([makeRecord()], [EU]));
    expect(err).toBeInstanceOf(StreamUnavailableError);
    expect(Date.now() - NOW).toBe(3000);
  });

  it('splits many records into PutRecords of at most 500 records', async () => {
    kinesis.setHandler(({ input }) => ({
      FailedRecordCount: 0,
      Records: (input.Records as unknown[]).map((_, i) => ({ SequenceNumber: String(i) })),
    }));
    const one = makeRecord(1);
    const records = Array.from({ length: 1201 }, () => one);
    expect(await settle(writer.write(records, [EU]))).toBeUndefined();
    expect(putInputs().map((i) => i.Records?.length)).toStrictEqual([500, 500, 201]);
  });

  it('splits by the 5 MiB request limit', async () => {
    kinesis.setHandler(({ input }) => ({
      FailedRecordCount: 0,
      Records: (input.Records as unknown[]).map(() => ({ SequenceNumber: '1' })),
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
