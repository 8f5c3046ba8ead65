/**
 * The InfluxDB token from AWS Secrets Manager, read once per Lambda container and kept for a TTL
 * (config.ts `SecretConfig`), so a warm container makes no Secrets Manager call per batch and a
 * rotated token is picked up within the TTL.
 *
 * The secret's string may be the raw token, or JSON with a `token` key (`{"token": "..."}`), the
 * shape a rotation function or the console's key/value editor produces. Anything else is a
 * configuration error with a message that says which secret and why (never the value).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type SecretConfig, withSecretDefaults } from '../config.js';
import { CorePipelineError } from '../errors.js';

/** The token secret could not be read or has no usable token. */
export class SecretTokenError extends CorePipelineError {
  constructor(
    readonly secretId: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`InfluxDB token secret ${secretId}: ${detail}`, options);
    this.name = 'SecretTokenError';
  }
}

/**
 * The token in a secret string: the raw string, or the `token` key of a JSON object.
 * @example tokenFromSecretString('{"token":"abc"}') // 'abc'
 */
export function tokenFromSecretString(secret: string): string | undefined {
  const s = secret.trim();
  if (s.startsWith('{')) {
    try {
      const token = (JSON.parse(s) as { token?: unknown }).token;
      return typeof token === 'string' && token.trim() !== '' ? token.trim() : undefined;
    } catch {
      return undefined;
    }
  }
  return s === '' ? undefined : s;
}

/**
 * A token provider for the InfluxDB sink. Concurrent callers share one request; a failed read is
 * not cached, so the next batch tries again.
 * @example const token = secretToken(new SecretsManagerClient({}), process.env.INFLUXDB_TOKEN_SECRET_ARN)
 */
export function secretToken(
  client: SecretsManagerClient,
  secretId: string,
  options: Partial<SecretConfig> & { now?: () => number } = {},
): () => Promise<string> {
  const { ttlMs } = withSecretDefaults(options);
  const now = options.now ?? Date.now;
  let cached: { token: string; at: number } | undefined;
  let pending: Promise<string> | undefined;

  async function read(): Promise<string> {
    let out: { SecretString?: string };
    try {
      out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    } catch (err) {
      const name = (err as { name?: string })?.name ?? 'Error';
      throw new SecretTokenError(secretId, `GetSecretValue failed (${name})`, { cause: err });
    }
    if (typeof out.SecretString !== 'string') {
      throw new SecretTokenError(
        secretId,
        'has no SecretString (a binary secret is not supported)',
      );
    }
    const token = tokenFromSecretString(out.SecretString);
    if (!token) {
      throw new SecretTokenError(
        secretId,
        'holds neither a token nor JSON with a non-empty "token" key',
      );
    }
    cached = { token, at: now() };
    return token;
  }

  return async () => {
    if (cached && now() - cached.at < ttlMs) return cached.token;
    pending ??= read().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
