/**
 * Simulated viewer traffic for the Grafana panel tests: seeded playback sessions from several POPs,
 * countries, ASNs and devices (slow starts, stalls, fatal errors, sessions that never end), turned
 * into rows by the real core decoder, and bad rows; then written to a real influxd as the InfluxDB
 * sink's points. The rows returned are the truth the tests compute their expected numbers from.
 */
import { decodeRecords, type SourceRecord } from '../../core-pipeline/record-decoder.js';
import type { EventRow, StoredBadRow } from '../../core-pipeline/rows.js';
import { badRowPoint, eventPoint, type Point } from '../../core-pipeline/sinks/influxdb-schema.js';
import { encodePoints } from '../../core-pipeline/sinks/line-protocol.js';
import type { EnrichedEvent, GeoContext } from '../../schemas/record.js';
import { badRow, edgeContext, enrichedRecord, event, jsonBytes } from './records.js';

/** A deterministic PRNG (mulberry32), so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Where viewers come from: POP, its region, and the viewers' country and ASN (none for some). */
const PLACES: { pop: string; region: string; geo: GeoContext }[] = [
  { pop: 'FRA56-C1', region: 'eu-central-1', geo: { country: 'DE', asn: '3320' } },
  { pop: 'FRA56-C1', region: 'eu-central-1', geo: { country: 'AT', asn: '8447' } },
  { pop: 'SIN2-C1', region: 'ap-southeast-1', geo: { country: 'SG', asn: '9506' } },
  { pop: 'IAD89-C1', region: 'us-east-1', geo: { country: 'US', asn: '7922' } },
  { pop: 'IAD89-C1', region: 'us-east-1', geo: { country: 'US' } },
];
const DEVICES = ['desktop', 'mobile', 'smarttv'] as const;

/** The traffic as stored rows. */
export interface Traffic {
  events: EventRow[];
  badRows: StoredBadRow[];
}

/**
 * `sessions` playback sessions starting in [fromMs, fromMs + spanMs), each well inside the span,
 * plus `badRows` bad rows. Every event's time stays below fromMs + spanMs.
 */
