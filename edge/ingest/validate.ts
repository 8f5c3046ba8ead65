/**
 * Batch validation: schema version, envelope, then every event on its own, so one bad event does
 * not sink the batch. Uses the ajv standalone validators generated at build time (no eval).
 */
import type { EdgeConfig } from '../config.js';
import {
  CURRENT_SCHEMA_VERSION,
  LIMITS,
  type BeaconBatch,
  type BeaconEvent,
  type WireEvent,
} from '../../schemas/index.js';
import { schemaVersions, validators, type ValidationError } from '../../schemas/generated/index.js';
import { isWellFormed } from '../../schemas/storable.js';
import { ENVELOPE_FIELDS, EVENT_FIELDS, firstProblem } from '../../schemas/storage-rules.js';
import { truncate } from './request-gate.js';
import { MAX_EVENT_AHEAD_MS } from './limits.js';
import type { BodyRejection, EventRejection } from './types.js';

/** An event that passed every check, with its index in the batch. */
export interface AcceptedEvent {
  index: number;
  event: WireEvent;
}

/** A rejected event with the raw value the client sent (kept in bad rows). */
export interface RejectedEvent extends EventRejection {
  raw: unknown;
}

/** Outcome of validating a parsed body: envelope, then events. */
export type BatchValidation =
  | { ok: false; rejection: BodyRejection }
  | { ok: true; batch: BeaconBatch; accepted: AcceptedEvent[]; rejected: RejectedEvent[] };

/** Outcome of validating a body's envelope: the batch and the version it is validated with. */
export type EnvelopeValidation =
  | { ok: false; rejection: BodyRejection }
  | { ok: true; batch: BeaconBatch; version: string };

/**
 * Validates a parsed body's envelope against the schema version it names and the config's
 * limits, then against the storage rules (schemas/storage-rules.ts) that the schema cannot state.
 * The events are validated apart ({@link validateEvents}): the ingest core decides the rollout in
 * between, so a refused batch's events are never validated.
 */
export function validateEnvelope(value: unknown, config: EdgeConfig): EnvelopeValidation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(400, 'invalid_envelope', `/ must be a JSON object, got ${describe(value)}`);
  }
  const body = value as Record<string, unknown>;
  const declared = Object.hasOwn(body, 'schema_version') ? body.schema_version : undefined;
  if (typeof declared === 'string' && !schemaVersions.includes(declared)) {
    return fail(
      400,
      'unknown_schema_version',
      `schema_version '${truncate(declared, 40)}' is not supported; supported: ${schemaVersions.join(', ')}`,
    );
  }
  // A missing or mistyped version is an envelope error; the current schema explains it.
  const version = typeof declared === 'string' ? declared : CURRENT_SCHEMA_VERSION;
  const v = validators[version];
  const events = Object.hasOwn(body, 'events') ? body.events : undefined;
  if (Array.isArray(events) && events.length > config.maxEvents) {
    return fail(
      413,
      'too_many_events',
      `${events.length} events in one batch; at most ${config.maxEvents}`,
    );
  }
  if (!v.envelope(body)) return fail(400, 'invalid_envelope', formatError(v.envelope.errors, ''));
  // The schema cannot say "well-formed Unicode" (maxLength counts a lone surrogate as one code
  // point): the storage rules the core reads the record with decide, before anything is stored.
  const unstorable = firstProblem(body, ENVELOPE_FIELDS);
  if (unstorable) {
    return fail(400, 'invalid_envelope', `/${unstorable.field} ${unstorable.problem}`);
  }
  return { ok: true, batch: body as unknown as BeaconBatch, version };
}

/**
 * Validates every event of an envelope-valid batch on its own, against `version`, so one bad
 * event does not sink the batch; problems are listed in `rejected`.
 *
 * @param checkEventStrings false when the body's JSON text has no surrogate escape
 *   (`jsonMayHoldLoneSurrogate`), so no event string can break a rule. Event numbers are not
 *   checked again: the schema's bounds lie inside every column kind (test/schemas checks it from
 *   the schema files), so an event the schema accepts is storable once its strings are.
 */
export function validateEvents(
  batch: BeaconBatch,
  version: string,
  config: EdgeConfig,
  checkEventStrings = true,
): { accepted: AcceptedEvent[]; rejected: RejectedEvent[] } {
  const v = validators[version];
  const accepted: AcceptedEvent[] = [];
  const rejected: RejectedEvent[] = [];
  const seen = new Set<string>();
  const list = batch.events as unknown[];
  for (let index = 0; index < list.length; index++) {
    const raw = list[index];
    if (!v.event(raw)) {
      rejected.push({
        index,
        raw,
        reason: 'invalid_event',
        detail: formatError(v.event.errors, `/events/${index}`),
        ...idOf(raw),
      });
      continue;
    }
    const unstorable = checkEventStrings
      ? firstProblem(raw as Record<string, unknown>, EVENT_FIELDS, true)
      : undefined;
    if (unstorable) {
      rejected.push({
        index,
        raw,
        reason: 'invalid_event',
        detail: `/events/${index}/${unstorable.field} ${unstorable.problem}`,
        ...idOf(raw),
      });
      continue;
    }
    const event = raw as BeaconEvent;
    const ahead = event.ts - batch.sent_at;
    if (ahead > MAX_EVENT_AHEAD_MS || -ahead > config.maxEventAgeMs) {
      const detail = `ts ${event.ts} is ${Math.abs(ahead)} ms ${ahead > 0 ? 'after' : 'before'} sent_at ${batch.sent_at}; allowed: ${config.maxEventAgeMs} ms before, ${MAX_EVENT_AHEAD_MS} ms after`;
      rejected.push({ index, raw, reason: 'timestamp_out_of_range', detail, event_id: event.id });
      continue;
    }
    if (seen.has(event.id)) {
      rejected.push({
        index,
        raw,
        reason: 'duplicate_event_id',
        detail: `event id ${event.id} appears earlier in this batch`,
        event_id: event.id,
      });
      continue;
    }
    seen.add(event.id);
    accepted.push({ index, event });
  }
  return { accepted, rejected };
}

/** `instancePath message`, plus the offending property name where ajv gives one. */
function formatError(errors: ValidationError[] | null | undefined, prefix: string): string {
  const e = errors?.[0];
  if (!e) return `${prefix || '/'} is invalid`;
  const path = `${prefix}${e.instancePath}` || '/';
  const extra = e.params.additionalProperty ?? e.params.unevaluatedProperty;
  const name = typeof extra === 'string' ? `: '${truncate(extra, 64)}'` : '';
  return `${path} ${e.message ?? e.keyword}${name}`;
}

/** The event id when the client sent a plausible one, for the rejection list. */
function idOf(raw: unknown): { event_id?: string } {
  if (typeof raw !== 'object' || raw === null || !Object.hasOwn(raw, 'id')) return {};
  const id = (raw as { id: unknown }).id;
  // Echoed in the response and the bad row, so it must be storable text itself.
  return typeof id === 'string' &&
    id.length > 0 &&
    id.length <= LIMITS.maxIdLength &&
    isWellFormed(id)
    ? { event_id: id }
    : {};
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

function fail(
  status: number,
  reason: BodyRejection['reason'],
  detail: string,
): { ok: false; rejection: BodyRejection } {
  return { ok: false, rejection: { status, reason, detail } };
}
