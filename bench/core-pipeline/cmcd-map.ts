/**
 * Core-side cost of a CMCD report line against a beacon event: Kinesis record bytes → the rows a
 * sink stores. CMCD: the record is read (core-pipeline/record-decoder.ts) and its lines mapped
 * onto canonical events with each session's state carried in memory from record to record (what
 * the AWS sinks do; DuckDB does the same inside its transaction). JSON path: the record is read
 * and flattened (transform.ts). The edge's decode + validate is measured on the edge side; the
 * two together are the CMCD path's per-line cost.
 *
 * Simulated hls.js-like sessions: start, play, a `t` report every 10 s, a response per segment,
 * one stall, two bitrate changes, quit; a request's lines go in one record (as the edge writes).
 */
import { applyCmcd } from '../../core-pipeline/cmcd/apply.js';
import type { CmcdSessionState } from '../../core-pipeline/cmcd/state.js';
import { decodeRecords, type SourceRecord } from '../../core-pipeline/record-decoder.js';
import type { CmcdEntry, CmcdRecord, CmcdReport } from '../../schemas/cmcd.js';
import { simulateTraffic } from '../consumer-influxdb/traffic.js';
import { median, report } from '../report.js';

const NAME = 'cmcd-map';
const ROUNDS = 15;
const SESSIONS = 200;
const LINES_PER_REQUEST = 10;
const T0 = Date.UTC(2026, 10, 28, 0, 0, 0);

/** One session's report lines, in sn order. */
function sessionLines(sid: string, start: number): CmcdReport[] {
  const out: CmcdReport[] = [];
  let ts = start;
  const add = (e: string, extra: CmcdReport = {}) =>
    out.push({ e, sid, cid: 'bench-content', v: 2, sn: out.length, ts, ...extra });
  add('ps', { sta: 's' });
  ts += 1_200;
  add('ps', { sta: 'p', pt: 0 });
  add('bc', { br: [1_500], ot: 'v' });
  for (let s = 1; s <= 300; s++) {
    ts += 1_000;
    if (s % 4 === 0)
      add('rr', {
        url: `https://cdn.example.com/v/seg${s}.m4s?tok=x`,
        ttfb: 40,
        ttlb: 180,
        rc: 200,
        ot: 'v',
      });
    if (s % 10 === 0)
      add('t', { sta: 'p', pb: [1_500], bl: [12_000], mtp: [25_000], pt: s * 1_000 });
    if (s === 120) add('ps', { sta: 'r' });
    if (s === 122) add('ps', { sta: 'p' });
    if (s === 150) add('bc', { br: [3_000], ot: 'v' });
  }
  add('ps', { sta: 'q' });
  return out;
}

function cmcdRecords(): SourceRecord[] {
  const out: SourceRecord[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const sid = `bench-cmcd-session-${i}`;
    const lines = sessionLines(sid, T0 + i * 997);
    for (let k = 0; k < lines.length; k += LINES_PER_REQUEST) {
      const reports: CmcdEntry[] = lines.slice(k, k + LINES_PER_REQUEST).map((r) => ({
        id: `${sid}-${String(r.sn)}`,
        seq: r.sn as number,
        report: r,
      }));
      const record: CmcdRecord = {
        record_version: 1,
        kind: 'cmcd',
        schema_version: 'cmcd-1-0-0',
        received_at: (reports.at(-1)?.report.ts as number) + 200,
        skew_ms: 200,
        session_id: sid,
        content_id: 'bench-content',
        sdk_name: 'cmcd',
        sdk_version: '2',
        player_name: 'hls.js',
        player_version: '1.7.4',
        geo: { country: 'DE', city: 'Berlin', asn: '3320' },
        edge: {
          pop: 'FRA56-P1',
          edge_region: 'eu-central-1',
          serving_region: 'eu-central-1',
          stream_region: 'eu-central-1',
          request_id: `req-${sid}-${k}`,
          device: 'desktop',
        },
        reports,
      };
      out.push(source(Buffer.from(JSON.stringify(record)), out.length));
    }
  }
  return out;
}

function source(data: Uint8Array, i: number): SourceRecord {
  return {
    kind: 'events',
    data,
    stream: 'beacon-edge-events',
    shardId: 'shardId-000000000000',
    sequenceNumber: String(i),
    receivedAt: T0,
  };
}

/** Median ns per row of `work` over the rounds (the first round warms up). */
function time(rows: number, work: () => void): number {
  const ns: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    globalThis.gc?.();
    const t0 = process.hrtime.bigint();
    work();
    if (round > 0) ns.push(Number(process.hrtime.bigint() - t0) / rows);
  }
  return median(ns);
}

const cmcd = cmcdRecords();
const lines = decodeRecords(cmcd, T0).cmcd.reduce((n, b) => n + b.entries.length, 0);
const cmcdNs = time(lines, () => {
  // Records one at a time with the state carried over, as a consumer meets them.
  const states = new Map<string, CmcdSessionState>();
  for (const rec of cmcd) {
    const { cmcd: batches } = decodeRecords([rec], T0);
    const applied = applyCmcd(batches, (sid) => states.get(sid));
    for (const [sid, s] of applied.states) states.set(sid, s);
  }
});

const traffic = await simulateTraffic({ seed: 7, sessions: SESSIONS, startMs: T0 });
const json = traffic.eventRecords.map((r, i) => source(Buffer.from(r.kinesis.data, 'base64'), i));
const events = decodeRecords(json, T0).events.length;
const jsonNs = time(events, () => {
  for (const rec of json) decodeRecords([rec], T0);
});

report(NAME, [
  { metric: 'CMCD lines per round', value: lines },
  { metric: 'CMCD read + map per line (median)', value: Math.round(cmcdNs), unit: 'ns' },
  {
    metric: 'CMCD lines/s, one core (core side)',
    value: Math.round(1e9 / cmcdNs),
    unit: 'lines/s',
  },
  { metric: 'JSON events per round', value: events },
  { metric: 'JSON read + flatten per event (median)', value: Math.round(jsonNs), unit: 'ns' },
  { metric: 'CMCD / JSON cost per row (core side)', value: Number((cmcdNs / jsonNs).toFixed(2)) },
]);
