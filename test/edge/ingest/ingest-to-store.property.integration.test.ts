/**
 * The product's promise as properties, from the request to the DuckDB store: generated requests
 * (fuzz/requests.ts, walked out of the beacon JSON Schema, with hostile variations and byte
 * damage) go through the real ingest core, what it writes is read by the real core decoder and
 * stored by the real DuckDB sink. One store per file, many requests per property run, one
 * writeBatch per run. Each request carries generated rollout rules (fuzz/rollout.ts): its events
 * end up in the store, in bad rows, or counted in exactly one stored rollout refusal (a 410). A failure prints fast-check's seed and path (replay with FC_SEED and
 * FC_PATH, below) and the failing request (replay with `npm run fuzz -- --replay`).
 */
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { DuckDbStore } from '../../../core-pipeline/sinks/duckdb.js';
import {
  type Checked,
  checkRequest,
  compare,
  compareRefusals,
  type EventFacts,
  factsOfRow,
  owedOfRow,
} from '../../../fuzz/oracle.js';
import { buildRequest, type RequestPlan, requestPlans } from '../../../fuzz/requests.js';
import { type RolloutPlan, rolloutPlans, withRollout } from '../../../fuzz/rollout.js';
import { beaconArbitraries } from '../../../fuzz/schema-arbitrary.js';
import { toRepro } from '../../../fuzz/tally.js';
import { tempDir } from '../../helpers/temp-store.js';

/** Cases per property: enough to find the known bugs within a few runs, small enough for CI on two cores. */
const RUNS = 30;
/** `FC_SEED=<seed> FC_PATH=<path> npx vitest run <this file>` replays a printed failure. */
const REPLAY = process.env.FC_SEED
  ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH }
  : {};
const PARAMS = { numRuns: RUNS, interruptAfterTimeLimit: 90_000, ...REPLAY };
const TIMEOUT = 180_000;

const schema = beaconArbitraries();
/** A request plan and the rollout rules it meets at the edge. */
type Plan = [RequestPlan, RolloutPlan];
/** Requests with byte damage, wrong headers, methods and paths among them. */
const anyRequests = fc.array(fc.tuple(requestPlans(schema, { mutate: true }), rolloutPlans()), {
  minLength: 1,
  maxLength: 8,
});
/** Requests as a (possibly buggy) player sends them: no byte damage, so most reach validation. */
const playerRequest = fc.tuple(requestPlans(schema, { mutate: false }), rolloutPlans());

/** The request of a plan, with its rollout headers. */
function requestOf([plan, rollout]: Plan, requestId: string, tag: string) {
  return withRollout(buildRequest(plan, requestId, tag), rollout);
}

let dir: ReturnType<typeof tempDir>;
let store: DuckDbStore;
let counter = 0;

beforeAll(async () => {
  dir = tempDir('ingest-to-store-');
  store = await DuckDbStore.open(dir.file('store.duckdb'));
});

afterAll(async () => {
  await store?.close();
  dir?.remove();
});

/** A fresh request id and event-id tag, so requests never share ids in the one store. */
function fresh(): { requestId: string; tag: string } {
  counter += 1;
  return { requestId: `prop-${process.pid}-${counter}`, tag: `p${counter.toString(36)}-` };
}

/** Sends each plan once, stores everything decoded in one batch, returns the checked requests. */
async function sendAndStore(plans: Plan[]): Promise<Checked[]> {
  const checked: Checked[] = [];
  for (const plan of plans) {
    const { requestId, tag } = fresh();
    checked.push(await checkRequest(requestOf(plan, requestId, tag)));
  }
  await store.writeBatch({
    events: checked.flatMap((c) => c.decoded.events),
    badRows: checked.flatMap((c) => c.decoded.badRows),
    refusals: checked.flatMap((c) => c.decoded.refusals),
    checkpoints: [],
  });
  return checked;
}

async function storedEvents(
  requestIds: string[],
): Promise<(EventFacts & { request_id: string })[]> {
  // content_id is read as its stored UTF-8 bytes: the DuckDB client's string decoding drops a
  // leading U+FEFF, which would hide whether the store kept the value exactly.
  const rows = await store.query(
    `SELECT event_id, type, seq, session_id, hex(encode(content_id)) AS content_hex, request_id FROM events WHERE request_id IN (${requestIds.map(() => '?').join(',')})`,
    requestIds,
  );
  return rows.map((r) => ({
    ...factsOfRow({
      ...(r as Record<string, unknown>),
      content_id: Buffer.from(String(r.content_hex), 'hex').toString('utf8'),
    } as never),
    request_id: String(r.request_id),
  }));
}

