/**
 * The edge's SigV4 signer against the AWS SDK's own (`SignatureV4` from @smithy/signature-v4,
 * the signer every SDK v3 client uses), for fixed and generated requests: same credentials, time,
 * region, service and request in, the same headers (Authorization included) out.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  signRequest,
  type AwsCredentials,
  type SignableRequest,
} from '../../../edge/writers/sigv4.js';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData) =>
  typeof d === 'string'
    ? Buffer.from(d, 'utf8')
    : ArrayBuffer.isView(d)
      ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
      : Buffer.from(d);

/** SHA-256 / HMAC-SHA256 for the SDK signer, on node:crypto (what @smithy/hash-node does). */
class NodeSha256 {
  private h: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.h = this.fresh();
  }
  private fresh() {
    return this.secret === undefined
      ? createHash('sha256')
      : createHmac('sha256', bytes(this.secret));
  }
  update(data: SourceData) {
    this.h.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {
    this.h = this.fresh();
  }
}

const LONG_TERM: AwsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const SESSION: AwsCredentials = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==',
};

interface Case {
  service: string;
  region: string;
  credentials: AwsCredentials;
  date: Date;
  request: SignableRequest;
}

/** The SDK's signed headers for the same request (lower-cased names). */
async function sdkSign(c: Case): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: c.service,
    region: c.region,
    credentials: c.credentials,
    sha256: NodeSha256,
  });
  const [hostname, port] = c.request.host.split(':');
  const signed = await signer.sign(
    {
      method: c.request.method,
      protocol: 'https:',
      hostname,
      ...(port ? { port: Number(port) } : {}),
      path: c.request.path,
      query: {},
      headers: { ...c.request.headers, host: c.request.host },
      body: c.request.body,
    },
    { signingDate: c.date },
  );
  return Object.fromEntries(
    Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
}

const ours = (c: Case) =>
  signRequest(c.request, {
    service: c.service,
    region: c.region,
    credentials: c.credentials,
    date: c.date,
  });

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
const putRecords = (body: Uint8Array, extra: Record<string, string> = {}): SignableRequest => ({
  method: 'POST',
  host: 'kinesis.eu-central-1.amazonaws.com',
  path: '/',
  headers: {
    'Content-Type': 'application/x-amz-json-1.1',
    'X-Amz-Target': 'Kinesis_20131202.PutRecords',
    ...extra,
  },
  body,
});
const withoutControlChars = (s: string) =>
  Array.from(s)
    .filter((ch) => (ch.codePointAt(0) ?? 0) >= 0x20 && ch.codePointAt(0) !== 0x7f)
    .join('');
const DATE = new Date('2026-11-29T23:59:59.999Z');

const CASES: [string, Case][] = [
  [
    'PutRecords with long-term credentials',
    {
      service: 'kinesis',
      region: 'eu-central-1',
      credentials: LONG_TERM,
      date: DATE,
      request: putRecords(
        json({ StreamName: 's', Records: [{ Data: 'eyJhIjoxfQ==', PartitionKey: 'k' }] }),
      ),
    },
  ],
  [
    'PutRecords with a session token (the Lambda role)',
    {
      service: 'kinesis',
      region: 'eu-central-1',
      credentials: SESSION,
      date: DATE,
      request: putRecords(json({ StreamName: 's', Records: [] })),
    },
  ],
  [
    'a non-ASCII body (partition key in Japanese, emoji, accents)',
    {
      service: 'kinesis',
      region: 'ap-southeast-1',
      credentials: SESSION,
      date: new Date('2026-01-01T00:00:00Z'),
      request: putRecords(
        json({ StreamName: 'événements', Records: [{ Data: '', PartitionKey: 'セッション🎬' }] }),
      ),
    },
  ],
  [
    'Firehose PutRecordBatch on a local endpoint with a port',
    {
      service: 'firehose',
      region: 'us-east-1',
      credentials: LONG_TERM,
      date: DATE,
      request: {
        method: 'POST',
        host: '127.0.0.1:4567',
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'Firehose_20150804.PutRecordBatch',
        },
        body: json({ DeliveryStreamName: 'bad-rows', Records: [{ Data: 'eA==' }] }),
      },
    },
  ],
  [
    'headers with odd spacing, line breaks and unsignable names, an empty body',
    {
      service: 'kinesis',
      region: 'us-east-1',
      credentials: SESSION,
      date: DATE,
      request: putRecords(new Uint8Array(0), {
        'X-Custom': '  a   b\t c  ',
        'x-multi': 'line1\nline2',
        'User-Agent': 'beacon-edge',
        'X-Amzn-Trace-Id': 'Root=1-abc',
        Connection: 'keep-alive',
        'proxy-authorization': 'x',
        'X-Amz-Date': '19990101T000000Z',
        Authorization: 'stale',
      }),
    },
  ],
  [
    'a path with dot segments, spaces and reserved characters',
    {
      service: 'kinesis',
      region: 'us-east-1',
      credentials: LONG_TERM,
      date: DATE,
      request: { ...putRecords(json({})), path: "/a/./b/../c d/(x)*!'/" },
    },
  ],
];

describe('signRequest, compared with the SDK signer', () => {
  it.each(CASES)('%s', async (_, c) => {
    expect(ours(c)).toStrictEqual(await sdkSign(c));
  });

  it('sends the session token and signs it', () => {
    const headers = ours(CASES[1][1]);
    expect(headers['x-amz-security-token']).toBe(SESSION.sessionToken);
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/20261129\/eu-central-1\/kinesis\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
  });

  it('uses the day of the signing time, across midnight and with cached keys', async () => {
    for (const iso of ['2026-11-29T23:59:59Z', '2026-11-30T00:00:00Z', '2026-11-29T12:00:00Z']) {
      const c = { ...CASES[0][1], date: new Date(iso) };
      expect(ours(c)).toStrictEqual(await sdkSign(c));
    }
  });

  it('matches the SDK for generated bodies, header values, regions and times', async () => {
    const header = fc.string({ unit: 'grapheme', maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.string({ unit: 'grapheme', maxLength: 60 }),
        header,
        fc.constantFrom('us-east-1', 'eu-central-1', 'ap-southeast-1', 'sa-east-1'),
        fc.date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2035-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        fc.boolean(),
        async (raw, key, value, region, date, session) => {
          const c: Case = {
            service: 'kinesis',
            region,
            credentials: session ? SESSION : LONG_TERM,
            date,
            request: putRecords(
              json({ PartitionKey: key, Data: Buffer.from(raw).toString('base64') }),
              // Header values must be legal on the wire: no control characters.
              { 'x-extra': withoutControlChars(value) },
            ),
          };
          expect(ours(c)).toStrictEqual(await sdkSign(c));
        },
      ),
      { numRuns: 150 },
    );
  });
});
