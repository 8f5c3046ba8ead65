/**
 * CMCD decode + validate + map throughput per core, as a ratio to the JSON path on the same events.
 *
 * One scripted session of 20 moments (start, first frame, interval reports, pause, resume, a stall,
 * a seek, bitrate changes, mute, end) is written twice: as a beacon batch of 20 events (schema
 * 2-0-0) and as 20 CMCD v2 event-report lines shaped like hls.js 1.7.4's. Each side runs its whole
 * path in this process: the edge's ingest core (request checks, decode, validate, enrich, the record
 * serialized to bytes as the Kinesis writer does) and the core's decode of those bytes into rows
 * (the JSON path's transform; for CMCD the record read plus the stateful mapping onto events).
 * No network, no store.
 *
 * The CMCD side is measured twice: 20 lines per body (the same batching as the JSON side, so the
 * ratio compares per-event work), and one line per body (hls.js's and dash.js's default batch size,
 * where per-request work dominates). Rounds alternate between the sides and the median counts; CPU
 * time per 1,000 events comes from process.cpuUsage over the same rounds, so it stays comparable
 * when the machine is shared.
 */
import { decodeRecords, type SourceRecord } from '../core-pipeline/record-decoder.js';
import { applyCmcd } from '../core-pipeline/cmcd/apply.js';
import type { CmcdSessionState } from '../core-pipeline/cmcd/state.js';
import { DEFAULT_CONFIG } from '../edge/config.js';
import { ingest, type IngestRequest, type RecordWriter } from '../edge/ingest/index.js';
import type { EventType } from '../schemas/index.js';
import { benchBatch, noBadRows, viewerHeaders } from './edge-batches.js';
import { median, report } from './report.js';

const SESSIONS = 200;
const ROUNDS = 7;
/** Events per round on every side, so the sides do the same amount of work per round. */
const EVENTS_PER_ROUND = 40_000;
const encoder = new TextEncoder();

/** The 20 moments of the session, as beacon event types and as CMCD (event, play state). */
const SCRIPT: { type: EventType; e: string; sta: string }[] = [
  { type: 'requested', e: 'ps', sta: 's' },
  { type: 'first_frame', e: 'ps', sta: 'p' },
  { type: 'variant_loaded', e: 'bc', sta: 'p' },
  { type: 'heartbeat', e: 't', sta: 'p' },
  { type: 'heartbeat', e: 't', sta: 'p' },
  { type: 'paused', e: 'ps', sta: 'a' },
  { type: 'resumed', e: 'ps', sta: 'p' },
  { type: 'heartbeat', e: 't', sta: 'p' },
  { type: 'stall_start', e: 'ps', sta: 'r' },
  { type: 'stall_end', e: 'ps', sta: 'p' },
  { type: 'heartbeat', e: 't', sta: 'p' },
  { type: 'bitrate_changed', e: 'bc', sta: 'p' },
  { type: 'heartbeat', e: 't', sta: 'p' },
  { type: 'seeking', e: 'ps', sta: 'k' },
  { type: 'seeked', e: 'ps', sta: 'p' },
  { type: 'heartbeat', e: 't', sta: 'p' },
  { type: 'muted', e: 'm', sta: 'p' },
  { type: 'unmuted', e: 'um', sta: 'p' },
  { type: 'heartbeat', e: 't', sta: 'p' },
  { type: 'ended', e: 'ps', sta: 'e' },
];

/** One hls.js-shaped report line (its keys, sorted as cml-cmcd's encoder sorts them). */
function cmcdLine(sid: string, sn: number, ts: number, e: string, sta: string): string {
  const br = sn < 11 ? 44 : 148;
  const bl = e === 't' || e === 'ps' ? `bl=(${4000 + sn * 100}),` : '';
  return `${bl}br=(${br}),cid="bench-content",e=${e},mtp=(2500),sf=h,sid="${sid}",sn=${sn},st=v,sta=${sta},ts=${ts},v=2`;
}

const now = Date.now();
const headers = viewerHeaders(now);

function request(path: string, contentType: string, text: string, id: string): IngestRequest {
  const body = encoder.encode(text);
  return {
    method: 'POST',
    path,
    query: 'player=hls.js&player_version=1.7.4',
    headers: { ...headers, 'content-type': contentType, 'content-length': String(body.length) },
    body,
    bodyTruncated: false,
    requestId: id,
    servingRegion: 'eu-central-1',
    now,
  };
}

