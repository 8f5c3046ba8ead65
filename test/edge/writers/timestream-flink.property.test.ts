/**
 * The `timestream-flink` wire format over generated requests (fuzz/requests.ts, walked out of the
 * beacon JSON Schema, as a possibly buggy player sends them): whatever the ingest core
 * acknowledges becomes exactly one record per event that the Flink job stores as written
 * (test/helpers/flink-rules.ts), with the time the core pipeline would give it. A failure prints
 * fast-check's seed and path (replay with FC_SEED and FC_PATH).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { recordToRows } from '../../../core-pipeline/transform.js';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { ingest } from '../../../edge/ingest/ingest.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import { toFlinkEvents } from '../../../edge/writers/timestream-flink.js';
import { checkRequest } from '../../../fuzz/oracle.js';
import { buildRequest, requestPlans } from '../../../fuzz/requests.js';
import { beaconArbitraries } from '../../../fuzz/schema-arbitrary.js';
import { codePoints, wellFormedChar } from '../../../fuzz/strings.js';
import { EVENT_TYPES } from '../../../schemas/index.js';
import { makeBatch, makeIngestRequest, NOW } from '../../helpers/cloudfront-events.js';
import { flinkViolations } from '../../helpers/flink-rules.js';

const REPLAY = process.env.FC_SEED
  ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH }
  : {};
const PARAMS = { numRuns: 60, interruptAfterTimeLimit: 60_000, ...REPLAY };

const playerRequests = fc.array(requestPlans(beaconArbitraries(), { mutate: false }), {
  minLength: 1,
  maxLength: 6,
});

/** Characters of 1 to 4 UTF-8 bytes, for text at its longest. */
const wideChar = fc.constantFrom('a', 'é', '字', '𝄞');

/** Text of 1..`max` code points: short or exactly `max` of wide characters (records over 2 KB unless cut). */
const upTo = (max: number) =>
  fc.oneof(codePoints(wellFormedChar, 1, Math.min(max, 24)), codePoints(wideChar, max, max));

/** Valid batches of any event types with text fields of any length the schema allows. */
const validBatches = fc.record({
  types: fc.array(fc.constantFrom(...EVENT_TYPES), { minLength: 1, maxLength: 60 }),
  skewMs: fc.integer({ min: -3_600_000, max: 3_600_000 }),
  content_id: upTo(256),
  sdk_name: upTo(64),
  player_version: fc.option(upTo(32), { nil: undefined }),
  code: upTo(64),
  message: fc.option(upTo(512), { nil: undefined }),
  city: fc.option(upTo(128), { nil: undefined }),
});

let counter = 0;
/** Records checked over every run: the property must not pass on requests that were all refused. */
let checked = 0;

describe('timestream-flink records of generated requests (properties)', () => {
  test.prop([playerRequests], PARAMS)(
    'every acknowledged event is exactly one record the job stores as written, with the core time',
    async (plans) => {
      for (const plan of plans) {
        counter += 1;
        const c = await checkRequest(buildRequest(plan, `flink-prop-${counter}`, `f${counter}-`));
        const flink = c.ex.records.flatMap((r) =>
          toFlinkEvents(JSON.parse(JSON.stringify(r))).map((f) => JSON.parse(JSON.stringify(f))),
        );
        const ids = flink.map((f) => f.event_id as string);
        expect(ids.sort()).toStrictEqual(c.promise.accepted.map((e) => e.event_id).sort());
        const coreTime = new Map(c.decoded.events.map((row) => [row.event_id, row.time]));
        checked += flink.length;
        for (const f of flink) {
          expect(flinkViolations(f), JSON.stringify(f)).toStrictEqual([]);
          expect(f.Time).toBe(coreTime.get(f.event_id));
        }
      }
    },
    120_000,
  );

  test.prop([validBatches], { ...PARAMS, numRuns: 40 })(
    'a valid batch of any shape becomes one valid record per event, in order, with the core time',
    async (g) => {
      const batch = makeBatch({
        sent_at: NOW - g.skewMs,
        types: g.types,
        content_id: g.content_id,
        sdk_name: g.sdk_name,
        player_version: g.player_version,
      });
      for (const e of batch.events) {
        if (e.type === 'error') Object.assign(e, { code: g.code, message: g.message });
      }
      const city = g.city === undefined ? null : encodeURIComponent(g.city);
      const writer = new MemoryRecordWriter();
      const res = await ingest(
        makeIngestRequest({ body: batch, headers: { 'cloudfront-viewer-city': city } }),
        { config: DEFAULT_CONFIG, writer, badRows: new MemoryBadRowSink() },
      );
      expect(res.status, res.body).toBe(204);
      const [record] = writer.records;
      const flink = toFlinkEvents(record).map((f) => JSON.parse(JSON.stringify(f)));
      expect(flink.map((f) => f.event_id)).toStrictEqual(batch.events.map((e) => e.id));
      const rows = recordToRows(record, NOW).events;
      checked += flink.length;
      flink.forEach((f, i) => {
        expect(flinkViolations(f), JSON.stringify(f)).toStrictEqual([]);
        expect(f.Time).toBe(rows[i].time);
        expect(f.content_id).toBe(batch.content_id);
      });
    },
    120_000,
  );

  it('checked a meaningful number of records', () => {
    expect(checked).toBeGreaterThan(200);
  });
});
