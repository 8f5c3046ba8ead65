/**
 * Counting what a fuzz run saw (requests per status and reason, refused events per reason, events
 * sent, acknowledged and decoded) and writing a request in a form that can be pasted back.
 */
import type { IngestRequest } from '../edge/ingest/types.js';
import type { Checked } from './oracle.js';

/** Counts over a run. */
export interface Tally {
  inputs: number;
  outcomes: Record<string, number>;
  eventReasons: Record<string, number>;
  eventsSent: number;
  eventsAcknowledged: number;
  eventRows: number;
  badRows: number;
}

/** An accumulator of Tally. */
export function tally(): { add(c: Checked): void; result(): Tally } {
  const t: Tally = {
    inputs: 0,
    outcomes: {},
    eventReasons: {},
    eventsSent: 0,
    eventsAcknowledged: 0,
    eventRows: 0,
    badRows: 0,
  };
  return {
    add(c) {
      t.inputs++;
      const res = c.ex.res;
      const key = res ? `${res.status} ${outcomeName(c)}` : 'threw';
      t.outcomes[key] = (t.outcomes[key] ?? 0) + 1;
      for (const b of c.promise.badRows)
        if (b.index !== null) t.eventReasons[b.reason] = (t.eventReasons[b.reason] ?? 0) + 1;
      t.eventsSent +=
        c.promise.accepted.length + c.promise.badRows.filter((b) => b.index !== null).length;
      t.eventsAcknowledged += c.promise.accepted.length;
      t.eventRows += c.decoded.events.length;
      t.badRows += c.decoded.badRows.length;
    },
    result: () => t,
  };
}

function outcomeName(c: Checked): string {
  const res = c.ex.res;
  if (!res) return 'none';
  if (res.status === 204) return c.promise.accepted.length > 0 ? 'accepted' : 'preflight';
  if (res.status === 200) return 'partial';
  try {
    return String((JSON.parse(res.body ?? '{}') as { error?: unknown }).error);
  } catch {
    return 'unparsable';
  }
}

/** A request as one base64 string (JSON with the body in base64), for `--replay`. */
export function toRepro(req: IngestRequest): string {
  const body = req.body === null ? null : Buffer.from(req.body).toString('base64');
  return Buffer.from(JSON.stringify({ ...req, body })).toString('base64');
}

/** The request of a `toRepro` string. */
export function fromRepro(repro: string): IngestRequest {
  const o = JSON.parse(Buffer.from(repro, 'base64').toString('utf8')) as IngestRequest & {
    body: string | null;
  };
  return { ...o, body: o.body === null ? null : new Uint8Array(Buffer.from(o.body, 'base64')) };
}