// Requests are built before timing, so no side pays for the harness.
const jsonRequests: IngestRequest[] = [];
const cmcdBatched: IngestRequest[] = [];
const cmcdSingle: IngestRequest[] = [];
for (let i = 0; i < SESSIONS; i++) {
  const batch = benchBatch(
    SCRIPT.map((m) => m.type),
    now,
  );
  jsonRequests.push(
    request('/v1/events', 'text/plain;charset=UTF-8', JSON.stringify(batch), `json-${i}`),
  );
  const sid = `bench-cmcd-session-${String(i).padStart(4, '0')}`;
  const lines = SCRIPT.map((m, sn) => cmcdLine(sid, sn, now - (20 - sn) * 1000, m.e, m.sta));
  cmcdBatched.push(request('/v1/cmcd', 'application/cmcd', lines.join('\n'), `cmcd-${i}`));
  for (const [sn, line] of lines.entries())
    cmcdSingle.push(request('/v1/cmcd', 'application/cmcd', line, `cmcd-${i}-${sn}`));
}

/** The record bytes of the last request, as the Kinesis writer would send them. */
let written: Uint8Array[] = [];
const writer: RecordWriter = {
  async write(records) {
    for (const r of records) written.push(encoder.encode(JSON.stringify(r)));
  },
};
const deps = { config: DEFAULT_CONFIG, writer, badRows: noBadRows };

let sink = 0;
let seq = 0;
function asSource(data: Uint8Array): SourceRecord {
  seq += 1;
  return {
    kind: 'events',
    data,
    stream: 'bench',
    shardId: 'shardId-000000000000',
    sequenceNumber: String(seq),
    receivedAt: now,
  };
}

/** The CMCD mapping's per-session state, kept across requests as a sink keeps it. */
const states = new Map<string, CmcdSessionState>();

/** Runs requests through edge and core until `EVENTS_PER_ROUND` events are rows: events/s and CPU µs. */
async function round(
  requests: readonly IngestRequest[],
  eventsPerRequest: number,
  cmcd: boolean,
): Promise<{ rate: number; cpuUs: number }> {
  const n = EVENTS_PER_ROUND / eventsPerRequest;
  states.clear();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    written = [];
    const res = await ingest(requests[i % requests.length], deps);
    if (res.status !== 204) throw new Error(`unexpected status ${res.status}: ${res.body}`);
    const decoded = decodeRecords(written.map(asSource), now);
    if (cmcd) {
      const applied = applyCmcd(decoded.cmcd, (sid) => states.get(sid));
      for (const [sid, s] of applied.states) states.set(sid, s);
      sink += applied.rows.length;
    } else sink += decoded.events.length;
    if (decoded.badRows.length > 0) throw new Error(`core bad row: ${decoded.badRows[0].reason}`);
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rate: EVENTS_PER_ROUND / secs, cpuUs: cpu.user + cpu.system };
}

const sides = {
  json: () => round(jsonRequests, SCRIPT.length, false),
  cmcd20: () => round(cmcdBatched, SCRIPT.length, true),
  cmcd1: () => round(cmcdSingle, 1, true),
};
type Side = keyof typeof sides;
const rates: Record<Side, number[]> = { json: [], cmcd20: [], cmcd1: [] };
const cpu: Record<Side, number> = { json: 0, cmcd20: 0, cmcd1: 0 };
for (const side of Object.keys(sides) as Side[]) await sides[side](); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const side of Object.keys(sides) as Side[]) {
    const m = await sides[side]();
    rates[side].push(m.rate);
    cpu[side] += m.cpuUs;
  }
}
/** CPU seconds per 1,000 events over all timed rounds of a side. */
const cpuPer1000 = (side: Side) => cpu[side] / 1e6 / ((ROUNDS * EVENTS_PER_ROUND) / 1000);
const ratio20 = median(rates.cmcd20) / median(rates.json);
const ratio1 = median(rates.cmcd1) / median(rates.json);
report('cmcd-throughput', [
  {
    metric: 'JSON path, 20-event batches: edge + core',
    value: median(rates.json),
    unit: 'events/s',
  },
  { metric: 'JSON path, CPU per 1,000 events', value: cpuPer1000('json'), unit: 'CPU s' },
  {
    metric: 'CMCD path, 20-line bodies: edge + core mapping',
    value: median(rates.cmcd20),
    unit: 'events/s',
  },
  {
    metric: 'CMCD path (20-line), CPU per 1,000 events',
    value: cpuPer1000('cmcd20'),
    unit: 'CPU s',
  },
  { metric: 'ratio CMCD (20-line) / JSON', value: ratio20 },
  {
    metric: 'CMCD path, 1-line bodies (players’ default)',
    value: median(rates.cmcd1),
    unit: 'events/s',
  },
  { metric: 'CMCD path (1-line), CPU per 1,000 events', value: cpuPer1000('cmcd1'), unit: 'CPU s' },
  { metric: 'ratio CMCD (1-line) / JSON', value: ratio1 },
]);
if (sink < 0) console.log(sink);
