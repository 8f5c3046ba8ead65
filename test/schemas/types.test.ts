// schemas/ mirrors the JSON Schema files for TypeScript callers; this keeps them in step.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../edge/config.js';
import { schemaVersions } from '../../schemas/generated/index.js';
import { renamedFields } from '../../schemas/upcast.js';
import {
  CURRENT_SCHEMA_VERSION,
  DEMO_EVENT_TYPES,
  DRM_SYSTEMS,
  EVENT_TYPES,
  LIMITS,
  SCHEMA_VERSIONS,
  SESSION_END_REASONS,
} from '../../schemas/index.js';
import type {
  BeaconBatch,
  BeaconEvent,
  BeaconEventV2,
  EventType,
  WireEventOf,
} from '../../schemas/index.js';

/** Every key of any member of a union. */
type AnyKey<T> = T extends unknown ? keyof T : never;
/** The event field names of each TypeScript event union, listed so the compiler checks the lists. */
const V1_EVENT_FIELDS = [
  'type',
  'id',
  'seq',
  'ts',
  'playhead',
  'autoplay',
  'startup_ms',
  'to',
  'seek_ms',
  'stall_ms',
  'bitrate',
  'width',
  'height',
  'level',
  'frame_rate',
  'prev_bitrate',
  'volume',
  'muted',
  'code',
  'message',
  'fatal',
  'played_ms',
  'stall_count',
  'dropped_frames',
  'throughput_kbps',
  'buffer_ms',
  'reason',
] as const satisfies readonly AnyKey<BeaconEvent>[];
// stall_end's stall_ms and the renditions' bitrate keep their names in 2-0-0.
const V2_EVENT_FIELDS = [
  ...V1_EVENT_FIELDS,
  'stall_total_ms',
  'avg_bitrate',
] as const satisfies readonly AnyKey<BeaconEventV2>[];
expectTypeOf<(typeof V1_EVENT_FIELDS)[number]>().toEqualTypeOf<AnyKey<BeaconEvent>>();
expectTypeOf<(typeof V2_EVENT_FIELDS)[number]>().toEqualTypeOf<AnyKey<BeaconEventV2>>();

const schemaDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../schemas/beacon',
);
const SCHEMAVER_FILE = /^(\d+)-(\d+)-(\d+)\.json$/;

interface SchemaNode {
  $ref?: string;
  const?: unknown;
  pattern?: string;
  maxItems?: number;
  maxLength?: number;
  maximum?: number;
  minimum?: number;
  exclusiveMinimum?: number;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  oneOf?: SchemaNode[];
  discriminator?: { propertyName: string };
  $defs?: Record<string, SchemaNode>;
}

function readSchema(version: string): SchemaNode {
  return JSON.parse(fs.readFileSync(path.join(schemaDir, `${version}.json`), 'utf8')) as SchemaNode;
}

/** The `type` constants of the discriminated event union, following each branch's local $ref. */
function discriminatorBranches(schema: SchemaNode): string[] {
  const event = schema.$defs!.event;
  const tag = event.discriminator!.propertyName;
  return event.oneOf!.map((branch) => {
    const name = branch.$ref!.replace('#/$defs/', '');
    return schema.$defs![name].properties![tag].const as string;
  });
}

