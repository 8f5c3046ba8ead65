/**
 * Lengths, rule by rule: for every text field of the storage rules, a value one code point over
 * its maximum is refused by the edge (the event, or the body) and by the core's reader of that
 * field (an event's own string refuses that event; a shared string is cut on a whole code point,
 * every event stored); header values are cut by both; and the longest value the schema lets a
 * client send is acknowledged and read whole. The DuckDB side (the longest value of every rule
 * is stored) is in storage-rules.integration.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { recordToRows } from '../../core-pipeline/transform.js';
import type { EventRow } from '../../core-pipeline/rows.js';
import type { EventType } from '../../schemas/events.js';
import type { EnrichedRecord } from '../../schemas/record.js';
import { cutCodePoints } from '../../schemas/storable.js';
import {
  EDGE_FIELDS,
  ENVELOPE_FIELDS,
  EVENT_FIELDS,
  GEO_FIELDS,
  type FieldRule,
} from '../../schemas/storage-rules.js';
import { ingestOutcome, onlyRecord } from '../helpers/ingest-outcome.js';
import { enrichedRecord, event, T0 } from '../helpers/records.js';
import { longestTexts, tooLongTexts } from '../helpers/storable-values.js';

/** The event type that carries each event text field (the schema refuses it on other types). */
const CARRIER: Readonly<Record<string, EventType>> = {
  id: 'paused',
  type: 'paused',
  code: 'error',
  message: 'error',
  reason: 'session_end',
};

/** Fields whose longest value the schema accepts only in ASCII (a pattern), or not at all (names). */
const ASCII_ONLY = new Set(['id', 'session_id', 'viewer_id']);
const NAMES = new Set(['type', 'reason', 'schema_version', 'drm_system']);
/** BCP 47 tags: the longest the schema's pattern accepts is subtags of up to 8 letters. */
const LANGUAGE_TAGS = new Set(['audio_language', 'subtitle_language']);

/** The first schema version with an envelope field (1-0-0 when not listed): the batch declares it. */
const SINCE: Readonly<Record<string, string>> = {
  drm_system: '1-1-0',
  audio_language: '1-1-0',
  subtitle_language: '1-1-0',
};

/** The longest values of a field the edge acknowledges (none for names: only known ones pass). */
function edgeLongest(field: string, max: number): readonly string[] {
  if (NAMES.has(field)) return [];
  if (LANGUAGE_TAGS.has(field)) return [longestLanguageTag(max)];
  const [ascii, astral] = longestTexts(max);
  return ASCII_ONLY.has(field) ? [ascii] : [ascii, astral];
}

/** A well-formed BCP 47 tag of exactly `max` characters: `aaaaaaaa-aaaaaaaa-…`. */
function longestLanguageTag(max: number): string {
  let tag = 'a'.repeat(8);
  while (tag.length + 9 <= max) tag += `-${'a'.repeat(8)}`;
  if (tag.length < max) tag += `-${'a'.repeat(max - tag.length - 1)}`;
  expect(tag).toHaveLength(max);
  return tag;
}

/** Puts an envelope field into the batch, declaring the version that has it. */
function setEnvelope(b: Record<string, unknown>, field: string, value: string): void {
  if (Object.hasOwn(SINCE, field)) b.schema_version = SINCE[field];
  b[field] = value;
}

const textRules = (rules: Readonly<Record<string, FieldRule>>) =>
  Object.entries(rules).flatMap(([field, rule]) =>
    rule.kind === 'text' ? [[field, rule.maxLength] as const] : [],
  );

