/**
 * The rollout keys in the deployed CloudFront KeyValueStore (`beacons rollout … --kvs-arn`). A
 * change reaches every edge location within seconds, no redeploy.
 *
 * Every write names the store's ETag (`IfMatch`), so two operators changing rules at once cannot
 * overwrite each other: the second gets a conflict, re-reads and applies its change to the newer
 * value, once; a second conflict is reported rather than retried blindly.
 *
 * The store's API is signed with SigV4a (its endpoint rules name `sigv4a` with region set `*`).
 * The client picks the CRT signer when `@aws-sdk/signature-v4-crt` is loaded, else the pure
 * JavaScript one that importing `@aws-sdk/signature-v4a` registers, which is why it is imported
 * here for its side effect: without either, every call fails before it is sent.
 */
import '@aws-sdk/signature-v4a';
import {
  CloudFrontKeyValueStoreClient,
  DeleteKeyCommand,
  DescribeKeyValueStoreCommand,
  GetKeyCommand,
  PutKeyCommand,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { ROLLOUT_KEYS, type RolloutScope } from '../edge/rollout.js';
import { LocalStackError, UsageError } from './errors.js';
import type { RolloutStore, RolloutValues, ValueUpdate } from './rollout-file.js';

/** `arn:aws:cloudfront::<account>:key-value-store/<id>` (the CDK app's output). */
const KVS_ARN = /^arn:aws[a-z-]*:cloudfront::\d{12}:key-value-store\/[A-Za-z0-9-]{1,64}$/;

/** Refuses what is not a KeyValueStore ARN before anything is sent. */
export function checkKvsArn(arn: string): string {
  if (!KVS_ARN.test(arn))
    throw new UsageError(
      `--kvs-arn must be a CloudFront KeyValueStore ARN, arn:aws:cloudfront::<account>:key-value-store/<id>, got "${arn}"`,
    );
  return arn;
}

/** The KeyValueStore client; the region only seeds the SDK's configuration (the store is global). */
export function kvsClient(): CloudFrontKeyValueStoreClient {
  return new CloudFrontKeyValueStoreClient({
    region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1',
  });
}

/** A {@link RolloutStore} over a deployed CloudFront KeyValueStore. */
export class KvsRolloutStore implements RolloutStore {
  readonly where: string;

  constructor(
    private readonly client: CloudFrontKeyValueStoreClient,
    private readonly arn: string,
  ) {
    this.where = `the KeyValueStore ${arn}`;
  }

  async read(): Promise<RolloutValues> {
    // A missing store must not read as "no rules": GetKey answers a missing key the same way.
    await this.client.send(new DescribeKeyValueStoreCommand({ KvsARN: this.arn })).catch((err) => {
      throw this.failure(err);
    });
    const [schema, sdk] = await Promise.all([this.get('schema'), this.get('sdk')]);
    return { schema, sdk };
  }

  async update(scope: RolloutScope, update: ValueUpdate): Promise<boolean> {
    try {
      return await this.updateOnce(scope, update);
    } catch (err) {
      if (!isConflict(err)) throw this.failure(err);
    }
    try {
      return await this.updateOnce(scope, update);
    } catch (err) {
      if (isConflict(err))
        throw new LocalStackError(
          `${this.where} changed twice while this change was being written; run the command again`,
          { cause: err },
        );
      throw this.failure(err);
    }
  }

  /** Reads the ETag first: a key read after it can only be newer, so IfMatch fails if anything changed since. */
  private async updateOnce(scope: RolloutScope, update: ValueUpdate): Promise<boolean> {
    const { ETag } = await this.client.send(new DescribeKeyValueStoreCommand({ KvsARN: this.arn }));
    const current = await this.get(scope);
    const next = update(current);
    if (next === current) return false;
    const Key = ROLLOUT_KEYS[scope];
    if (next === undefined)
      await this.client.send(new DeleteKeyCommand({ KvsARN: this.arn, Key, IfMatch: ETag }));
    else
      await this.client.send(
        new PutKeyCommand({ KvsARN: this.arn, Key, Value: next, IfMatch: ETag }),
      );
    return true;
  }

  /** One key's value; undefined when the store has no such key (no rules). */
  private async get(scope: RolloutScope): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new GetKeyCommand({ KvsARN: this.arn, Key: ROLLOUT_KEYS[scope] }),
      );
      return out.Value;
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return undefined;
      throw this.failure(err);
    }
  }

  private failure(err: unknown): Error {
    if (err instanceof LocalStackError) return err;
    const e = err as Error;
    return new LocalStackError(`${this.where}: ${e.name}: ${e.message}`, { cause: err });
  }
}

function isConflict(err: unknown): boolean {
  return (err as Error | undefined)?.name === 'ConflictException';
}
