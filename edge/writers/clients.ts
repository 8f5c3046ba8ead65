/**
 * AWS SDK clients, one per (service, region, endpoint), created on first use and kept for the
 * life of the Lambda container: creating a client per invocation would redo TLS and credential
 * lookups on every beacon.
 */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Options every edge client shares. */
export interface ClientOptions {
  /** Upper bound for one HTTP request; the retry loop also aborts at its deadline. */
  requestTimeoutMs: number;
  /** Static credentials for a local emulator only; on AWS the function's role is used. */
  localCredentials?: { accessKeyId: string; secretAccessKey: string };
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

/**
 * Base config of an edge client. `maxAttempts: 1` because our own loop retries (only failed
 * entries, within the budget); SDK retries on top would overrun it. HTTP/1.1 (NodeHttpHandler)
 * everywhere: kinesalite needs it, and it behaves the same on AWS. `cacheMiddleware`: the SDK
 * otherwise rebuilds and sorts the middleware stack on every `send`, a real share of a
 * PutRecords call's CPU; it caches only for sends without per-call options, so the hot path
 * sends without them (kinesis-put.ts).
 */
function baseConfig(target: ClientTarget, opts: ClientOptions) {
  return {
    region: target.region,
    maxAttempts: 1,
    cacheMiddleware: true,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(1000, opts.requestTimeoutMs),
      requestTimeout: opts.requestTimeoutMs,
    }),
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    ...(opts.localCredentials ? { credentials: { ...opts.localCredentials } } : {}),
  };
}

/** A cache of Kinesis clients. */
export function kinesisClients(opts: ClientOptions): ClientCache<KinesisClient> {
  return new ClientCache((target) => new KinesisClient(baseConfig(target, opts)));
}

/** A cache of Firehose clients. */
export function firehoseClients(opts: ClientOptions): ClientCache<FirehoseClient> {
  return new ClientCache((target) => new FirehoseClient(baseConfig(target, opts)));
}
