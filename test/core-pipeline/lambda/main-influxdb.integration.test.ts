/**
 * The product's promise on the AWS path, on this machine: simulated sessions through the real edge
 * ingest core, their Kinesis records through the real consumer handler (main.ts, Powertools and
 * all) into the InfluxDB sink on Debian's real influxd (v1 API), read back with InfluxQL. Every
 * acknowledged event is one point, every refusal one bad row with its reason, a replay changes
 * nothing; and when the store fails, the handler reports the unstored records so nothing is
 * acknowledged to Lambda that is not stored, and a redelivery stores everything exactly once.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerHandler } from '../../../core-pipeline/lambda/main.js';
import { InfluxDbSink } from '../../../core-pipeline/sinks/influxdb.js';
import {
  type SimulatedTraffic,
  simulateTraffic,
} from '../../../bench/consumer-influxdb/traffic.js';
import { type Influxd, startInfluxd } from '../../helpers/influxd.js';
import { kinesisStreamEvent, kinesisStreamRecord } from '../../helpers/lambda-kinesis-events.js';
import { capturedPowertools } from '../../helpers/powertools.js';
import { enrichedRecord, event, jsonBytes } from '../../helpers/records.js';
import { type FaultMode, startFaultProxy } from '../../helpers/influx-fault-proxy.js';

const START = Date.UTC(2026, 10, 28, 11, 0, 0);
const BAD_ROW_STREAM = 'beacon-edge-bad-rows';
let influx: Influxd;
let dbNo = 0;

beforeAll(async () => {
  influx = await startInfluxd();
}, 30_000);
afterAll(() => influx?.stop());

async function freshDb(): Promise<string> {
  const db = `consumer_${++dbNo}`;
  await influx.createDatabase(db);
  return db;
}

function consumer(url: string, database: string, extra: Record<string, number> = {}) {
  const { logger, metrics, logs, emf } = capturedPowertools();
  const sink = new InfluxDbSink({ config: { url, database, ...extra } });
  const handler = createConsumerHandler({
    sink,
    badRowStreams: [BAD_ROW_STREAM],
    logger,
    metrics,
    maxRowsPerWrite: extra.maxRowsPerWrite,
  });
  return { handler, logs, emf };
}

/** Rows of a GROUP BY count as `{ "<tag values joined by |>": n }`. */
async function countsBy(db: string, q: string, tags: string[]): Promise<Record<string, number>> {
  const [r] = await influx.query(q, db);
  const out: Record<string, number> = {};
  for (const s of r.series ?? [])
    out[tags.map((t) => s.tags?.[t] ?? '').join('|')] = Number(s.values[0][1]);
  return out;
}

async function scalar(db: string, q: string): Promise<number> {
  const [r] = await influx.query(q, db);
  return Number(r.series?.[0]?.values[0]?.[1] ?? 0);
}

/** Hands records to the handler in batches of `size`, as an event source mapping would. */
async function deliver(
  handler: ReturnType<typeof consumer>['handler'],
  records: KinesisStreamRecord[],
  size = 100,
) {
  const failures: string[] = [];
  for (let i = 0; i < records.length; i += size) {
    const res = await handler(kinesisStreamEvent(records.slice(i, i + size)));
    failures.push(...res.batchItemFailures.map((f) => f.itemIdentifier));
  }
  return failures;
}

