/**
 * "Whatever the edge writes, the core can store", rule by rule. For every field of the storage
 * rules: a value its rule refuses is refused by the edge (the event, or the body) and would have
 * been refused by the core's reader of that field; and every value its rule accepts, at the
 * extremes of its kind (and, for text, at its maximum length), goes into DuckDB without an error
 * (one failing value would fail the whole transaction of a group commit). Lengths through the edge
 * and the core reader: storage-lengths.integration.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordToRows } from '../../core-pipeline/transform.js';
import { DuckDbStore } from '../../core-pipeline/sinks/duckdb.js';
import type { EventRow } from '../../core-pipeline/rows.js';
import {
  EDGE_FIELDS,
  ENVELOPE_FIELDS,
  EVENT_FIELDS,
  GEO_FIELDS,
  RECORD_FIELDS,
  ruleProblem,
  type FieldRule,
} from '../../schemas/storage-rules.js';
import type { EnrichedRecord } from '../../schemas/record.js';
import { ingestOutcome } from '../helpers/ingest-outcome.js';
import { enrichedRecord, event, T0 } from '../helpers/records.js';
import { longestTexts, STORABLE, UNSTORABLE } from '../helpers/storable-values.js';
import { tempDir } from '../helpers/temp-store.js';

/** Values that survive JSON (a request body can carry them). */
const jsonable = (v: unknown) =>
  JSON.stringify(JSON.parse(JSON.stringify(v) ?? 'null')) === JSON.stringify(v);

describe('a value a rule refuses is refused by the edge and by the core reader', () => {
  const eventCases = Object.entries(EVENT_FIELDS).flatMap(([field, rule]) =>
    UNSTORABLE[rule.kind].filter(jsonable).map((v) => [field, v] as const),
  );

  it.each(eventCases)('event field %s = %j', async (field, value) => {
    const edge = await ingestOutcome((b) => {
      b.events[1][field] = value;
    });
    expect(edge.status).toBe(200);
    expect(edge.body.rejected).toMatchObject([{ index: 1, reason: 'invalid_event' }]);
    const core = recordToRows(
      enrichedRecord({
        events: [event('started'), { ...event('paused'), [field]: value } as never],
      }),
      T0,
    );
    expect(core.events).toHaveLength(1);
    expect(core.invalidEvents.map((e) => e.field)).toStrictEqual([field]);
  });

  const envelopeCases = Object.entries(ENVELOPE_FIELDS).flatMap(([field, rule]) =>
    UNSTORABLE[rule.kind].filter(jsonable).map((v) => [field, v] as const),
  );

  it.each(envelopeCases)('envelope field %s = %j', async (field, value) => {
    const edge = await ingestOutcome((b) => {
      b[field] = value;
    });
    expect(edge.status).toBe(400);
    // A schema_version the edge does not know is refused before the envelope is looked at.
    const reasons =
      field === 'schema_version'
        ? ['invalid_envelope', 'unknown_schema_version']
        : ['invalid_envelope'];
    expect(reasons).toContain(edge.body.error);
    // The core repairs a string the edge let through (a backstop) and refuses anything else.
    const record = { ...enrichedRecord(), [field]: value } as unknown as EnrichedRecord;
    if (typeof value === 'string') {
      expect(recordToRows(record, T0).events).toHaveLength(1);
    } else {
      expect(() => recordToRows(record, T0)).toThrow(field);
    }
  });
});

const textRules = (rules: Readonly<Record<string, FieldRule>>) =>
  Object.entries(rules).flatMap(([field, rule]) =>
    rule.kind === 'text' ? [[field, rule.maxLength] as const] : [],
  );

describe('every value a rule accepts is stored by DuckDB', () => {
  const dir = tempDir('storage-rules-');
  let store: DuckDbStore;
  beforeAll(async () => {
    store = await DuckDbStore.open(dir.file('store.duckdb'));
  });
  afterAll(async () => {
    await store.close();
    dir.remove();
  });

  /** One record per (field, extreme value), and the rows the core makes of it. */
  function rowsOf(records: EnrichedRecord[]): EventRow[] {
    return records.flatMap((r) => {
      const { events, invalidEvents } = recordToRows(r, T0);
      expect(invalidEvents).toStrictEqual([]);
      return events;
    });
  }

  it('event fields at the extremes of their kinds', async () => {
    const records: EnrichedRecord[] = [];
    for (const [field, rule] of Object.entries(EVENT_FIELDS)) {
      for (const v of [...STORABLE[rule.kind], ...(rule.required ? [] : [null])]) {
        if (ruleProblem(v, rule) !== undefined) continue;
        // An explicit time keeps ts + skew_ms in range whatever ts is.
        const ev = { ...event('started', { time: T0 }), [field]: v };
        records.push(enrichedRecord({ events: [ev as never] }));
      }
    }
    await expectStored(rowsOf(records));
  });

  it('record, envelope, geo and edge fields at the extremes of their kinds', async () => {
    const records: EnrichedRecord[] = [];
    const groups = [
      [RECORD_FIELDS, (r: EnrichedRecord) => r as unknown as Record<string, unknown>],
      [ENVELOPE_FIELDS, (r: EnrichedRecord) => r as unknown as Record<string, unknown>],
      [GEO_FIELDS, (r: EnrichedRecord) => r.geo as Record<string, unknown>],
      [EDGE_FIELDS, (r: EnrichedRecord) => r.edge as unknown as Record<string, unknown>],
    ] as const;
    for (const [rules, part] of groups) {
      for (const [field, rule] of Object.entries(rules) as [string, FieldRule][]) {
        for (const v of STORABLE[rule.kind]) {
          if (ruleProblem(v, rule) !== undefined) continue;
          const r = enrichedRecord({ events: [event('started', { time: T0 })] });
          part(r)[field] = v;
          records.push(r);
        }
      }
    }
    await expectStored(rowsOf(records));
  });

  it('the longest value of every text rule, ASCII and astral', async () => {
    const records: EnrichedRecord[] = [];
    for (const [field, max] of textRules(EVENT_FIELDS)) {
      for (const v of longestTexts(max)) {
        const ev = { ...event('started', { time: T0 }), [field]: v };
        records.push(enrichedRecord({ events: [ev as never] }));
      }
    }
    const groups = [
      [ENVELOPE_FIELDS, (r: EnrichedRecord) => r as unknown as Record<string, unknown>],
      [GEO_FIELDS, (r: EnrichedRecord) => r.geo as Record<string, unknown>],
      [EDGE_FIELDS, (r: EnrichedRecord) => r.edge as unknown as Record<string, unknown>],
    ] as const;
    for (const [rules, part] of groups) {
      for (const [field, max] of textRules(rules)) {
        for (const v of longestTexts(max)) {
          const r = enrichedRecord({ events: [event('started', { time: T0 })] });
          part(r)[field] = v;
          records.push(r);
        }
      }
    }
    const rows = rowsOf(records);
    // Read whole, not cut: the core keeps a value at its rule's maximum as it is.
    expect(
      rows.some((r) => r.content_id === '😀'.repeat(ENVELOPE_FIELDS.content_id.maxLength)),
    ).toBe(true);
    await expectStored(rows);
  });

  async function expectStored(rows: EventRow[]): Promise<void> {
    expect(rows.length).toBeGreaterThan(20);
    await store.writeBatch({ events: rows, badRows: [], checkpoints: [] });
    const ids = rows.map((r) => r.event_id);
    const [n] = await store.query(
      `SELECT count(*) AS n FROM events WHERE event_id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    expect(n.n).toBe(rows.length);
  }
});
