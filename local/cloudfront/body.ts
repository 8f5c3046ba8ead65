/**
 * Reads a request body the way CloudFront hands it to Lambda@Edge: at most 1 MB is kept and the
 * rest is read and dropped (the connection stays usable) up to a hard cap, past which the client is
 * cut off — a local server should not stream gigabytes into nowhere.
 */
import type { IncomingMessage } from 'node:http';
import { ORIGIN_BODY_LIMIT } from './origin-event.js';

/** Past this many bytes the emulator stops reading and closes the connection. */
const HARD_BODY_CAP = 16 * 1024 * 1024;

/** A body as kept for the origin-request event. */
export interface ReadBody {
  body: Buffer;
  /** True when bytes beyond `keep` arrived and were dropped. */
  cut: boolean;
  /** True when reading stopped at the hard cap: the rest is unread, so close the connection. */
  overCap?: boolean;
}

/** Reads `req` to the end, keeping the first `keep` bytes. Rejects if the client aborts. */
export function readBody(
  req: IncomingMessage,
  keep = ORIGIN_BODY_LIMIT,
  cap = HARD_BODY_CAP,
): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let seen = 0;
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (kept < keep) {
        const part = chunk.length > keep - kept ? chunk.subarray(0, keep - kept) : chunk;
        chunks.push(part);
        kept += part.length;
      }
      if (seen > cap) {
        // Enough to know it is truncated; stop paying for the rest.
        req.pause();
        resolve({ body: Buffer.concat(chunks), cut: true, overCap: true });
      }
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks), cut: seen > kept }));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('client aborted the request')));
  });
}