describe('schemas/index.ts agrees with the schema files', () => {
  it('SCHEMA_VERSIONS equals the SchemaVer files present (and the generated validators)', () => {
    const files = fs
      .readdirSync(schemaDir)
      .filter((f) => SCHEMAVER_FILE.test(f))
      .map((f) => f.replace(/\.json$/, ''));
    expect([...SCHEMA_VERSIONS].sort()).toStrictEqual(files.sort());
    expect([...schemaVersions].sort()).toStrictEqual(files.sort());
    expect(SCHEMA_VERSIONS).toContain(CURRENT_SCHEMA_VERSION);
  });

  it.each(SCHEMA_VERSIONS.map((v) => [v]))('schema %s declares its own version', (version) => {
    const schema = readSchema(version);
    expect(schema.$defs!.envelope.properties!.schema_version.const).toBe(version);
  });

  it.each(SCHEMA_VERSIONS.map((v) => [v]))(
    'EVENT_TYPES equals the discriminator branches of schema %s',
    (version) => {
      const branches = discriminatorBranches(readSchema(version));
      expect(new Set(branches).size).toBe(branches.length);
      expect([...EVENT_TYPES].sort()).toStrictEqual([...branches].sort());
    },
  );

  it('the demo event types are event types', () => {
    for (const t of DEMO_EVENT_TYPES) expect(EVENT_TYPES).toContain(t);
  });

  it.each(SCHEMA_VERSIONS.map((v) => [v]))(
    'LIMITS match schema %s and the edge defaults',
    (version) => {
      const schema = readSchema(version);
      const envelope = schema.$defs!.envelope.properties!;
      expect(LIMITS.maxEventsPerBatch).toBe(envelope.events.maxItems);
      expect(LIMITS.idPattern.source).toBe(envelope.session_id.pattern);
      expect(LIMITS.idPattern.source).toBe(schema.$defs!.common.properties!.id.pattern);
      expect(LIMITS.maxBodyBytes).toBe(DEFAULT_CONFIG.maxBodyBytes);
      expect(LIMITS.maxEventsPerBatch).toBe(DEFAULT_CONFIG.maxEvents);
    },
  );

  // The two BCP 47 fields share one limit, `language`.
  const limitName = (field: string) => (field.endsWith('_language') ? 'language' : field);

  it('LIMITS.maxLength equals every maxLength any schema version sets, and names no other field', () => {
    const found: Record<string, number> = {};
    const add = (name: string, max: number, where: string) => {
      expect(found[name] ?? max, `${where} agrees across fields and versions`).toBe(max);
      found[name] = max;
    };
    for (const version of SCHEMA_VERSIONS) {
      const schema = readSchema(version);
      for (const [field, node] of Object.entries(schema.$defs!.envelope.properties!))
        if (node.maxLength !== undefined)
          add(limitName(field), node.maxLength, `${version} ${field}`);
      for (const [field, node] of Object.entries(schema.$defs!.error.properties!))
        if (node.maxLength !== undefined)
          add(`error_${field}`, node.maxLength, `${version} error.${field}`);
    }
    expect(found).toStrictEqual(LIMITS.maxLength);
  });

  it('LIMITS.eventNumbers and oneStallMaxMs equal every numeric event bound of every schema version', () => {
    const found: Record<string, { max: number; integer: boolean }> = {};
    for (const version of SCHEMA_VERSIONS) {
      const schema = readSchema(version);
      for (const [def, node] of Object.entries(schema.$defs!)) {
        if (def === 'envelope') continue;
        for (const [field, p] of Object.entries(node.properties ?? {})) {
          if (p.maximum === undefined || field === 'seq' || field === 'ts') continue;
          // frame_rate is above 0 (exclusiveMinimum); every other number is from 0.
          expect(p.minimum ?? p.exclusiveMinimum, `${version} ${def}.${field} minimum`).toBe(0);
          const bound = { max: p.maximum, integer: p.type === 'integer' };
          // A renamed field has the bounds of the stored name it is upcast to.
          const stored = renamedFields(version)[def]?.[field] ?? field;
          if (def === 'stall_end' && field === 'stall_ms') {
            expect(bound).toStrictEqual({ max: LIMITS.oneStallMaxMs, integer: false });
            continue;
          }
          expect(
            found[stored] ?? bound,
            `${version} ${def}.${field} agrees across event types and versions`,
          ).toStrictEqual(bound);
          found[stored] = bound;
        }
      }
    }
    expect(found).toStrictEqual(LIMITS.eventNumbers);
  });

  it.each(SCHEMA_VERSIONS.map((v) => [v]))(
    'LIMITS.viewerIdPattern and maxIdLength match schema %s',
    (version) => {
      const schema = readSchema(version);
      expect(LIMITS.viewerIdPattern.source).toBe(
        schema.$defs!.envelope.properties!.viewer_id.pattern,
      );
      expect(LIMITS.idPattern.source.endsWith(`{8,${LIMITS.maxIdLength}}$`)).toBe(true);
      expect(LIMITS.viewerIdPattern.source.endsWith(`{1,${LIMITS.maxViewerIdLength}}$`)).toBe(true);
    },
  );

  it.each(SCHEMA_VERSIONS.map((v) => [v]))(
    'SESSION_END_REASONS equals the session_end reason enum of schema %s',
    (version) => {
      const schema = readSchema(version);
      expect(schema.$defs!.session_end.properties!.reason.enum).toStrictEqual([
        ...SESSION_END_REASONS,
      ]);
    },
  );

  it.each(SCHEMA_VERSIONS.filter((v) => v !== '1-0-0').map((v) => [v]))(
    'DRM_SYSTEMS equals the drm_system enum of schema %s',
    (version) => {
      expect(readSchema(version).$defs!.envelope.properties!.drm_system.enum).toStrictEqual([
        ...DRM_SYSTEMS,
      ]);
    },
  );

  it.each(SCHEMA_VERSIONS.map((v) => [v]))(
    'the TypeScript event fields of schema %s are its event properties',
    (version) => {
      const schema = readSchema(version);
      const props = new Set<string>();
      for (const [def, node] of Object.entries(schema.$defs!)) {
        if (def === 'envelope' || def === 'event') continue;
        for (const key of Object.keys(node.properties ?? {})) props.add(key);
      }
      const typed = version === '2-0-0' ? V2_EVENT_FIELDS : V1_EVENT_FIELDS;
      const allowed = new Set<string>(typed);
      // 1-0-0 is 1-1-0 without its additions: the 1-x type has them all, as optional fields.
      expect([...props].filter((p) => !allowed.has(p))).toStrictEqual([]);
      if (version !== '1-0-0') expect([...allowed].sort()).toStrictEqual([...props].sort());
    },
  );

  it('the BeaconEvent union covers exactly EventType (compile-time)', () => {
    expectTypeOf<BeaconEvent['type']>().toEqualTypeOf<EventType>();
    expectTypeOf<BeaconEventV2['type']>().toEqualTypeOf<EventType>();
    expectTypeOf<WireEventOf<'1-0-0'>>().toEqualTypeOf<BeaconEvent>();
    expectTypeOf<WireEventOf<'1-1-0'>>().toEqualTypeOf<BeaconEvent>();
    expectTypeOf<WireEventOf<'2-0-0'>>().toEqualTypeOf<BeaconEventV2>();
    expectTypeOf<BeaconBatch<'2-0-0'>['events'][number]>().toEqualTypeOf<BeaconEventV2>();
  });
});
