/**
 * The local CloudFront: for each request it runs the built viewer-request CloudFront Function,
 * sends the function's generated response if there is one, and otherwise builds the Lambda@Edge
 * origin-request event and sends what the built origin-request handler returns. The core
 * ({@link emulateRequest}) takes plain data so tests can drive it without sockets; the node:http
 * adapter is {@link createCloudFrontEmulator}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudFrontRequestEvent } from 'aws-lambda';
import { readBody, type ReadBody } from './body.js';
import type { CloudFrontFunctionRuntime } from './function-sandbox.js';
import { makeOriginRequestEvent, newRequestId, type FunctionRequest } from './origin-event.js';
import {
  edgeResultToHttp,
  errorResult,
  functionResponseToHttp,
  isFunctionResponse,
  type HttpResult,
} from './responses.js';
import { makeViewerRequestEvent } from './viewer-event.js';
import { groupHeaders, headerKeys, viewerContext } from './viewer.js';

/** The built origin-request Lambda@Edge handler. */
export type OriginRequestHandler = (event: CloudFrontRequestEvent) => unknown;

/** What the emulator needs; everything else is derived per request. */
export interface EmulatorOptions {
  /** The built viewer-request function, loaded by `loadCloudFrontFunction`. */
  viewerFunction: CloudFrontFunctionRuntime;
  originHandler: OriginRequestHandler;
  distributionId: string;
  distributionDomainName: string;
  /** Lambda@Edge origin-request timeout (CloudFront's maximum is 30 s). */
  lambdaTimeoutMs?: number;
  /** Told about handler failures (never the client IP). */
  onError?: (where: 'viewer-request' | 'origin-request', err: unknown) => void;
}

/** One request as the emulator core sees it. */
export interface EmulatorRequest {
  method: string;
  /** Request target, e.g. `/v1/events?x=1`. */
  target: string;
  remoteAddress: string | undefined;
  rawHeaders: readonly string[];
  readBody: () => Promise<ReadBody>;
}

/**
 * Runs the edge code for one request and returns the response CloudFront would send, with the
 * headers CloudFront adds (`x-amz-cf-id`, `x-amz-cf-pop`, `x-cache`). Never throws: a failing
 * function or handler becomes the 503/502 CloudFront sends.
 */
export async function emulateRequest(
  opts: EmulatorOptions,
  req: EmulatorRequest,
): Promise<HttpResult> {
  const requestId = newRequestId();
  const ctx = viewerContext(req.remoteAddress, req.rawHeaders);
  const clientIp = req.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  const cfHeaders: [string, string][] = [
    ['X-Amz-Cf-Pop', ctx.pop],
    ['X-Amz-Cf-Id', requestId],
    ['Via', '1.1 local.cloudfront.net (CloudFront)'],
  ];
  const withCf = (r: HttpResult, cache: string): HttpResult => ({
    ...r,
    headers: [...r.headers, ['X-Cache', cache], ...cfHeaders],
  });

  let viewerResult: unknown;
  try {
    const event = makeViewerRequestEvent({
      method: req.method,
      uri: req.target,
      headers: groupHeaders(ctx.clientHeaders),
      viewerIp: clientIp,
      requestId,
      distributionId: opts.distributionId,
      distributionDomainName: opts.distributionDomainName,
    });
    viewerResult = await opts.viewerFunction.run(event, ctx.edgeLocation);
  } catch (err) {
    // CloudFront answers 503 when a function throws or returns something invalid.
    opts.onError?.('viewer-request', err);
    return withCf(
      errorResult(503, 'function_execution_error', 'The viewer-request CloudFront Function failed'),
      'FunctionExecutionError from cloudfront',
    );
  }
  if (isFunctionResponse(viewerResult))
    return withCf(
      functionResponseToHttp(viewerResult),
      'FunctionGeneratedResponse from cloudfront',
    );

  let body: ReadBody;
  try {
    body = await req.readBody();
  } catch {
    return errorResult(400, 'request_aborted', 'The client aborted the request body');
  }
  const event = makeOriginRequestEvent({
    request: viewerResult as FunctionRequest,
    headerKeys: headerKeys(ctx.clientHeaders),
    cloudFrontHeaders: ctx.cloudFrontHeaders,
    clientIp,
    body: body.body,
    bodyCut: body.cut,
    requestId,
    distributionId: opts.distributionId,
    distributionDomainName: opts.distributionDomainName,
  });
  try {
    const result = await invokeInRegion(
      opts.originHandler,
      event,
      ctx.edgeLocation.region,
      opts.lambdaTimeoutMs ?? 30_000,
    );
    const { rejectedByCloudFront, ...http } = edgeResultToHttp(result);
    if (rejectedByCloudFront)
      opts.onError?.(
        'origin-request',
        new Error(`invalid handler result: ${http.body.toString()}`),
      );
    return withCf(
      http,
      rejectedByCloudFront
        ? 'LambdaValidationError from cloudfront'
        : 'LambdaGeneratedResponse from cloudfront',
    );
  } catch (err) {
    opts.onError?.('origin-request', err);
    return withCf(
      errorResult(502, 'lambda_execution_error', 'The origin-request Lambda@Edge handler failed'),
      'LambdaExecutionError from cloudfront',
    );
  }
}

/**
 * Calls the handler the way Lambda@Edge runs it in the regional edge cache region: the handler
 * reads `process.env.AWS_REGION` synchronously when called, so it is set just for that moment and
 * restored, which keeps concurrent requests from different POPs apart.
 */
async function invokeInRegion(
  handler: OriginRequestHandler,
  event: CloudFrontRequestEvent,
  region: string,
  timeoutMs: number,
): Promise<unknown> {
  const previous = process.env.AWS_REGION;
  process.env.AWS_REGION = region;
  let pending: unknown;
  try {
    pending = handler(event);
  } finally {
    if (previous === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = previous;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`origin-request handler timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([Promise.resolve(pending), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const FRAMING_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
]);

/** Writes an {@link HttpResult} to a node:http response. */
export function writeResult(
  res: ServerResponse,
  result: HttpResult,
  closeConnection = false,
): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of result.headers) {
    // CloudFront frames the response itself; framing headers from edge code never reach the viewer.
    if (FRAMING_HEADERS.has(name.toLowerCase())) continue;
    const existing = headers[name];
    headers[name] =
      existing === undefined
        ? value
        : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  if (closeConnection) headers.Connection = 'close';
  if (result.status !== 204 && result.status !== 304)
    headers['Content-Length'] = String(result.body.length);
  res.writeHead(result.status, headers);
  res.end(result.status === 204 || result.status === 304 ? undefined : result.body);
}

/** The node:http adapter: `(req, res) => void` for the ingest routes. */
export function createCloudFrontEmulator(
  opts: EmulatorOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    let overCap = false;
    const result = await emulateRequest(opts, {
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      remoteAddress: req.socket.remoteAddress,
      rawHeaders: req.rawHeaders,
      readBody: async () => {
        const body = await readBody(req);
        overCap = body.overCap === true;
        return body;
      },
    });
    if (!res.headersSent && !res.destroyed) writeResult(res, result, overCap);
    if (overCap) res.once('finish', () => req.socket.destroy());
  };
}
