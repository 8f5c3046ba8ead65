/**
 * The edge's JSON client where no server is needed: it points at the regional endpoints the SDK
 * resolves for Kinesis and Firehose. Its behaviour on the wire, compared with the SDK clients', is
 * in aws-json-client.integration.test.ts.
 */
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import {
  AwsJsonClient,
  awsEndpoint,
  FIREHOSE,
  KINESIS,
} from '../../../edge/writers/aws-json-client.js';
import { putRecords } from '../../../edge/writers/operations.js';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const KINESIS_INPUT = {
  StreamName: 'beacon-edge-events',
  Records: [{ PartitionKey: 'k', Data: new Uint8Array([1]) }],
};
const FIREHOSE_INPUT = { DeliveryStreamName: 'bad-rows', Records: [{ Data: new Uint8Array([1]) }] };

describe('endpoints', () => {
  /** Where the SDK would send a call in `region` (its request captured before any I/O). */
  async function sdkEndpoint(
    Client: typeof KinesisClient | typeof FirehoseClient,
    region: string,
  ): Promise<string> {
    let url = '';
    const requestHandler = {
      handle: async (req: { protocol: string; hostname: string; path: string }) => {
        url = `${req.protocol}//${req.hostname}${req.path === '/' ? '' : req.path}`;
        throw new Error('captured');
      },
      destroy: () => undefined,
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    };
    const client = new Client({ region, maxAttempts: 1, credentials: CREDENTIALS, requestHandler });
    const command =
      Client === KinesisClient
        ? new PutRecordsCommand(KINESIS_INPUT)
        : new PutRecordBatchCommand(FIREHOSE_INPUT);
    // biome-ignore lint/suspicious/noExplicitAny: one call site for two client types
    await (client as any).send(command).catch(() => undefined);
    client.destroy();
    return url;
  }

  it.each(['us-east-1', 'eu-central-1', 'ap-southeast-1', 'sa-east-1', 'me-central-1'])(
    'are the SDK regional endpoints in %s',
    async (region) => {
      expect(awsEndpoint(KINESIS, region)).toBe(await sdkEndpoint(KinesisClient, region));
      expect(awsEndpoint(FIREHOSE, region)).toBe(await sdkEndpoint(FirehoseClient, region));
    },
  );

  it('are used when no local endpoint is configured', async () => {
    let url = '';
    const client = new AwsJsonClient({
      service: KINESIS,
      region: 'eu-central-1',
      credentials: () => CREDENTIALS,
      transport: {
        send: async (req) => {
          url = req.url.href;
          return { status: 200, headers: {}, body: Buffer.from('{}') };
        },
        destroy: () => undefined,
      },
    });
    await putRecords(client, KINESIS_INPUT);
    expect(url).toBe('https://kinesis.eu-central-1.amazonaws.com/');
  });
});
