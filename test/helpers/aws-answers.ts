/**
 * AWS answers to a PutRecords / PutRecordBatch call, as the services (or a proxy in front of them)
 * send them: a partial failure, the error responses the edge's retry rules tell apart, and broken
 * replies. For a scripted loopback server (scripted-server.ts) that both the SDK clients and the
 * edge's JSON client are pointed at.
 */
import type { ScriptedAnswer } from './scripted-server.js';

/** A JSON 1.1 answer. */
export const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): ScriptedAnswer => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.1', ...headers },
  body: JSON.stringify(body),
});

/** Named answers for one service's put call. */
export function awsAnswers(service: 'kinesis' | 'firehose'): [string, ScriptedAnswer][] {
  return [
    [
      'a partial failure (200 with failed entries)',
      json(
        200,
        service === 'kinesis'
          ? {
              FailedRecordCount: 1,
              Records: [
                { SequenceNumber: '4960', ShardId: 'shardId-000000000000' },
                {
                  ErrorCode: 'ProvisionedThroughputExceededException',
                  ErrorMessage: 'Rate exceeded for shard shardId-000000000001',
                },
                { SequenceNumber: '4961', ShardId: 'shardId-000000000000' },
              ],
              EncryptionType: 'KMS',
            }
          : {
              FailedPutCount: 1,
              Encrypted: false,
              RequestResponses: [
                { RecordId: 'r1' },
                { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' },
              ],
            },
        { 'x-amzn-requestid': 'req-200' },
      ),
    ],
    [
      'throughput exceeded (400)',
      json(
        400,
        {
          __type: 'ProvisionedThroughputExceededException',
          message: 'Rate exceeded for stream s under account 123456789012.',
        },
        { 'x-amzn-requestid': 'req-400' },
      ),
    ],
    [
      'a namespaced error type',
      json(400, {
        __type: 'com.amazonaws.kinesis.v20131202#LimitExceededException',
        message: 'limit',
      }),
    ],
    ['an internal failure (500)', json(500, { __type: 'InternalFailure', message: 'oops' })],
    [
      'access denied (Message in upper case)',
      json(400, { __type: 'AccessDeniedException', Message: 'User is not authorized' }),
    ],
    [
      'a missing stream',
      json(400, { __type: 'ResourceNotFoundException', message: 'Stream s not found.' }),
    ],
    [
      'an invalid security token',
      json(400, { __type: 'UnrecognizedClientException', message: 'The security token…' }),
    ],
    [
      'the type only in the x-amzn-errortype header',
      {
        status: 400,
        headers: { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/' },
        body: '{}',
      },
    ],
    ['an empty 503', { status: 503, body: '' }],
    [
      "a proxy's HTML 502",
      { status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad Gateway</html>' },
    ],
    [
      'a truncated JSON body (200)',
      { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: '{"Fail' },
    ],
    [
      'a connection dropped mid-body',
      {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: '{"FailedRecordCount":0,"Records":[]}',
        truncate: 10,
      },
    ],
    ['no answer within the request timeout', { hang: true }],
  ];
}
