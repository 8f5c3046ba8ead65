/**
 * A scripted AWS JSON 1.1 service behind the edge clients' HTTP transport seam: each request is
 * decoded the way the service would (X-Amz-Target, JSON body, base64 `Data`), recorded, and
 * answered by the test's handler with a real JSON response (or error response) that the client
 * parses. No sockets, so it runs under fake timers; the same client over real sockets, compared
 * with the SDK's, is in test/edge/writers/aws-json-client.test.ts.
 */
import type { HttpRequest, HttpTransport } from '../../edge/writers/http-transport.js';

/** One call as the fake service saw it: the operation and its input with `Data` decoded. */
export interface FakeCall {
  operation: string;
  /** Region from the request's credential scope. */
  region: string;
  input: Record<string, unknown>;
}

/** An error answer: what a service sends for a failed call. */
export class FakeServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** Answers one call: an output, a FakeServiceError (thrown or rejected), or a promise that never settles. */
export type FakeHandler = (call: FakeCall) => unknown;

/** The fake and what it recorded. */
export interface FakeAwsJson {
  /** Pass as the writers' `transport` option. */
  transport: () => HttpTransport;
  calls: FakeCall[];
  /** Inputs of one operation, in order. */
  inputs(operation: string): Record<string, unknown>[];
  setHandler(h: FakeHandler): void;
}

/** `Records[].Data` from base64 back to bytes (a plain Uint8Array, as the writers passed it). */
function decodeInput(input: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(input.Records)) return input;
  return {
    ...input,
    Records: (input.Records as Record<string, unknown>[]).map((r) =>
      typeof r.Data === 'string'
        ? { ...r, Data: new Uint8Array(Buffer.from(r.Data, 'base64')) }
        : r,
    ),
  };
}

function regionOf(req: HttpRequest): string {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
}

/** Credentials for clients talking to the fake: it ignores signatures, but the client signs every call. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

/**
 * A fake whose handler starts as "succeed with an empty output".
 * @example
 * const aws = fakeAwsJson();
 * aws.setHandler(({ input }) => ({ FailedRecordCount: 0, Records: [...] }));
 * new KinesisRecordWriter({ budgetMs: 3000, transport: aws.transport });
 */
export function fakeAwsJson(): FakeAwsJson {
  const calls: FakeCall[] = [];
  let handler: FakeHandler = () => ({});
  const json = (status: number, body: unknown) => ({
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: Buffer.from(JSON.stringify(body)),
  });
  const transport: HttpTransport = {
    async send(req) {
      const target = req.headers['x-amz-target'] ?? '';
      const call: FakeCall = {
        operation: target.slice(target.indexOf('.') + 1),
        region: regionOf(req),
        input: decodeInput(JSON.parse(Buffer.from(req.body).toString('utf8'))),
      };
      calls.push(call);
      try {
        return json(200, await handler(call));
      } catch (err) {
        if (!(err instanceof FakeServiceError)) throw err;
        return json(err.status, { __type: err.type, message: err.message });
      }
    },
    destroy() {},
  };
  return {
    transport: () => transport,
    calls,
    inputs: (operation) => calls.filter((c) => c.operation === operation).map((c) => c.input),
    setHandler: (h) => {
      handler = h;
    },
  };
}
