import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SecretTokenError,
  secretToken,
  tokenFromSecretString,
} from '../../../core-pipeline/sinks/secret-token.js';

const ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:beacons-influx-token-AbCdEf';
const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());

function provider(ttlMs = 60_000) {
  let clock = 1_000;
  const token = secretToken(new SecretsManagerClient({ region: 'eu-central-1' }), ARN, {
    ttlMs,
    now: () => clock,
  });
  return { token, advance: (ms: number) => (clock += ms) };
}

describe('tokenFromSecretString', () => {
  it.each([
    ['raw-token', 'raw-token'],
    ['  raw-token\n', 'raw-token'],
    ['{"token":"abc=="}', 'abc=='],
    ['{"token":"abc","org":"o"}', 'abc'],
    ['{"token":""}', undefined],
    ['{"password":"x"}', undefined],
    ['{not json', undefined],
    ['', undefined],
  ])('%j → %j', (secret, token) => {
    expect(tokenFromSecretString(secret)).toBe(token);
  });
});

describe('secretToken', () => {
  it('asks GetSecretValue for the secret once and serves the token from the cache within the TTL', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"token":"t-1"}' });
    const { token, advance } = provider();
    expect(await token()).toBe('t-1');
    advance(59_999);
    expect(await token()).toBe('t-1');
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toStrictEqual([
      { SecretId: ARN },
    ]);
  });

  it('reads the secret again after the TTL (a rotated token is picked up)', async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 't-1' })
      .resolvesOnce({ SecretString: 't-2' });
    const { token, advance } = provider();
    expect(await token()).toBe('t-1');
    advance(60_000);
    expect(await token()).toBe('t-2');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('shares one request between concurrent callers', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 't' });
    const { token } = provider();
    expect(await Promise.all([token(), token(), token()])).toStrictEqual(['t', 't', 't']);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('turns an SDK error into a clear error naming the secret, and does not cache it', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not found', $metadata: {} }))
      .resolves({ SecretString: 't' });
    const { token } = provider();
    const err = await token().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretTokenError);
    expect((err as Error).message).toBe(
      `InfluxDB token secret ${ARN}: GetSecretValue failed (ResourceNotFoundException)`,
    );
    expect((err as Error).cause).toBeInstanceOf(ResourceNotFoundException);
    expect(await token()).toBe('t');
  });

  it('refuses a secret without a usable token, without echoing its value', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"password":"hunter2"}' });
    const { token } = provider();
    await expect(token()).rejects.toThrow(
      new SecretTokenError(ARN, 'holds neither a token nor JSON with a non-empty "token" key'),
    );
  });

  it('refuses a binary secret', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });
    const { token } = provider();
    await expect(token()).rejects.toThrow(
      new SecretTokenError(ARN, 'has no SecretString (a binary secret is not supported)'),
    );
  });
});
