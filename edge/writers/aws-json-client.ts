/**
 * A minimal client for AWS JSON 1.1 APIs (Kinesis, Firehose): one signed POST per call, the input
 * as the JSON document, the output parsed back. It stands in for the SDK clients at the edge,
 * whose code and Node built-ins took most of the Lambda@Edge cold start; the error it throws for a
 * service error has the SDK's name (the error type), `$fault` and `$metadata`, so retry rules
 * written against the SDK read it alike (test/edge/writers/aws-json-client.integration.test.ts holds it to
 * the SDK's behaviour on the same wire).
 */
import type { CredentialSource } from './credentials.js';
import type { HttpTransport } from './http-transport.js';
import { signRequest } from './sigv4.js';

/** The protocol facts of one service. */
export interface AwsJsonService {
  /** SigV4 service name, also the endpoint's first label. */
  signingName: string;
  /** `X-Amz-Target` prefix: the API's name and version. */
  targetPrefix: string;
}

/** Kinesis Data Streams (API 2013-12-02). */
export const KINESIS: AwsJsonService = { signingName: 'kinesis', targetPrefix: 'Kinesis_20131202' };
/** Amazon Data Firehose (API 2015-08-04). */
export const FIREHOSE: AwsJsonService = {
  signingName: 'firehose',
  targetPrefix: 'Firehose_20150804',
};

/** What an edge client needs. */
export interface AwsJsonClientOptions {
  service: AwsJsonService;
  region: string;
  /** A local emulator's URL; absent on AWS. */
  endpoint?: string;
  credentials: CredentialSource;
  transport: HttpTransport;
  /** Signing clock; tests fix it. */
  now?: () => Date;
}

/** What the SDK puts in `$metadata`, as far as a JSON response tells. */
export interface ResponseMetadata {
  httpStatusCode: number;
  requestId?: string;
}

/**
 * An error response of the service. `name` is the error type without its namespace
 * (`ProvisionedThroughputExceededException`, `InternalFailure`), as the SDK names its exceptions.
 */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: ResponseMetadata;
  constructor(name: string, message: string, $metadata: ResponseMetadata) {
    super(message);
    this.name = name;
    this.$fault = $metadata.httpStatusCode < 500 ? 'client' : 'server';
    this.$metadata = $metadata;
  }
}

/**
 * The regional endpoint in the `aws` partition. Lambda@Edge runs only there (CloudFront is not in
 * the China or GovCloud partitions), and its role's credentials work only there, so other
 * partitions' suffixes (`amazonaws.com.cn`, FIPS and dual-stack names) are not needed.
 */
export function awsEndpoint(service: AwsJsonService, region: string): string {
  return `https://${service.signingName}.${region}.amazonaws.com`;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * Calls one operation per `call`.
 *
 * @example
 * const kinesis = new AwsJsonClient({ service: KINESIS, region: 'eu-central-1', credentials, transport });
 * const out = await kinesis.call<PutRecordsOutput>('PutRecords', { StreamName, Records }, signal);
 */
export class AwsJsonClient {
  private readonly url: URL;
  private readonly now: () => Date;

  constructor(private readonly opts: AwsJsonClientOptions) {
    this.url = new URL(opts.endpoint ?? awsEndpoint(opts.service, opts.region));
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * Sends `input` to `operation` and returns the parsed output. Rejects with AwsServiceError for
   * an error response, and with the transport's error (TimeoutError, AbortError, a socket error)
   * or a SyntaxError for an unreadable success body.
   */
  async call<O>(operation: string, input: unknown, signal?: AbortSignal): Promise<O> {
    const body = Buffer.from(JSON.stringify(input), 'utf8');
    const headers = signRequest(
      {
        method: 'POST',
        host: this.url.host,
        path: this.url.pathname,
        headers: {
          'content-type': CONTENT_TYPE,
          'x-amz-target': `${this.opts.service.targetPrefix}.${operation}`,
        },
        body,
      },
      {
        service: this.opts.service.signingName,
        region: this.opts.region,
        credentials: this.opts.credentials(),
        date: this.now(),
      },
    );
    const res = await this.opts.transport.send(
      { url: this.url, method: 'POST', headers, body },
      signal,
    );
    const $metadata = metadataOf(res.status, res.headers);
    const data = parseJson(res.body.toString('utf8'), $metadata);
    if (res.status >= 200 && res.status < 300) return data as O;
    throw toServiceError($metadata, res.headers, data);
  }

  /** Closes the transport's idle sockets. */
  destroy(): void {
    this.opts.transport.destroy();
  }
}

function metadataOf(
  status: number,
  headers: Record<string, string | string[] | undefined>,
): ResponseMetadata {
  const requestId = headers['x-amzn-requestid'];
  return { httpStatusCode: status, ...(typeof requestId === 'string' ? { requestId } : {}) };
}

/**
 * The body as JSON (`{}` when empty). An unreadable body, a proxy's HTML error page or a
 * truncated document, throws the SyntaxError with `$metadata`, as the SDK does: the caller sees
 * which status came back.
 */
function parseJson(text: string, $metadata: ResponseMetadata): Record<string, unknown> {
  if (text.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch (err) {
    throw Object.assign(err as Error, { $metadata });
  }
}

/**
 * The error of a non-2xx response, named the way the SDK's JSON RPC protocol names it: from the
 * body's `__type`, else its `code`, else the `x-amzn-errortype` header, with any `namespace#`
 * prefix and `:suffix` cut; `Unknown` when nothing names it.
 */
function toServiceError(
  $metadata: ResponseMetadata,
  headers: Record<string, string | string[] | undefined>,
  data: Record<string, unknown>,
): AwsServiceError {
  const header = headers['x-amzn-errortype'];
  const raw = data.__type ?? findKey(data, 'code') ?? (Array.isArray(header) ? header[0] : header);
  const name = raw === undefined ? 'Unknown' : sanitizeErrorCode(String(raw));
  const message = data.message ?? data.Message;
  return new AwsServiceError(
    name,
    typeof message === 'string' ? message : 'UnknownError',
    $metadata,
  );
}

function findKey(data: Record<string, unknown>, key: string): unknown {
  const k = Object.keys(data).find((n) => n.toLowerCase() === key);
  return k === undefined ? undefined : data[k];
}

/** `aws.protocoltests#Foo:http://…` → `Foo`, as the SDK cleans an error code. */
function sanitizeErrorCode(raw: string): string {
  let v = raw.split(',')[0];
  v = v.split(':')[0];
  if (v.includes('#')) v = v.split('#')[1];
  return v;
}
