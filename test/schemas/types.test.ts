// schemas/ mirrors the JSON Schema files for TypeScript callers; this keeps them in step.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../edge/config.js';
import { schemaVersions } from '../../schemas/generated/index.js';
import {
  CURRENT_SCHEMA_VERSION,
  DEMO_EVENT_TYPES,
  EVENT_TYPES,
  LIMITS,
  SCHEMA_VERSIONS,
  SESSION_END_REASONS,
} from '../../schemas/index.js';
import type { BeaconEvent, EventType } from '../../schemas/index.js';

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

  it('EVENT_TYPES equals the discriminator branches of the current schema', () => {
    const branches = discriminatorBranches(readSchema('1-0-0'));
    expect(new Set(branches).size).toBe(branches.length);
    expect([...EVENT_TYPES].sort()).toStrictEqual([...branches].sort());
  });

  it('the demo event types are event types', () => {
    for (const t of DEMO_EVENT_TYPES) expect(EVENT_TYPES).toContain(t);
  });

  it('LIMITS match the schema and the edge defaults', () => {
    const schema = readSchema('1-0-0');
    const envelope = schema.$defs!.envelope.properties!;
    expect(LIMITS.maxEventsPerBatch).toBe(envelope.events.maxItems);
    expect(LIMITS.idPattern.source).toBe(envelope.session_id.pattern);
    expect(LIMITS.idPattern.source).toBe(schema.$defs!.common.properties!.id.pattern);
    expect(LIMITS.maxBodyBytes).toBe(DEFAULT_CONFIG.maxBodyBytes);
    expect(LIMITS.maxEventsPerBatch).toBe(DEFAULT_CONFIG.maxEvents);
  });

  it('LIMITS.maxLength equals every maxLength the schema sets, and names no other field', () => {
    const schema = readSchema('1-0-0');
    const found: Record<string, number> = {};
    const envelope = schema.$defs!.envelope.properties!;
    for (const [field, node] of Object.entries(envelope))
      if (node.maxLength !== undefined) found[field] = node.maxLength;
    for (const [field, node] of Object.entries(schema.$defs!.error.properties!))
      if (node.maxLength !== undefined) found[`error_${field}`] = node.maxLength;
    expect(found).toStrictEqual(LIMITS.maxLength);
  });

  it('LIMITS.eventNumbers and oneStallMaxMs equal every numeric event bound of the schema', () => {
    const schema = readSchema('1-0-0');
    const found: Record<string, { max: number; integer: boolean }> = {};
    for (const [def, node] of Object.entries(schema.$defs!)) {
      if (def === 'envelope') continue;
      for (const [field, p] of Object.entries(node.properties ?? {})) {
        if (p.maximum === undefined || field === 'seq' || field === 'ts') continue;
        expect(p.minimum, `${def}.${field} minimum`).toBe(0);
        const bound = { max: p.maximum, integer: p.type === 'integer' };
        if (def === 'stall_end' && field === 'stall_ms') {
          expect(bound).toStrictEqual({ max: LIMITS.oneStallMaxMs, integer: false });
          continue;
        }
        expect(found[field] ?? bound, `${def}.${field} agrees across event types`).toStrictEqual(
          bound,
        );
        found[field] = bound;
      }
    }
    expect(found).toStrictEqual(LIMITS.eventNumbers);
  });

  it('LIMITS.viewerIdPattern and maxIdLength match the schema', () => {
    const schema = readSchema('1-0-0');
    expect(LIMITS.viewerIdPattern.source).toBe(
      schema.$defs!.envelope.properties!.viewer_id.pattern,
    );
    expect(LIMITS.idPattern.source.endsWith(`{8,${LIMITS.maxIdLength}}$`)).toBe(true);
    expect(LIMITS.viewerIdPattern.source.endsWith(`{1,${LIMITS.maxViewerIdLength}}$`)).toBe(true);
  });

  it('SESSION_END_REASONS equals the session_end reason enum', () => {
    const schema = readSchema('1-0-0');
    expect(schema.$defs!.session_end.properties!.reason.enum).toStrictEqual([
      ...SESSION_END_REASONS,
    ]);
  });

  it('the BeaconEvent union covers exactly EventType (compile-time)', () => {
    expectTypeOf<BeaconEvent['type']>().toEqualTypeOf<EventType>();
  });
});
