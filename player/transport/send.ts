/**
 * The two ways out of the page. `fetch` with keepalive and a text/plain body (a CORS-simple
 * request: no preflight, and keepalive lets it outlive the page); `sendBeacon` with a text/plain
 * Blob when the page is being hidden or closed, where a fetch might not start.
 */
import type { FetchLike, SendBeaconLike } from '../config/ports.js';
import type { RejectedEvent } from './results.js';
import { parseRetryAfter } from './retry.js';

/** Result of one fetch attempt. */
interface FetchOutcome {
  /** HTTP status, or null when the request failed on the network. */
  status: number | null;
  retryAfterMs?: number;
  /** Events the edge refused (200 partial acceptance, 400 no_valid_events). */
  rejected: RejectedEvent[];
  /** Edge error reason (`{"error": ...}` bodies), when present, with its detail and upgrade. */
  reason?: string;
  detail?: string;
  upgrade?: string;
  /** `Deprecation` and `Sunset` headers, when the edge sent them. */
  deprecation?: string;
  sunset?: string;
  /** The network error, when status is null. */
  error?: unknown;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function parseBody(text: string): Pick<FetchOutcome, 'rejected' | 'reason' | 'detail' | 'upgrade'> {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    return {
      rejected: Array.isArray(j.rejected) ? (j.rejected as RejectedEvent[]) : [],
      reason: str(j.error),
      detail: str(j.detail),
      upgrade: str(j.upgrade),
    };
  } catch {
    return { rejected: [] };
  }
}

/** POSTs one body; never rejects. `signal` aborts a request that hangs (counted as a network failure). */
export async function sendFetch(
  fetchFn: FetchLike,
  url: string,
  body: string,
  nowMs: number,
  signal?: AbortSignal,
): Promise<FetchOutcome> {
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    const init: RequestInit = {
      method: 'POST',
      keepalive: true,
      body,
      headers: { 'content-type': 'text/plain' },
    };
    if (signal) init.signal = signal;
    res = await fetchFn(url, init);
  } catch (error) {
    return { status: null, rejected: [], error };
  }
  const status = typeof res.status === 'number' ? res.status : null;
  let text = '';
  if (status !== 204) {
    try {
      text = await res.text();
    } catch {
      // The status alone decides what happens next.
    }
  }
  const header = (name: string): string | undefined => {
    try {
      return res.headers.get(name) ?? undefined;
    } catch {
      return undefined; // no headers
    }
  };
  return {
    status,
    retryAfterMs: parseRetryAfter(header('retry-after') ?? null, nowMs),
    deprecation: header('deprecation'),
    sunset: header('sunset'),
    ...parseBody(text),
  };
}

/** Hands one body to sendBeacon; true when the browser queued it. Never throws. */
export function sendWithBeacon(beacon: SendBeaconLike, url: string, body: string): boolean {
  try {
    const data = typeof Blob === 'function' ? new Blob([body], { type: 'text/plain' }) : body;
    return beacon(url, data) === true;
  } catch {
    return false;
  }
}