describe('lengths: one code point over a rule is refused by the edge and by the core reader', () => {
  const eventCases = textRules(EVENT_FIELDS).flatMap(([field, max]) =>
    tooLongTexts(max).map((v) => [field, max, v] as const),
  );

  it.each(eventCases)('event field %s (max %d), %#', async (field, max, value) => {
    const second = CARRIER[field];
    expect(second, `a carrier type for ${field}`).toBeDefined();
    const edge = await ingestOutcome(
      (b) => {
        b.events[1][field] = value;
      },
      { second },
    );
    expect(edge.status).toBe(200);
    expect(edge.body.rejected).toMatchObject([{ index: 1, reason: 'invalid_event' }]);
    expect(edge.badRows.map((r) => [r.reason, r.index])).toStrictEqual([['invalid_event', 1]]);
    expect(edge.records[0].events).toHaveLength(1);
    const core = recordToRows(
      enrichedRecord({
        events: [event('started'), { ...event(second), [field]: value } as never],
      }),
      T0,
    );
    expect(core.events).toHaveLength(1);
    expect(core.invalidEvents.map((e) => [e.field, e.detail])).toStrictEqual([
      [field, `must be at most ${max} characters`],
    ]);
  });

  it.each(
    textRules(EVENT_FIELDS).flatMap(([field, max]) =>
      edgeLongest(field, max).map((v) => [field, max, v] as const),
    ),
  )(
    'event field %s at its maximum (%d) is acknowledged and read whole, %#',
    async (field, _max, value) => {
      const edge = await ingestOutcome(
        (b) => {
          b.events[1][field] = value;
        },
        { second: CARRIER[field] },
      );
      expect(edge.status).toBe(204);
      const record = onlyRecord(edge.records);
      expect(record.events[1][field]).toBe(value);
      expect(recordToRows(record as unknown as EnrichedRecord, T0).invalidEvents).toStrictEqual([]);
    },
  );

  const envelopeCases = textRules(ENVELOPE_FIELDS).flatMap(([field, max]) =>
    tooLongTexts(max).map((v) => [field, max, v] as const),
  );

  it.each(envelopeCases)('envelope field %s (max %d), %#', async (field, max, value) => {
    const edge = await ingestOutcome((b) => setEnvelope(b, field, value));
    expect(edge.status).toBe(400);
    expect(edge.body.error).toBe(
      field === 'schema_version' ? 'unknown_schema_version' : 'invalid_envelope',
    );
    expect(edge.records).toStrictEqual([]);
    expect(edge.badRows.map((r) => r.reason)).toStrictEqual([edge.body.error]);
    // The core's backstop for a shared string: cut on a whole code point, every event stored.
    const record = { ...enrichedRecord(), [field]: value } as unknown as EnrichedRecord;
    const { events, invalidEvents } = recordToRows(record, T0);
    expect(invalidEvents).toStrictEqual([]);
    const column = field as keyof EventRow;
    expect(events.map((e) => e[column])).toStrictEqual([cutCodePoints(value, max)]);
    expect([...(events[0][column] as string)]).toHaveLength(max);
  });

  it.each(
    textRules(ENVELOPE_FIELDS).flatMap(([field, max]) =>
      edgeLongest(field, max).map((v) => [field, max, v] as const),
    ),
  )(
    'envelope field %s at its maximum (%d) is acknowledged and read whole, %#',
    async (field, _max, value) => {
      const edge = await ingestOutcome((b) => setEnvelope(b, field, value));
      expect(edge.status).toBe(204);
      const record = onlyRecord(edge.records);
      expect(record[field]).toBe(value);
      expect(
        recordToRows(record as unknown as EnrichedRecord, T0).events.map(
          (e) => e[field as keyof EventRow],
        ),
      ).toStrictEqual([value, value]);
    },
  );

  const HEADER_OF: Readonly<Record<string, string>> = {
    country: 'cloudfront-viewer-country',
    region: 'cloudfront-viewer-country-region',
    city: 'cloudfront-viewer-city',
    time_zone: 'cloudfront-viewer-time-zone',
    asn: 'cloudfront-viewer-asn',
  };

  it.each(
    textRules(GEO_FIELDS).flatMap(([field, max]) =>
      tooLongTexts(max).map((v) => [field, max, v] as const),
    ),
  )('geo field %s (max %d) is cut by the edge and by the core, %#', async (field, max, value) => {
    const edge = await ingestOutcome(() => {}, { headers: { [HEADER_OF[field]]: value } });
    expect(edge.status).toBe(204);
    const written = onlyRecord(edge.records);
    expect(written.geo[field]).toBe(cutCodePoints(value, max));
    const record = enrichedRecord({ geo: { [field]: value } });
    const row = recordToRows(record, T0).events[0] as unknown as Record<string, unknown>;
    expect(row[field === 'region' ? 'country_region' : field]).toBe(cutCodePoints(value, max));
  });

  it.each(
    textRules(EDGE_FIELDS).flatMap(([field, max]) =>
      tooLongTexts(max).map((v) => [field, max, v] as const),
    ),
  )('edge field %s (max %d) is cut by the core, %#', async (field, max, value) => {
    if (field === 'request_id') {
      const edge = await ingestOutcome(() => {}, { requestId: value });
      expect(edge.status).toBe(204);
      const written = onlyRecord(edge.records);
      expect(written.edge.request_id).toBe(cutCodePoints(value, max));
    }
    const record = enrichedRecord();
    (record.edge as unknown as Record<string, unknown>)[field] = value;
    const row = recordToRows(record, T0).events[0] as unknown as Record<string, unknown>;
    expect(row[field]).toBe(cutCodePoints(value, max));
  });
});
