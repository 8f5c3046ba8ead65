/**
 * The Firehose bad-row sink against a scripted Firehose behind the clients' HTTP seam
 * (helpers/fake-aws-json.ts; Firehose has no local server): newline-delimited JSON, partial
 * failures, request limits and the time budget. The Kinesis bad-row sink is tested against
 * kinesalite in kinesalite.integration.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BadRowWriteError } from '../../../edge/errors.js';
import { FirehoseBadRowSink } from '../../../edge/writers/bad-row-sinks.js';
import type { BadRow } from '../../../schemas/record.js';
import { NOW } from '../../helpers/cloudfront-events.js';
import {
  FAKE_CREDENTIALS,
  fakeAwsJson,
  FakeServiceError,
  type FakeAwsJson,
} from '../../helpers/fake-aws-json.js';
import { settle } from '../../helpers/fake-timers.js';

/** Jitter fixed at half the ceiling, so waits are known: 25, 50, 100, ... ms. */
const HALF = { random: () => 0.5 };

let firehose: FakeAwsJson;

beforeEach(() => {
  firehose = fakeAwsJson();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: NOW });
});

afterEach(() => {
  vi.useRealTimers();
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
    sink = new FirehoseBadRowSink(target, {
      budgetMs: 3000,
      retry: HALF,
      // The fake ignores signatures, but the client signs every call.
      localCredentials: FAKE_CREDENTIALS,
      transport: firehose.transport,
    });
  });
  afterEach(() => sink.destroy());

  it('sends newline-delimited JSON with PutRecordBatch', async () => {
    firehose.setHandler(() => ({
      FailedPutCount: 0,
      RequestResponses: [{ RecordId: 'a' }, { RecordId: 'b' }],
    }));
    await settle(sink.write([row(1), row(2)]));
    expect(firehose.inputs('PutRecordBatch')).toStrictEqual([
      {
        DeliveryStreamName: 'beacon-edge-bad-rows',
        Records: [{ Data: line(row(1)) }, { Data: line(row(2)) }],
      },
    ]);
  });

  it('checks FailedPutCount and resends only the failed entries', async () => {
    firehose.setHandler(() =>
      firehose.calls.length === 1
        ? {
            FailedPutCount: 1,
            RequestResponses: [
              { RecordId: 'a' },
              { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'busy' },
              { RecordId: 'c' },
            ],
          }
        : { FailedPutCount: 0, RequestResponses: [{ RecordId: 'b' }] },
    );
    expect(await settle(sink.write([row(1), row(2), row(3)]))).toBeUndefined();
    expect(firehose.inputs('PutRecordBatch')).toStrictEqual([
      {
        DeliveryStreamName: 'beacon-edge-bad-rows',
        Records: [{ Data: line(row(1)) }, { Data: line(row(2)) }, { Data: line(row(3)) }],
      },
      { DeliveryStreamName: 'beacon-edge-bad-rows', Records: [{ Data: line(row(2)) }] },
    ]);
  });

  it('splits at 500 records per PutRecordBatch', async () => {
    firehose.setHandler(({ input }) => ({
      FailedPutCount: 0,
      RequestResponses: (input.Records as unknown[]).map(() => ({ RecordId: 'x' })),
    }));
    await settle(sink.write(Array.from({ length: 1001 }, (_, i) => row(i))));
    expect(
      firehose.inputs('PutRecordBatch').map((input) => (input.Records as unknown[]).length),
    ).toStrictEqual([500, 500, 1]);
  });

  it('throws BadRowWriteError when the budget is spent', async () => {
    firehose.setHandler(() => {
      throw new FakeServiceError('ServiceUnavailableException', 'down', 503);
    });
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
