/**
 * The Firehose bad-row sink against aws-sdk-client-mock (Firehose has no local server):
 * newline-delimited JSON, partial failures, request limits and the time budget. The Kinesis
 * bad-row sink is tested against kinesalite in kinesalite.integration.test.ts.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  FirehoseClient,
  PutRecordBatchCommand,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import { BadRowWriteError } from '../../../edge/errors.js';
import { FirehoseBadRowSink } from '../../../edge/writers/bad-row-sinks.js';
import type { BadRow } from '../../../schemas/record.js';
import { NOW } from '../../helpers/cloudfront-events.js';
import { settle } from '../../helpers/fake-timers.js';

/** Jitter fixed at half the ceiling, so waits are known: 25, 50, 100, ... ms. */
const HALF = { random: () => 0.5 };

const firehose = mockClient(FirehoseClient);

beforeEach(() => {
  firehose.reset();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: NOW });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(() => {
  firehose.restore();
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
