/**
 * Simulated traffic as the consumer Lambda receives it: realistic sessions from the simulator
 * (local/sim: scripted playback, viewers spread over POPs, networks and devices), batched as the
 * SDK sends them, run through the real edge ingest core (memory writers in place of Kinesis and
 * Firehose), and turned into Lambda Kinesis records of the events stream and the bad-row stream.
 *
 * Beside the records it returns what the edge acknowledged and refused, counted per type, per
 * (pop, type) slice and per bad-row reason: the numbers a test reads back from the store, and
 * the workload of the consumer benchmark.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { DEFAULT_CONFIG, EDGE_HEADER } from '../../edge/config.js';
import { ingest } from '../../edge/ingest/ingest.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../edge/writers/memory.js';
import { makeBatch, spoilOneEvent } from '../../local/sim/batch.js';
import { drawViewer, viewerHeaders } from '../../local/sim/geography.js';
import { createRng } from '../../local/sim/random.js';
import { scriptSession, stampEvent, URGENT_TYPES } from '../../local/sim/session.js';
import type { BeaconEvent } from '../../schemas/index.js';
import { kinesisStreamRecord } from './lambda-kinesis-events.js';

/** Options of {@link simulateTraffic}. */
export interface TrafficOptions {
  seed: number;
  sessions: number;
  /** Server clock at the first session's start (ms). */
  startMs: number;
  /** Every n-th batch gets one spoiled event (an edge `invalid_event` bad row); 0 for none. */
  spoilEvery?: number;
  /** Every n-th batch is sent as broken JSON instead (an `invalid_json` bad row); 0 for none. */
  brokenEvery?: number;
  eventsStream?: string;
  badRowsStream?: string;
}

/** The Kinesis records the consumer reads, and what the edge said about them. */
export interface SimulatedTraffic {
  /** Records of the events stream, in the order the edge wrote them. */
  eventRecords: KinesisStreamRecord[];
  /** Records of the bad-row stream. */
  badRowRecords: KinesisStreamRecord[];
  /** Events the edge acknowledged. */
  accepted: number;
  acceptedByType: Record<string, number>;
  /** Keyed `pop|type`. */
  acceptedBySlice: Record<string, number>;
  badRowsByReason: Record<string, number>;
  requests: number;
}

/** The AWS region whose edge serves a POP, by its country (enough for slices in a test). */
function regionOf(country: string): string {
  if (country === 'US') return 'us-east-1';
  if (country === 'BR') return 'sa-east-1';
  if (['GB', 'FR', 'DE', 'NL'].includes(country)) return 'eu-central-1';
  if (country === 'AU') return 'ap-southeast-2';
  return 'ap-southeast-1';
}

const add = (m: Record<string, number>, k: string, n = 1) => {
  m[k] = (m[k] ?? 0) + n;
};

/** Builds the traffic of `sessions` simulated sessions. Deterministic for a seed and start. */
export async function simulateTraffic(opts: TrafficOptions): Promise<SimulatedTraffic> {
  const rng = createRng(opts.seed);
  const writer = new MemoryRecordWriter();
  const badRows = new MemoryBadRowSink();
  const out: SimulatedTraffic = {
    eventRecords: [],
    badRowRecords: [],
    accepted: 0,
    acceptedByType: {},
    acceptedBySlice: {},
    badRowsByReason: {},
    requests: 0,
  };
  let batchNo = 0;
  for (let s = 0; s < opts.sessions; s++) {
    const script = scriptSession(rng, { bad: rng.chance(0.1) });
    const viewer = drawViewer(rng);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(viewerHeaders(viewer, rng))) headers[k.toLowerCase()] = v;
    delete headers['x-beacon-pop'];
    const start = opts.startMs + s * 1_000;
    // The SDK flushes at an urgent event, at 20 events, or when the next event is 5 s later.
    let pending: BeaconEvent[] = [];
    const send = async () => {
      if (pending.length === 0) return;
      batchNo++;
      const last = pending[pending.length - 1];
      let batch = makeBatch(script, pending, last.ts + 20);
      if (opts.spoilEvery && batchNo % opts.spoilEvery === 0) batch = spoilOneEvent(batch);
      let body = JSON.stringify(batch);
      if (opts.brokenEvery && batchNo % opts.brokenEvery === 0) body = body.slice(0, -7);
      const receivedAt = last.ts + 60;
      out.requests++;
      await ingest(
        {
          method: 'POST',
          path: '/v1/events',
          headers: {
            ...headers,
            'content-type': 'text/plain;charset=UTF-8',
            origin: 'https://player.example',
            [EDGE_HEADER]: `pop=${viewer.pop};region=${regionOf(viewer.place.country)};t=${receivedAt}`,
          },
          body: new TextEncoder().encode(body),
          bodyTruncated: false,
          requestId: `req-${opts.seed}-${batchNo}`,
          servingRegion: regionOf(viewer.place.country),
          now: receivedAt,
        },
        { config: DEFAULT_CONFIG, writer, badRows },
      );
      pending = [];
    };
    for (let i = 0; i < script.events.length; i++) {
      const ev = stampEvent(script, i, start + script.events[i].at);
      if (pending.length > 0 && ev.ts - pending[pending.length - 1].ts > 5_000) await send();
      pending.push(ev);
      if (pending.length >= 20 || URGENT_TYPES.has(ev.type)) await send();
    }
    await send();
  }
  const arrival = (t: number) => ({ arrivalMs: t + 100 });
  for (const r of writer.records) {
    for (const e of r.events) {
      out.accepted++;
      add(out.acceptedByType, e.type);
      add(out.acceptedBySlice, `${r.edge.pop}|${e.type}`);
    }
    out.eventRecords.push(
      kinesisStreamRecord(new TextEncoder().encode(JSON.stringify(r)), {
        stream: opts.eventsStream ?? 'beacon-edge-events',
        ...arrival(r.received_at),
      }),
    );
  }
  for (const b of badRows.rows) {
    add(out.badRowsByReason, b.reason);
    out.badRowRecords.push(
      kinesisStreamRecord(new TextEncoder().encode(JSON.stringify(b)), {
        stream: opts.badRowsStream ?? 'beacon-edge-bad-rows',
        ...arrival(b.received_at),
      }),
    );
  }
  return out;
}