describe('simulated traffic → edge → consumer handler → influxd', () => {
  let traffic: SimulatedTraffic;
  let db: string;
  let c: ReturnType<typeof consumer>;
  const unreadable = kinesisStreamRecord(new TextEncoder().encode('{"record_version":1,'));

  beforeAll(async () => {
    traffic = await simulateTraffic({
      seed: 9,
      sessions: 40,
      startMs: START,
      spoilEvery: 7,
      brokenEvery: 19,
    });
    db = await freshDb();
    c = consumer(influx.url, db);
    expect(await deliver(c.handler, [...traffic.eventRecords, unreadable])).toStrictEqual([]);
    expect(await deliver(c.handler, traffic.badRowRecords)).toStrictEqual([]);
  }, 60_000);

  it('the traffic is realistic: many types, slices and both kinds of refusal', () => {
    expect(traffic.accepted).toBeGreaterThan(1000);
    expect(Object.keys(traffic.acceptedByType).length).toBeGreaterThanOrEqual(10);
    expect(Object.keys(traffic.acceptedBySlice).length).toBeGreaterThan(30);
    expect(Object.keys(traffic.badRowsByReason).sort()).toStrictEqual([
      'invalid_event',
      'invalid_json',
    ]);
  });

  it('stores every acknowledged event once, per type and per (pop, type) slice', async () => {
    expect(await scalar(db, 'SELECT count(event_id) FROM beacon_events')).toBe(traffic.accepted);
    expect(await scalar(db, 'SELECT count(distinct(event_id)) FROM beacon_events')).toBe(
      traffic.accepted,
    );
    expect(
      await countsBy(db, 'SELECT count(event_id) FROM beacon_events GROUP BY "type"', ['type']),
    ).toStrictEqual(traffic.acceptedByType);
    expect(
      await countsBy(db, 'SELECT count(event_id) FROM beacon_events GROUP BY pop, "type"', [
        'pop',
        'type',
      ]),
    ).toStrictEqual(traffic.acceptedBySlice);
  });

  it('stores every refusal as one bad row with its reason, and the unreadable record too', async () => {
    expect(
      await countsBy(db, 'SELECT count(payload) FROM beacon_bad_rows GROUP BY reason', ['reason']),
    ).toStrictEqual({
      ...traffic.badRowsByReason,
      unreadable_record: 1,
    });
  });

  it('publishes the counts as EMF metrics, one document per invocation', () => {
    const sum = (name: string) => c.emf.reduce((n, d) => n + Number(d[name] ?? 0), 0);
    expect(c.emf.length).toBe(
      Math.ceil((traffic.eventRecords.length + 1) / 100) +
        Math.ceil(traffic.badRowRecords.length / 100),
    );
    expect(sum('RecordsIn')).toBe(traffic.eventRecords.length + 1 + traffic.badRowRecords.length);
    expect(sum('EventsWritten')).toBe(traffic.accepted);
    expect(sum('WriteFailures')).toBe(0);
  });

  it('a replayed batch changes nothing', async () => {
    const q = 'SELECT count(event_id) FROM beacon_events GROUP BY pop, "type"';
    const before = await countsBy(db, q, ['pop', 'type']);
    const beforeBad = await scalar(db, 'SELECT count(payload) FROM beacon_bad_rows');
    expect(await deliver(c.handler, traffic.eventRecords.slice(0, 100))).toStrictEqual([]);
    expect(await deliver(c.handler, traffic.badRowRecords)).toStrictEqual([]);
    expect(await countsBy(db, q, ['pop', 'type'])).toStrictEqual(before);
    expect(await scalar(db, 'SELECT count(payload) FROM beacon_bad_rows')).toBe(beforeBad);
  });

  it('keeps points with the same tags and millisecond but different event ids', async () => {
    const rec = enrichedRecord({
      session_id: 'sess-same-ms-1',
      events: [0, 1, 2, 3, 4].map((seq) =>
        event('heartbeat', { seq, ts: START, played_ms: 1000, stall_ms: 0, stall_count: 0 }),
      ),
    });
    expect(await deliver(c.handler, [kinesisStreamRecord(jsonBytes(rec))])).toStrictEqual([]);
    expect(
      await scalar(
        db,
        "SELECT count(event_id) FROM beacon_events WHERE session_id = 'sess-same-ms-1'",
      ),
    ).toBe(5);
  });

  it('hostile strings round-trip through the handler', async () => {
    const message = 'q"uote, back\\slash = trail\\ \n é😀 \t end\\';
    const rec = enrichedRecord({
      session_id: 'sess-hostile-1',
      events: [event('error', { code: 'E,1 =x"', message, fatal: true })],
    });
    expect(await deliver(c.handler, [kinesisStreamRecord(jsonBytes(rec))])).toStrictEqual([]);
    const [r] = await influx.query(
      "SELECT error_code, error_message, fatal FROM beacon_events WHERE session_id = 'sess-hostile-1'",
      db,
    );
    expect(r.series?.[0].values.map((v) => v.slice(1))).toStrictEqual([['E,1 =x"', message, true]]);
  });
});

describe('store faults: nothing acknowledged that is not stored, then exactly once', () => {
  let traffic: SimulatedTraffic;
  beforeAll(async () => {
    traffic = await simulateTraffic({ seed: 21, sessions: 12, startMs: START });
  }, 60_000);

  /** Fast-failing settings so a fault costs milliseconds, not the production budget. */
  const FAST = {
    requestTimeoutMs: 300,
    retryBudgetMs: 600,
    backoffBaseMs: 20,
    backoffMaxMs: 100,
    maxRowsPerWrite: 200,
  };

  it.each<FaultMode>(['500', 'hang', 'down'])(
    'the store answers %s mid-batch: reported from the first unstored record, then recovered',
    async (mode) => {
      const db = await freshDb();
      const proxy = await startFaultProxy(influx.url);
      try {
        const c = consumer(proxy.url, db, FAST);
        const records = traffic.eventRecords;
        // The first two writes go through, then the store fails.
        proxy.failAfter(2, mode);
        const res = await c.handler(kinesisStreamEvent(records));
        const failed = res.batchItemFailures.map((f) => f.itemIdentifier);
        expect(failed.length).toBeGreaterThan(0);
        const firstFailed = records.findIndex((r) => r.kinesis.sequenceNumber === failed[0]);
        expect(failed).toStrictEqual(
          records.slice(firstFailed).map((r) => r.kinesis.sequenceNumber),
        );
        expect(firstFailed).toBeGreaterThan(0);
        // Everything before the first reported record (what Lambda checkpoints) is stored.
        const acknowledged = records.slice(0, firstFailed).flatMap((r) => eventIds(r));
        const stored = await storedIds(db);
        expect(acknowledged.every((id) => stored.has(id))).toBe(true);
        expect(c.emf.at(-1)?.WriteFailures).toBe(1);
        expect(c.logs.at(-1)).toMatchObject({ level: 'ERROR', storedRecords: firstFailed });

        // Lambda redelivers from the lowest reported sequence number once the store is back.
        proxy.heal();
        const again = await c.handler(kinesisStreamEvent(records.slice(firstFailed)));
        expect(again).toStrictEqual({ batchItemFailures: [] });
        expect(await scalar(db, 'SELECT count(event_id) FROM beacon_events')).toBe(
          traffic.accepted,
        );
        expect(await scalar(db, 'SELECT count(distinct(event_id)) FROM beacon_events')).toBe(
          traffic.accepted,
        );
      } finally {
        await proxy.stop();
      }
    },
    60_000,
  );
});

function eventIds(r: KinesisStreamRecord): string[] {
  const rec = JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()) as {
    events: { id: string }[];
  };
  return rec.events.map((e) => e.id);
}

async function storedIds(db: string): Promise<Set<string>> {
  const [r] = await influx.query('SELECT event_id FROM beacon_events', db);
  return new Set((r.series?.[0]?.values ?? []).map((v) => String(v[1])));
}
