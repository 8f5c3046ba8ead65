/**
 * The edge's JSON client against the real SDK clients, on the same wire: both send the same
 * input to a recording loopback server (helpers/scripted-server.ts), which must see the same
 * method, path, X-Amz-Target, content type and JSON body; then both get the same recorded AWS
 * answers (throttling, internal failure, partial failure, access denied, missing stream, a proxy's
 * HTML 502, a truncated body, no answer) and must surface the same outputs and error names.
 */
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsJsonClient, FIREHOSE, KINESIS } from '../../../edge/writers/aws-json-client.js';
import { nodeTransport } from '../../../edge/writers/http-transport.js';
import { putRecordBatch, putRecords } from '../../../edge/writers/operations.js';
import { signRequest } from '../../../edge/writers/sigv4.js';
import { awsAnswers, json } from '../../helpers/aws-answers.js';
import {
  startScriptedServer,
  type ScriptedAnswer,
  type ScriptedServer,
  type SeenRequest,
} from '../../helpers/scripted-server.js';

const REGION = 'eu-central-1';
const CREDENTIALS = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE==',
};
const TIMEOUT_MS = 400;
const text = new TextEncoder();

const KINESIS_INPUT = {
  StreamName: 'beacon-edge-events-eu-central-1',
  Records: [
    { PartitionKey: 'session-1', Data: text.encode('{"a":1}') },
    { PartitionKey: 'セッション🎬', Data: text.encode('{"é":"日本"}') },
    { PartitionKey: 'empty', Data: new Uint8Array(0) },
  ],
};
const FIREHOSE_INPUT = {
  DeliveryStreamName: 'beacon-edge-bad-rows',
  Records: [{ Data: text.encode('{"reason":"invalid_json"}\n') }, { Data: new Uint8Array([0]) }],
};

/** One service: the SDK's call and ours, on a server's URL. */
const SERVICES = [
  {
    name: 'Kinesis PutRecords',
    target: 'Kinesis_20131202.PutRecords',
    sdk: async (endpoint: string, signal?: AbortSignal) => {
      const client = new KinesisClient(sdkConfig(endpoint));
      try {
        return await client.send(new PutRecordsCommand(KINESIS_INPUT), { abortSignal: signal });
      } finally {
        client.destroy();
      }
    },
    ours: async (endpoint: string, signal?: AbortSignal) => {
      const client = ourClient(KINESIS, endpoint);
      try {
        return await putRecords(client, KINESIS_INPUT, signal);
      } finally {
        client.destroy();
      }
    },
  },
  {
    name: 'Firehose PutRecordBatch',
    target: 'Firehose_20150804.PutRecordBatch',
    sdk: async (endpoint: string, signal?: AbortSignal) => {
      const client = new FirehoseClient(sdkConfig(endpoint));
      try {
        return await client.send(new PutRecordBatchCommand(FIREHOSE_INPUT), {
          abortSignal: signal,
        });
      } finally {
        client.destroy();
      }
    },
    ours: async (endpoint: string, signal?: AbortSignal) => {
      const client = ourClient(FIREHOSE, endpoint);
      try {
        return await putRecordBatch(client, FIREHOSE_INPUT, signal);
      } finally {
        client.destroy();
      }
    },
  },
];

function sdkConfig(endpoint: string) {
  return {
    region: REGION,
    endpoint,
    maxAttempts: 1,
    credentials: CREDENTIALS,
    requestHandler: new NodeHttpHandler({
      requestTimeout: TIMEOUT_MS,
      throwOnRequestTimeout: true,
    }),
  };
}

function ourClient(service: typeof KINESIS, endpoint: string) {
  return new AwsJsonClient({
    service,
    region: REGION,
    endpoint,
    credentials: () => CREDENTIALS,
    transport: nodeTransport({ requestTimeoutMs: TIMEOUT_MS, connectTimeoutMs: TIMEOUT_MS }),
  });
}

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Runs the SDK's call, then ours, against a server answering every request with `answer`. */
async function both(
  service: (typeof SERVICES)[number],
  answer: ScriptedAnswer,
): Promise<{ sdk: unknown; ours: unknown; requests: SeenRequest[] }> {
  server = await startScriptedServer(() => answer);
  const settle = (p: Promise<unknown>) =>
    p.then(
      (out) => ({ out }),
      (err: unknown) => ({ err }),
    );
  const sdk = await settle(service.sdk(server.url));
  const ours = await settle(service.ours(server.url));
  return { sdk, ours, requests: server.requests };
}

