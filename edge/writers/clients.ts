/**
 * The edge's AWS clients, one per (service, region, endpoint), created on first use and kept for
 * the life of the Lambda container: a client per invocation would redo the TLS handshake on
 * every beacon. They are the small JSON clients of aws-json-client.ts, not the SDK's: the SDK's
 * code and the Node built-ins it loads made up most of the Lambda@Edge cold start.
 */
import { AwsJsonClient, FIREHOSE, KINESIS, type AwsJsonService } from './aws-json-client.js';
import { edgeCredentials } from './credentials.js';
import { nodeTransport, type HttpTransport } from './http-transport.js';

/** Options every edge client shares. */
export interface ClientOptions {
  /** Upper bound for one HTTP request; the retry loop also aborts at its deadline. */
  requestTimeoutMs: number;
  /** Static credentials for a local emulator only; on AWS the function's role is used. */
  localCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** Replaces the HTTP layer (tests script the service's answers with it). */
  transport?: () => HttpTransport;
}

/** Where a client points. */
export interface ClientTarget {
  region: string;
  /** Local emulator URL; absent on AWS. */
  endpoint?: string;
}

type Destroyable = { destroy(): void };

/** A lazily filled cache of clients of one kind. */
export class ClientCache<C extends Destroyable> {
  private readonly clients = new Map<string, C>();

  constructor(private readonly create: (target: ClientTarget) => C) {}

  /** The client for `target`, created on first use. */
  get(target: ClientTarget): C {
    const key = `${target.region}|${target.endpoint ?? ''}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.create(target);
      this.clients.set(key, client);
    }
    return client;
  }

  /** Number of clients created so far (tests check reuse). */
  get size(): number {
    return this.clients.size;
  }

  /** Closes every client's sockets. */
  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}

/** A Kinesis Data Streams client (PutRecords). */
export type KinesisClient = AwsJsonClient;
/** A Firehose client (PutRecordBatch). */
export type FirehoseClient = AwsJsonClient;

/**
 * A cache of clients of one service. No retries inside a client: the writers' own loop retries
 * only the failed entries, within the budget. A connection gets at most a second (or the whole
 * budget if shorter) so a dead endpoint leaves time for the fallback stream.
 */
function clientsOf(service: AwsJsonService, opts: ClientOptions): ClientCache<AwsJsonClient> {
  const credentials = edgeCredentials(opts.localCredentials);
  return new ClientCache(
    (target) =>
      new AwsJsonClient({
        service,
        region: target.region,
        endpoint: target.endpoint,
        credentials,
        transport:
          opts.transport?.() ??
          nodeTransport({
            requestTimeoutMs: opts.requestTimeoutMs,
            connectTimeoutMs: Math.min(1000, opts.requestTimeoutMs),
          }),
      }),
  );
}

/** A cache of Kinesis clients. */
export function kinesisClients(opts: ClientOptions): ClientCache<KinesisClient> {
  return clientsOf(KINESIS, opts);
}

/** A cache of Firehose clients. */
export function firehoseClients(opts: ClientOptions): ClientCache<FirehoseClient> {
  return clientsOf(FIREHOSE, opts);
}
