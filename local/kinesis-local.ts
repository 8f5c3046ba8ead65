/**
 * The local Kinesis API: the real `kinesalite` server, on loopback, with its data in a folder
 * (or in memory for tests), plus helpers to create the streams the product expects.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ResourceInUseException,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const require = createRequire(import.meta.url);
const kinesalite = require('kinesalite') as (opts: Record<string, unknown>) => Server;

/** Credentials kinesalite accepts (it checks none). Not a secret; never used against AWS. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface LocalKinesis {
  /** e.g. http://127.0.0.1:4567 */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts kinesalite on 127.0.0.1.
 * @param opts.path data folder (LevelDB); omit for in-memory.
 * @param opts.port 0 picks a free port.
 */
export async function startKinesalite(opts: { path?: string; port?: number } = {}): Promise<LocalKinesis> {
  const server = kinesalite({
    path: opts.path,
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 100,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/**
 * A Kinesis client for kinesalite. The SDK's default HTTP/2 handler fails against it
 * (ERR_HTTP2_ERROR), so this uses HTTP/1.1 with keep-alive.
 */
export function localKinesisClient(endpoint: string, region = 'us-east-1'): KinesisClient {
  return new KinesisClient({
    region,
    endpoint,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 10000 }),
    maxAttempts: 3,
  });
}

/** Creates each stream if missing and waits until all are ACTIVE. */
export async function ensureStreams(client: KinesisClient, names: string[], shardCount = 2): Promise<void> {
  for (const StreamName of names) {
    try {
      await client.send(new CreateStreamCommand({ StreamName, ShardCount: shardCount }));
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  }
  const deadline = Date.now() + 10000;
  for (const StreamName of names) {
    for (;;) {
      const s = await client.send(new DescribeStreamSummaryCommand({ StreamName }));
      if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      if (Date.now() > deadline) throw new Error(`stream ${StreamName} did not become ACTIVE`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