/** What a caller can observe of an outcome; the SDK's own additions (`$metadata.attempts`) left out. */
function view(outcome: unknown): unknown {
  const o = outcome as { out?: Record<string, unknown>; err?: Record<string, unknown> };
  if (o.out) {
    const { $metadata, ...rest } = o.out;
    return { out: rest };
  }
  const e = o.err as Record<string, unknown> & { $metadata?: { httpStatusCode?: number } };
  return {
    name: e.name,
    code: e.code,
    $fault: e.$fault,
    httpStatusCode: e.$metadata?.httpStatusCode,
    // Service errors carry the service's message; deserialization errors differ in wording only.
    ...(e.$fault ? { message: e.message } : {}),
  };
}

/** What `p` rejects with; fails the test when it resolves. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe.each(SERVICES)('$name: the same wire as the SDK', (service) => {
  it('sends the same method, path, target, content type and JSON body', async () => {
    const { requests } = await both(service, json(200, {}));
    const [sdk, ours] = requests;
    expect(requests).toHaveLength(2);
    for (const r of [sdk, ours]) {
      expect(r.method).toBe('POST');
      expect(r.url).toBe('/');
      expect(r.headers['x-amz-target']).toBe(service.target);
      expect(r.headers['content-type']).toBe('application/x-amz-json-1.1');
      expect(r.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
    }
    expect(JSON.parse(ours.body.toString('utf8'))).toStrictEqual(
      JSON.parse(sdk.body.toString('utf8')),
    );
  });

  it('signs as the SDK does: its recorded request re-signed by ours gives its Authorization', async () => {
    const { requests } = await both(service, json(200, {}));
    for (const r of requests) {
      const amzDate = String(r.headers['x-amz-date']);
      const date = new Date(
        `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`,
      );
      const signedNames = /SignedHeaders=([^,]+),/.exec(String(r.headers.authorization))?.[1];
      const headers = Object.fromEntries(
        (signedNames ?? '').split(';').map((n) => [n, String(r.headers[n])]),
      );
      const resigned = signRequest(
        { method: r.method, host: String(r.headers.host), path: r.url, headers, body: r.body },
        {
          service: service.target.startsWith('Kinesis') ? 'kinesis' : 'firehose',
          region: REGION,
          credentials: CREDENTIALS,
          date,
        },
      );
      expect(resigned.authorization).toBe(r.headers.authorization);
    }
  });

  const CASES = awsAnswers(service.target.startsWith('Kinesis') ? 'kinesis' : 'firehose');

  it.each(CASES)('surfaces %s as the SDK does', async (_, answer) => {
    const { sdk, ours } = await both(service, answer);
    expect(view(ours)).toStrictEqual(view(sdk));
  });

  it('is aborted by its signal as the SDK is (AbortError)', async () => {
    server = await startScriptedServer(() => ({ hang: true }));
    const url = server.url;
    const abortSoon = () => {
      const c = new AbortController();
      setTimeout(() => c.abort(), 50);
      return c.signal;
    };
    const sdk = await rejection(service.sdk(url, abortSoon()));
    const ours = await rejection(service.ours(url, abortSoon()));
    expect(view({ err: ours })).toStrictEqual(view({ err: sdk }));
    expect(view({ err: ours })).toMatchObject({ name: 'AbortError' });
  });

  it('fails a refused connection as the SDK does', async () => {
    server = await startScriptedServer(() => ({ status: 200 }));
    const url = server.url;
    await server.close();
    server = undefined;
    const sdk = await rejection(service.sdk(url));
    const ours = await rejection(service.ours(url));
    expect(view({ err: ours })).toStrictEqual(view({ err: sdk }));
    expect(view({ err: ours })).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
