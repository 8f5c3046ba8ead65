/**
 * Where the edge's AWS credentials come from. Lambda@Edge allows no environment variables of our
 * own, but the Lambda runtime still sets the execution role's temporary credentials in the
 * reserved `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`; they stay valid
 * for the life of the execution environment, so they are read once (as the SDK's `fromEnv` does).
 * Locally the compiled-in `localCredentials` (kinesalite ignores signatures) win.
 */
import type { AwsCredentials } from './sigv4.js';

/** No credentials in this container. Named like the SDK's error, which the writers treat as fatal. */
export class CredentialsProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsProviderError';
  }
}

/** Reads the credentials on first use and keeps them; throws again on every call while there are none. */
export type CredentialSource = () => AwsCredentials;

/**
 * The credential source of an edge client: `local` when given, else the Lambda environment.
 * Read lazily so building the writers never fails; a missing pair throws CredentialsProviderError
 * at the first call instead, which the writers turn into a refused request and a bad row.
 */
export function edgeCredentials(
  local?: { accessKeyId: string; secretAccessKey: string },
  env: NodeJS.ProcessEnv = process.env,
): CredentialSource {
  let cached: AwsCredentials | undefined;
  return () => {
    if (cached) return cached;
    if (local) {
      cached = { accessKeyId: local.accessKeyId, secretAccessKey: local.secretAccessKey };
      return cached;
    }
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey)
      throw new CredentialsProviderError(
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (the Lambda runtime sets them from the execution role)',
      );
    cached = {
      accessKeyId,
      secretAccessKey,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
    return cached;
  };
}
