/**
 * The fault stack of fault-stack.ts with the edge's Kinesis calls going through the fault proxy
 * (kinesis-fault-proxy.ts), and what the PutRecords fault tests read back: which request a
 * PutRecords entry belongs to, every record in the event streams, and a batch with invalid events.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { localStreamNames } from '../../local/config.js';
import type { BeaconBatch } from '../../schemas/index.js';
import type { EnrichedRecord } from '../../schemas/record.js';
import { makeBatch } from './batch-factory.js';
import {
  startFaultStack,
  startRestartableKinesis,
  type FaultStack,
  type RestartableKinesis,
} from './fault-stack.js';
import {
  startKinesisFaultProxy,
  type KinesisFaultProxy,
  type PutCall,
} from './kinesis-fault-proxy.js';
import { readStream } from './kinesis-streams.js';

/** The local bad-row stream and the event streams, by name. */
export const BAD_ROW_STREAM = localStreamNames().at(-1) as string;
const EVENT_STREAMS = localStreamNames().slice(0, -1);

/** A kinesalite, the proxy in front of it, and the stack whose edge talks through the proxy. */
export interface ProxiedStack {
  kinesis: RestartableKinesis;
  proxy: KinesisFaultProxy;
  stack: FaultStack;
  /** Every record in the event streams, read from kinesalite. */
  recordsInStreams(): Promise<EnrichedRecord[]>;
  /** Stops everything and removes the data folder. */
  stop(): Promise<void>;
}

/** Starts a {@link ProxiedStack} on a fresh temp folder (the edge keeps its default write budget). */
async function startProxiedStack(): Promise<ProxiedStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-putfaults-'));
  const kinesis = await startRestartableKinesis(path.join(dir, 'kinesis'));
  const proxy = await startKinesisFaultProxy(kinesis.endpoint);
  const stack = await startFaultStack({
    dataDir: dir,
    kinesisEndpoint: kinesis.endpoint,
    edgeKinesisEndpoint: proxy.endpoint,
  });
  return {
    kinesis,
    proxy,
    stack,
    recordsInStreams: async () => {
      const out: EnrichedRecord[] = [];
      for (const s of EVENT_STREAMS)
        for (const r of await readStream(kinesis.client, s)) out.push(JSON.parse(r.data));
      return out;
    },
    stop: async () => {
      await stack.stop();
      await proxy.close();
      await kinesis.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One {@link ProxiedStack} for a test file: started before its tests, stopped after them, with
 * the proxy's script and call log cleared before each test. Its members are read when a test runs.
 */
export function useProxiedStack(): Omit<ProxiedStack, 'stop'> {
  let env: ProxiedStack | undefined;
  const started = (): ProxiedStack => {
    if (!env) throw new Error('the proxied stack has not started');
    return env;
  };
  beforeAll(async () => {
    env = await startProxiedStack();
  });
  afterAll(async () => {
    await env?.stop();
  });
  beforeEach(() => {
    started().proxy.setScript(undefined);
    started().proxy.calls.length = 0;
  });
  return {
    get kinesis() {
      return started().kinesis;
    },
    get proxy() {
      return started().proxy;
    },
    get stack() {
      return started().stack;
    },
    recordsInStreams: () => started().recordsInStreams(),
  };
}

/** The edge request id a call's entry belongs to (record: edge.request_id; bad row: partition key). */
export function requestOf(call: PutCall, i: number): string {
  if (call.stream === BAD_ROW_STREAM) return call.entries[i].partitionKey;
  return (JSON.parse(call.entries[i].data.toString('utf8')) as EnrichedRecord).edge.request_id;
}

/** A batch whose events at `bad` have a type the schema does not know (refused, kept as bad rows). */
export function batchWithBadEvents(count: number, bad: number[]): BeaconBatch {
  const batch = makeBatch({ count, types: ['heartbeat'] });
  for (const i of bad) batch.events[i] = { ...batch.events[i], type: 'no_such_type' } as never;
  return batch;
}