/**
 * The bad rows of one request: the edge's, and any the core made for its records (with the
 * request id when it could read it, else `kinesis:<stream>/<shard>/<sequence>`, see oracle.ts).
 */
async function storedBadRows(requestId: string) {
  const rows = await store.query(
    `SELECT reason, status, "index", source, detail FROM bad_rows WHERE request_id = ? OR request_id LIKE ?`,
    [requestId, `kinesis:%/${requestId}-%`],
  );
  return rows.map((r) => owedOfRow(r as never));
}

/** The stored rollout refusals of one request. */
async function storedRefusals(requestId: string) {
  const rows = await store.query(
    'SELECT reason, events, request_id, status FROM rollout_refusals WHERE request_id = ?',
    [requestId],
  );
  return rows as { reason: string; events: number; request_id: string; status: number }[];
}

/** Violations with the request that caused them, replayable with `npm run fuzz -- --replay`. */
function explain(c: Checked, violations: string[]): string[] {
  return violations.length === 0 ? [] : [...violations, `replay: ${toRepro(c.ex.req)}`];
}

describe('ingest → core decoder → DuckDB, over generated requests (properties)', () => {
  test.prop([anyRequests], PARAMS)(
    '(1) no input throws or yields a 5xx, and the store takes whatever was written',
    async (plans) => {
      const checked = await sendAndStore(plans);
      for (const c of checked) {
        expect(c.ex.thrown).toBeUndefined();
        expect(c.ex.res?.status, c.ex.res?.body).toBeLessThan(500);
      }
    },
    TIMEOUT,
  );

  test.prop([fc.array(playerRequest, { minLength: 1, maxLength: 8 })], PARAMS)(
    '(2) the events a response acknowledges are exactly the events stored, each once',
    async (plans) => {
      const checked = await sendAndStore(plans);
      for (const c of checked) {
        const events = await storedEvents([c.ex.req.requestId]);
        const badRows = await storedBadRows(c.ex.req.requestId);
        const violations = [
          ...compare(
            c.promise,
            events.map(({ request_id: _, ...e }) => e),
            badRows,
          ),
          ...compareRefusals(
            c.promise,
            c.ex.req.requestId,
            await storedRefusals(c.ex.req.requestId),
          ),
        ];
        expect(explain(c, violations)).toStrictEqual([]);
      }
    },
    TIMEOUT,
  );

  test.prop([anyRequests], PARAMS)(
    '(3) every refused event and every refused body is exactly one bad row with a documented reason',
    async (plans) => {
      const checked = await sendAndStore(plans);
      for (const c of checked) {
        // promiseOf already flags an undocumented reason in the response; here the stored rows must match it.
        const badRows = await storedBadRows(c.ex.req.requestId);
        const events = await storedEvents([c.ex.req.requestId]);
        const violations = [
          ...compare(
            c.promise,
            events.map(({ request_id: _, ...e }) => e),
            badRows,
          ),
          ...compareRefusals(
            c.promise,
            c.ex.req.requestId,
            await storedRefusals(c.ex.req.requestId),
          ),
        ];
        expect(explain(c, [...c.violations, ...violations])).toStrictEqual([]);
      }
    },
    TIMEOUT,
  );

  test.prop([playerRequest, fc.integer({ min: 2, max: 4 })], PARAMS)(
    '(4) a client retrying the same batch any number of times stores each event once',
    async (plan, attempts) => {
      const { tag } = fresh();
      const tries: Checked[] = [];
      for (let i = 0; i < attempts; i++) {
        // A retry is a new request (new id) with the same bytes; each lands in its own store batch.
        const c = await checkRequest(requestOf(plan, fresh().requestId, tag));
        await store.writeBatch({
          events: c.decoded.events,
          badRows: c.decoded.badRows,
          refusals: c.decoded.refusals,
          checkpoints: [],
        });
        tries.push(c);
      }
      for (const c of tries) expect(c.ex.res).toStrictEqual(tries[0].ex.res);
      const ids = tries.map((c) => c.ex.req.requestId);
      const events = await storedEvents(ids);
      const violations = compare(
        tries[0].promise,
        events.map(({ request_id: _, ...e }) => e),
        (await storedBadRows(ids[0])).map((b) => b),
      );
      expect(explain(tries[0], violations)).toStrictEqual([]);
      // A refused event is one bad row however often it is sent (kept with the first attempt);
      // a refusal that names no event (a refused body, an event without a usable id) is kept
      // with every attempt, as each attempt is its own request.
      for (const c of tries.slice(1)) {
        const rows = await storedBadRows(c.ex.req.requestId);
        const perAttempt = c.ex.edgeBadRows.filter((b) => b.event_id === undefined);
        expect(rows.length).toBe(perAttempt.length);
      }
    },
    TIMEOUT,
  );
});
