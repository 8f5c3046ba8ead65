/**
 * Where the edge's credentials come from: the Lambda runtime's reserved variables (session token
 * included), or the compiled-in local pair; read once; a CredentialsProviderError (fatal for the
 * writers, like the SDK's) when there are none.
 */
import { describe, expect, it } from 'vitest';
import { CredentialsProviderError, edgeCredentials } from '../../../edge/writers/credentials.js';

const LAMBDA_ENV = {
  AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_SESSION_TOKEN: 'token',
};

describe('edgeCredentials', () => {
  it("reads the Lambda role's temporary credentials from the environment", () => {
    expect(edgeCredentials(undefined, { ...LAMBDA_ENV })()).toStrictEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('leaves the token out for long-term keys', () => {
    const { AWS_SESSION_TOKEN: _, ...env } = LAMBDA_ENV;
    expect(edgeCredentials(undefined, env)()).toStrictEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
    });
  });

  it('prefers the local credentials, never the environment, when the config has them', () => {
    const local = { accessKeyId: 'local', secretAccessKey: 'local' };
    expect(edgeCredentials(local, { ...LAMBDA_ENV })()).toStrictEqual(local);
  });

  it('reads the environment once and keeps what it read', () => {
    const env: Record<string, string | undefined> = { ...LAMBDA_ENV };
    const source = edgeCredentials(undefined, env);
    const first = source();
    env.AWS_ACCESS_KEY_ID = 'changed';
    expect(source()).toBe(first);
  });

  it('throws CredentialsProviderError while there are none, and reads them once they appear', () => {
    const env: Record<string, string | undefined> = {};
    const source = edgeCredentials(undefined, env);
    expect(() => source()).toThrow(CredentialsProviderError);
    expect(() => source()).toThrow(
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (the Lambda runtime sets them from the execution role)',
    );
    Object.assign(env, LAMBDA_ENV);
    expect(source().accessKeyId).toBe('ASIAEXAMPLE');
  });

  it('names its error as the SDK does, so the writers skip the target at once', () => {
    expect(new CredentialsProviderError('x').name).toBe('CredentialsProviderError');
  });
});
