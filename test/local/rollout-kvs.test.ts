/**
 * `beacons rollout … --kvs-arn` at the SDK level (no KeyValueStore runs locally): the exact
 * commands and inputs, the ETag carried into IfMatch, one retry on a conflict with the change
 * re-applied to the newer value, a missing key read as no rules. And the signer: the client must
 * sign with SigV4a, which only works because importing the module registers the JS signer.
 */
import {
  CloudFrontKeyValueStoreClient,
  ConflictException,
  DeleteKeyCommand,
  DescribeKeyValueStoreCommand,
  GetKeyCommand,
  PutKeyCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRule, withoutRule, withRule } from '../../local/rollout-edit.js';
import { checkKvsArn, KvsRolloutStore } from '../../local/rollout-kvs.js';

const ARN = 'arn:aws:cloudfront::123456789012:key-value-store/0d1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8';
const kvs = mockClient(CloudFrontKeyValueStoreClient);
afterEach(() => kvs.reset());

const conflict = () => new ConflictException({ message: 'Pre-Condition failed', $metadata: {} });
const notFound = () => new ResourceNotFoundException({ message: 'Key not found', $metadata: {} });
const describeOut = (ETag: string) => ({
  ETag,
  ItemCount: 1,
  TotalSizeInBytes: 10,
  KvsARN: ARN,
  Created: new Date(0),
});
const key = (Key: string, Value: string) => ({ Key, Value, ItemCount: 1, TotalSizeInBytes: 10 });

function store() {
  return new KvsRolloutStore(new CloudFrontKeyValueStoreClient({ region: 'us-east-1' }), ARN);
}

const retired = buildRule('1-0-0', 'retired', {}, '2026-11-30');

/** Every call as [command, input], in order. */
function calls() {
  return kvs.calls().map((c) => [c.args[0].constructor.name, c.args[0].input]);
}

