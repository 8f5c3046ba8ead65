/**
 * A Kinesis JSON API proxy for the fault tests: it forwards every call to a real kinesalite and,
 * where a script says so, answers a PutRecords call the way Kinesis does under stress instead:
 * some entries failed with ProvisionedThroughputExceededException (only the others are written),
 * the whole call throttled, a 500, a 500 after the write (the answer lost on the way back), or no
 * answer until the test releases the call (a stream that hangs; the write lands late).
 * Every PutRecords call is logged with its entries, so a test can count what was retried.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with one PutRecords call. */
export type PutFault =
  | { kind: 'fail-entries'; entries: readonly number[] }
  | { kind: 'throttle' }
  | { kind: 'internal-error' }
  | { kind: 'write-then-internal-error' }
  | { kind: 'hold'; until: Promise<void> };

/** One entry of a PutRecords call, decoded. */
export interface PutEntry {
  partitionKey: string;
  data: Buffer;
}

/** One PutRecords call as the proxy saw it. */
export interface PutCall {
  stream: string;
  entries: PutEntry[];
  fault?: PutFault;
  /** Entries written to kinesalite (indexes into `entries`). */
  written: number[];
}

/** Decides the fault of a call (undefined: forward it unchanged). */
export type PutScript = (call: { stream: string; entries: PutEntry[] }) => PutFault | undefined;

/** A running proxy. */
export interface KinesisFaultProxy {
  endpoint: string;
  /** Every PutRecords call so far, in arrival order. */
  calls: PutCall[];
  /** Replaces the script (default: no faults). */
  setScript(script: PutScript | undefined): void;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/x-amz-json-1.1';
const THROTTLED = 'ProvisionedThroughputExceededException';

/**
 * Starts a proxy on loopback in front of `upstream` (a kinesalite endpoint).
 * @example const proxy = await startKinesisFaultProxy(kinesalite.endpoint);
 */
export async function startKinesisFaultProxy(upstream: string): Promise<KinesisFaultProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true });
  const calls: PutCall[] = [];
  let script: PutScript | undefined;

  const forward = (req: http.IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
      (resolve, reject) => {
        const headers = { ...req.headers, host: target.host, 'content-length': body.length };
        const up = http.request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers,
            agent,
          },
          (res) => {
            const parts: Buffer[] = [];
            res.on('data', (d: Buffer) => parts.push(d));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 502,
                headers: res.headers,
                body: Buffer.concat(parts),
              }),
            );
            res.on('error', reject);
          },
        );
        up.on('error', reject);
        up.end(body);
      },
    );

  const answer = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const putRecords = async (req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer) => {
    const parsed = JSON.parse(raw.toString('utf8')) as {
      StreamName: string;
      Records: { Data: string; PartitionKey: string; ExplicitHashKey?: string }[];
    };
    const entries = parsed.Records.map((r) => ({
      partitionKey: r.PartitionKey,
      data: Buffer.from(r.Data, 'base64'),
    }));
    const fault = script?.({ stream: parsed.StreamName, entries });
    const call: PutCall = { stream: parsed.StreamName, entries, fault, written: [] };
    calls.push(call);
    if (fault?.kind === 'hold') await fault.until;
    if (fault?.kind === 'throttle')
      return answer(res, 400, { __type: THROTTLED, message: 'Rate exceeded for stream' });
    if (fault?.kind === 'internal-error')
      return answer(res, 500, { __type: 'InternalFailure', message: 'injected' });
    const failing = new Set(fault?.kind === 'fail-entries' ? fault.entries : []);
    const keep = parsed.Records.map((_, i) => i).filter((i) => !failing.has(i));
    let results: Record<string, unknown>[] = [];
    if (keep.length > 0) {
      const body = Buffer.from(
        JSON.stringify({ ...parsed, Records: keep.map((i) => parsed.Records[i]) }),
      );
      const up = await forward(req, body);
      if (up.status !== 200) {
        res.writeHead(up.status, up.headers);
        return res.end(up.body);
      }
      results = (JSON.parse(up.body.toString('utf8')) as { Records: Record<string, unknown>[] })
        .Records;
      call.written = keep.filter((_, k) => !results[k]?.ErrorCode);
    }
    if (fault?.kind === 'write-then-internal-error')
      return answer(res, 500, { __type: 'InternalFailure', message: 'injected after the write' });
    const byIndex = new Map(keep.map((i, k) => [i, results[k]]));
    const records = parsed.Records.map(
      (_, i) =>
        byIndex.get(i) ?? {
          ErrorCode: THROTTLED,
          ErrorMessage: `Rate exceeded for shard in stream ${parsed.StreamName}`,
        },
    );
    answer(res, 200, {
      FailedRecordCount: records.filter((r) => r.ErrorCode).length,
      Records: records,
    });
  };

  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const raw = Buffer.concat(parts);
      const isPut = String(req.headers['x-amz-target'] ?? '').endsWith('.PutRecords');
      const done = isPut
        ? putRecords(req, res, raw)
        : forward(req, raw).then((up) => {
            res.writeHead(up.status, up.headers);
            res.end(up.body);
          });
      done.catch(() => {
        // kinesalite unreachable: the client sees the connection fail, as it would without us.
        res.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    setScript: (s) => {
      script = s;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
