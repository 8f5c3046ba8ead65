/**
 * CMCD requests and report lines for the edge tests: lines encoded by cml-cmcd's own encoder (as
 * the players' reporter encodes them), requests to the CMCD path as the origin-request handler
 * builds them, and the captured real-player bodies of test/fixtures/cmcd/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { encodeCmcd, type Cmcd } from '@svta/cml-cmcd';
import { CMCD_PATH } from '../../schemas/cmcd.js';
import type { IngestRequest } from '../../edge/ingest/types.js';
import { makeIngestRequest, NOW } from './cloudfront-events.js';

/** A session id as hls.js makes them. */
export const SID = '6e2fb550-c457-11e9-bb97-0800200c9a66';

/** One event-mode report line: `e=ps`, `sta=p` at NOW - 1 s, then `fields` over them. */
export function reportLine(fields: Record<string, unknown> = {}): string {
  const data = { e: 'ps', sid: SID, sn: 0, sta: 'p', ts: NOW - 1000, v: 2, ...fields };
  for (const [k, v] of Object.entries(data))
    if (v === undefined) delete (data as Record<string, unknown>)[k];
  return encodeCmcd(data as Cmcd, { version: 2, reportingMode: 'event' });
}

/** A POST to the CMCD path: `application/cmcd` unless `contentType` says otherwise. */
export function cmcdRequest(
  body: string | Uint8Array | null,
  opts: {
    contentType?: string;
    query?: string;
    headers?: Record<string, string>;
    requestId?: string;
  } = {},
): IngestRequest {
  const req = makeIngestRequest({
    uri: CMCD_PATH,
    headers: { 'content-type': opts.contentType ?? 'application/cmcd', ...opts.headers },
    body,
    ...(opts.requestId ? { requestId: opts.requestId } : {}),
  });
  return opts.query === undefined ? req : { ...req, query: opts.query };
}

/** A captured body of test/fixtures/cmcd/<file>: its request line's query and its text. */
export interface CapturedBody {
  n: number;
  query: string;
  body: string;
}

/** Every body of a fixture file, in arrival order (format in test/fixtures/cmcd/README.md). */
export function capturedBodies(file: string): CapturedBody[] {
  const text = fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/cmcd', file), 'utf8');
  const out: CapturedBody[] = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter((l) => l !== '');
    const head = lines.find((l) => /^# \d+ /.test(l));
    if (!head) continue;
    const [, n, target] = /^# (\d+) \S+ POST (\S+)/.exec(head) ?? [];
    if (!target) continue;
    out.push({
      n: Number(n),
      query: target.split('?')[1] ?? '',
      body: `${lines.filter((l) => !l.startsWith('#')).join('\n')}\n`,
    });
  }
  return out;
}