describe('KvsRolloutStore', () => {
  it('reads both keys; a missing key is no rules', async () => {
    kvs.on(DescribeKeyValueStoreCommand).resolves(describeOut('E1'));
    kvs
      .on(GetKeyCommand, { Key: 'rollout.schemas' })
      .resolves(key('rollout.schemas', '1-0-0:retired'));
    kvs.on(GetKeyCommand, { Key: 'rollout.sdks' }).rejects(notFound());
    expect(await store().read()).toStrictEqual({ schema: '1-0-0:retired', sdk: undefined });
  });

  it('does not read a missing store as "no rules"', async () => {
    kvs.on(DescribeKeyValueStoreCommand).rejects(notFound());
    await expect(store().read()).rejects.toThrow(
      `the KeyValueStore ${ARN}: ResourceNotFoundException: Key not found`,
    );
  });

  it('set: Describe for the ETag, GetKey, PutKey with IfMatch', async () => {
    kvs.on(DescribeKeyValueStoreCommand).resolves(describeOut('ETAG-1'));
    kvs.on(GetKeyCommand).resolves(key('rollout.schemas', '2-0-0:live,sample=0.1'));
    kvs.on(PutKeyCommand).resolves({ ETag: 'ETAG-2', ItemCount: 2, TotalSizeInBytes: 20 });
    expect(await store().update('schema', (v) => withRule(v, retired))).toBe(true);
    expect(calls()).toStrictEqual([
      ['DescribeKeyValueStoreCommand', { KvsARN: ARN }],
      ['GetKeyCommand', { KvsARN: ARN, Key: 'rollout.schemas' }],
      [
        'PutKeyCommand',
        {
          KvsARN: ARN,
          Key: 'rollout.schemas',
          Value: '2-0-0:live,sample=0.1 1-0-0:retired',
          IfMatch: 'ETAG-1',
        },
      ],
    ]);
  });

  it('set on a store without the key writes it', async () => {
    kvs.on(DescribeKeyValueStoreCommand).resolves(describeOut('E1'));
    kvs.on(GetKeyCommand).rejects(notFound());
    kvs.on(PutKeyCommand).resolves({ ETag: 'E2', ItemCount: 1, TotalSizeInBytes: 5 });
    await store().update('schema', (v) => withRule(v, retired));
    expect(kvs.commandCalls(PutKeyCommand)[0].args[0].input).toStrictEqual({
      KvsARN: ARN,
      Key: 'rollout.schemas',
      Value: '1-0-0:retired',
      IfMatch: 'E1',
    });
  });

  it('clearing the last rule writes `-`; nothing to change sends no write', async () => {
    kvs.on(DescribeKeyValueStoreCommand).resolves(describeOut('E7'));
    kvs.on(GetKeyCommand).resolves(key('rollout.schemas', '1-0-0:retired'));
    kvs.on(PutKeyCommand).resolves({ ETag: 'E8', ItemCount: 1, TotalSizeInBytes: 16 });
    const clear = (v: string | undefined) => withoutRule('schema', v, '1-0-0').value;
    expect(await store().update('schema', clear)).toBe(true);
    expect(kvs.commandCalls(PutKeyCommand).map((c) => c.args[0].input)).toStrictEqual([
      { KvsARN: ARN, Key: 'rollout.schemas', Value: '-', IfMatch: 'E7' },
    ]);
    kvs.reset();
    kvs.on(DescribeKeyValueStoreCommand).resolves(describeOut('E8'));
    kvs.on(GetKeyCommand).resolves(key('rollout.schemas', '-'));
    expect(await store().update('schema', clear)).toBe(false);
    expect(kvs.commandCalls(PutKeyCommand)).toHaveLength(0);
    expect(kvs.commandCalls(DeleteKeyCommand)).toHaveLength(0);
  });

  it('an update to undefined deletes the key with IfMatch', async () => {
    kvs.on(DescribeKeyValueStoreCommand).resolves(describeOut('E9'));
    kvs.on(GetKeyCommand).resolves(key('rollout.sdks', 'web@1.0:retired'));
    kvs.on(DeleteKeyCommand).resolves({ ETag: 'E10', ItemCount: 0, TotalSizeInBytes: 0 });
    expect(await store().update('sdk', () => undefined)).toBe(true);
    expect(calls().at(-1)).toStrictEqual([
      'DeleteKeyCommand',
      { KvsARN: ARN, Key: 'rollout.sdks', IfMatch: 'E9' },
    ]);
  });

  it('retries once on a conflict, applying the change to the newer value and ETag', async () => {
    kvs
      .on(DescribeKeyValueStoreCommand)
      .resolvesOnce(describeOut('E1'))
      .resolvesOnce(describeOut('E2'));
    kvs
      .on(GetKeyCommand)
      .resolvesOnce(key('rollout.schemas', '-'))
      .resolvesOnce(key('rollout.schemas', '2-0-0:live,sample=0.2'));
    kvs
      .on(PutKeyCommand)
      .rejectsOnce(conflict())
      .resolves({ ETag: 'E3', ItemCount: 1, TotalSizeInBytes: 9 });
    expect(await store().update('schema', (v) => withRule(v, retired))).toBe(true);
    expect(kvs.commandCalls(PutKeyCommand).map((c) => c.args[0].input)).toStrictEqual([
      { KvsARN: ARN, Key: 'rollout.schemas', Value: '1-0-0:retired', IfMatch: 'E1' },
      {
        KvsARN: ARN,
        Key: 'rollout.schemas',
        Value: '2-0-0:live,sample=0.2 1-0-0:retired',
        IfMatch: 'E2',
      },
    ]);
  });

  it('gives up after a second conflict with a message to run it again', async () => {
    kvs.on(DescribeKeyValueStoreCommand).resolves(describeOut('E1'));
    kvs.on(GetKeyCommand).rejects(notFound());
    kvs.on(PutKeyCommand).rejects(conflict());
    await expect(store().update('schema', (v) => withRule(v, retired))).rejects.toThrow(
      `the KeyValueStore ${ARN} changed twice while this change was being written; run the command again`,
    );
    expect(kvs.commandCalls(PutKeyCommand)).toHaveLength(2);
  });

  it('does not retry other failures, and passes a refusal of the change through as it is', async () => {
    kvs.on(DescribeKeyValueStoreCommand).resolves(describeOut('E1'));
    kvs.on(GetKeyCommand).resolves(key('rollout.schemas', '1-0-0:gone'));
    await expect(store().update('schema', (v) => withRule(v, retired))).rejects.toThrow(
      'rollout.schemas holds entries the edge cannot read ("1-0-0:gone": state must be one of live, deprecated, retired)',
    );
    expect(kvs.commandCalls(GetKeyCommand)).toHaveLength(1);
    kvs.reset();
    kvs
      .on(DescribeKeyValueStoreCommand)
      .rejects(
        Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }),
      );
    await expect(store().update('schema', (v) => withRule(v, retired))).rejects.toThrow(
      `the KeyValueStore ${ARN}: AccessDeniedException: User is not authorized`,
    );
    expect(kvs.commandCalls(DescribeKeyValueStoreCommand)).toHaveLength(1);
  });
});

describe('checkKvsArn', () => {
  it('takes a KeyValueStore ARN and refuses anything else', () => {
    expect(checkKvsArn(ARN)).toBe(ARN);
    expect(() => checkKvsArn('arn:aws:cloudfront::123456789012:distribution/E1')).toThrow(
      '--kvs-arn must be a CloudFront KeyValueStore ARN, arn:aws:cloudfront::<account>:key-value-store/<id>, got "arn:aws:cloudfront::123456789012:distribution/E1"',
    );
  });
});

describe('the SigV4a signer', () => {
  it("signs requests with SigV4a over every region, against the store's account endpoint", async () => {
    kvs.restore();
    const seen: { hostname: string; headers: Record<string, string> }[] = [];
    const client = new CloudFrontKeyValueStoreClient({
      region: 'eu-central-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestHandler: {
        handle: async (req: { hostname: string; headers: Record<string, string> }) => {
          seen.push({ hostname: req.hostname, headers: req.headers });
          throw new Error('stop here: the request was signed');
        },
      },
    });
    await expect(new KvsRolloutStore(client, ARN).read()).rejects.toThrow('stop here');
    client.destroy();
    expect(seen[0].hostname).toBe('123456789012.cloudfront-kvs.global.api.aws');
    expect(seen[0].headers.authorization).toMatch(
      /^AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE\//,
    );
    expect(seen[0].headers['x-amz-region-set']).toBe('*');
  });
});