export function simulateTraffic(opts: {
  seed: number;
  fromMs: number;
  spanMs: number;
  sessions: number;
  badRows: number;
}): Traffic {
  const rnd = prng(opts.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const records: SourceRecord[] = [];
  const origin = (n: number, at: number) => ({
    stream: 'beacon-edge-events',
    shardId: 'shardId-000000000000',
    sequenceNumber: String(n),
    receivedAt: at,
  });
  for (let s = 0; s < opts.sessions; s++) {
    const place = pick(PLACES);
    // Sessions last up to ~2.5 min; they start early enough to end inside the span.
    const t0 = opts.fromMs + int(1_000, opts.spanMs - 200_000);
    const events = sessionEvents(t0, rnd, int);
    const last = events[events.length - 1].ts;
    const skew = int(-300, 300);
    const edge = { ...edgeContext(`req-${s}`, place.pop, place.region), device: pick(DEVICES) };
    const record = enrichedRecord({
      received_at: last + 500,
      skew_ms: skew,
      geo: { ...place.geo },
      edge,
      events: events.map((e) => ({ ...e, time: e.ts + skew })),
    });
    records.push({ kind: 'events', data: jsonBytes(record), ...origin(s, last + 500) });
  }
  for (let i = 0; i < opts.badRows; i++) {
    const at = opts.fromMs + int(0, opts.spanMs - 1);
    const row = badRow({
      received_at: at,
      reason: pick(['invalid_event', 'invalid_json', 'body_too_large']),
      pop: pick(PLACES).pop,
    });
    records.push({ kind: 'bad_rows', data: jsonBytes(row), ...origin(opts.sessions + i, at) });
  }
  const rows = decodeRecords(records, opts.fromMs + opts.spanMs);
  return { events: rows.events, badRows: rows.badRows };
}

/** One session's events: a start (or a start failure), then playback with stalls and counters. */
function sessionEvents(
  t0: number,
  rnd: () => number,
  int: (lo: number, hi: number) => number,
): EnrichedEvent[] {
  const out: EnrichedEvent[] = [event('requested', { ts: t0, autoplay: rnd() < 0.5 })];
  let t = t0;
  // One session in ten fails before its first frame.
  if (rnd() < 0.1) {
    out.push(event('error', { ts: t + int(500, 3000), code: 'MEDIA_ERR_NETWORK', fatal: true }));
    out.push(
      event('session_end', {
        ts: t + 3500,
        played_ms: 0,
        stall_ms: 0,
        stall_count: 0,
        reason: 'error',
      }),
    );
    return withSeq(out);
  }
  const startup = int(150, 6000);
  t += startup;
  const bitrate = [800_000, 2_500_000, 5_000_000][int(0, 2)];
  out.push(event('first_frame', { ts: t, startup_ms: startup }));
  out.push(event('started', { ts: t }));
  out.push(event('variant_loaded', { ts: t + 10, bitrate, width: 1280, height: 720, level: 1 }));
  let played = 0;
  let stallMs = 0;
  let stalls = 0;
  for (let beat = 0; beat < int(1, 4); beat++) {
    for (let k = 0; k < int(0, 2); k++) {
      t += int(1_000, 5_000);
      played += 3_000;
      const kind = int(0, 2);
      if (kind === 0) {
        const d = int(250, 4_000);
        out.push(event('stall_start', { ts: t }));
        out.push(event('stall_end', { ts: t + d, stall_ms: d }));
        t += d;
        stallMs += d;
        stalls += 1;
      } else if (kind === 1) {
        out.push(event('paused', { ts: t }));
        out.push(event('resumed', { ts: t + 2_000 }));
        t += 2_000;
      } else {
        out.push(event('volume_changed', { ts: t, volume: int(0, 10) / 10, muted: false }));
      }
    }
    t += int(5_000, 20_000);
    played += 10_000;
    out.push(
      event('heartbeat', {
        ts: t,
        played_ms: played,
        stall_ms: stallMs,
        stall_count: stalls,
        bitrate,
      }),
    );
  }
  if (rnd() < 0.08) {
    t += 1_000;
    out.push(event('error', { ts: t, code: 'DECODE', fatal: true }));
  }
  // Three sessions in four end inside the window; the rest are still playing.
  if (rnd() < 0.75)
    out.push(
      event('session_end', {
        ts: t + 1_000,
        played_ms: played,
        stall_ms: stallMs,
        stall_count: stalls,
        reason: 'ended',
      }),
    );
  return withSeq(out);
}

function withSeq(events: EnrichedEvent[]): EnrichedEvent[] {
  return events.map((e, seq) => ({ ...e, seq }));
}

/**
 * An event's point with `source` as a tag, as the dashboards' contract has it (grafana/
 * source-panel.ts). The sink writes it so once its EVENT_TAGS lists `source`; until then this
 * moves the field to a tag. A row without a source (stored before it existed) gets no tag.
 */
function eventPointWithSource(row: EventRow): Point {
  const p = eventPoint(row);
  if (p.tags.some(([k]) => k === 'source')) return p;
  const tags: [string, string][] = row.source ? [...p.tags, ['source', row.source]] : p.tags;
  return {
    ...p,
    tags: tags.sort(([a], [b]) => (a < b ? -1 : 1)),
    fields: p.fields.filter(([k]) => k !== 'source'),
  };
}

/** Writes the traffic to influxd as the InfluxDB sink's points (`/write`, ns precision). */
export async function writeTraffic(url: string, db: string, traffic: Traffic): Promise<void> {
  const body = encodePoints([
    ...traffic.events.map(eventPointWithSource),
    ...traffic.badRows.map((r) => badRowPoint(r)),
  ]);
  const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}&precision=ns`, {
    method: 'POST',
    body,
  });
  if (res.status !== 204)
    throw new Error(`influxd /write answered ${res.status}: ${await res.text()}`);
}
