// Runs every CMCD schema test vector (schemas/cmcd/<version>/examples) through the generated
// standalone validator and the edge's report check, and holds the schema to what @svta/cml-cmcd
// knows: every CMCD key typed, every event type and player state, nothing it does not know.
import fs from 'node:fs';
import path from 'node:path';
import { CMCD_KEYS, CmcdEventType, CmcdPlayerState, validateCmcd } from '@svta/cml-cmcd';
import { describe, expect, it } from 'vitest';
import { checkReport, withoutItemParams } from '../../edge/cmcd/check.js';
import { CMCD_SID_PATTERN } from '../../edge/cmcd/limits.js';
import { CMCD_SCHEMA_VERSIONS, type CmcdReport } from '../../schemas/cmcd.js';
import { cmcdValidators } from '../../schemas/generated/index.js';

const DIR = path.resolve(import.meta.dirname, '../../schemas/cmcd');

interface InvalidVector {
  description: string;
  expect: {
    keyword: string;
    instancePath: string;
    reason: string;
    params?: Record<string, unknown>;
  };
  data: CmcdReport;
}

function load(version: string, kind: 'valid' | 'invalid'): [string, unknown][] {
  const dir = path.join(DIR, version, 'examples', kind);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))]);
}

function schemaOf(version: string) {
  return JSON.parse(fs.readFileSync(path.join(DIR, `${version}.json`), 'utf8')) as {
    properties: Record<string, { enum?: string[]; pattern?: string }>;
    patternProperties: Record<string, unknown>;
  };
}

describe.each(CMCD_SCHEMA_VERSIONS.map((v) => [v]))('CMCD schema %s', (subject) => {
  const version = subject.replace(/^cmcd-/, '');
  const validate = cmcdValidators[subject];
  const valid = load(version, 'valid') as [string, CmcdReport][];
  const invalid = load(version, 'invalid') as [string, InvalidVector][];

  it('has a generated validator', () => {
    expect(typeof validate).toBe('function');
  });

  it.each(valid)('valid %s passes the schema, cml-cmcd and the edge check', (_f, data) => {
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(
      validateCmcd(withoutItemParams(data), { reportingMode: 'event' }).issues.filter(
        (i) => i.severity === 'error',
      ),
    ).toStrictEqual([]);
    expect(checkReport(data, subject)).toBeUndefined();
  });

  it.each(invalid)('invalid %s fails as expected', (_f, vector) => {
    expect(Object.keys(vector).sort()).toStrictEqual(['data', 'description', 'expect']);
    const { keyword, instancePath, reason, params } = vector.expect;
    expect(validate(vector.data)).toBe(false);
    const err = validate.errors?.[0];
    expect({ keyword: err?.keyword, instancePath: err?.instancePath }).toStrictEqual({
      keyword,
      instancePath,
    });
    if (params) expect(err?.params).toStrictEqual(params);
    expect(checkReport(vector.data, subject)?.reason).toBe(reason);
  });

  it('covers the bad-input classes the edge promises to refuse', () => {
    const keywords = new Set(invalid.map(([, v]) => v.expect.keyword));
    for (const k of [
      'required',
      'type',
      'additionalProperties',
      'enum',
      'const',
      'minimum',
      'maximum',
      'maxLength',
      'pattern',
      'minItems',
    ])
      expect(keywords, k).toContain(k);
  });

  it('types every key cml-cmcd knows, and no other', () => {
    expect(Object.keys(schemaOf(version).properties).sort()).toStrictEqual([...CMCD_KEYS].sort());
  });

  it('lists exactly cml-cmcd event types and player states', () => {
    const { properties } = schemaOf(version);
    expect([...(properties.e.enum ?? [])].sort()).toStrictEqual(
      Object.values(CmcdEventType).sort(),
    );
    expect([...(properties.sta.enum ?? [])].sort()).toStrictEqual(
      Object.values(CmcdPlayerState).sort(),
    );
  });

  it('states the session-id pattern the edge groups by', () => {
    expect(schemaOf(version).properties.sid.pattern).toBe(CMCD_SID_PATTERN.source);
  });

  it.each([
    ['com.example-id', true],
    ['a-b', true],
    ['a--', true],
    ['a-', false],
    ['-ab', false],
    ['Com.example-id', false],
    ['com_example-id', false],
    ['abc', false],
  ])('takes %s as a custom key: %s (as cml-cmcd isCmcdCustomKey)', async (key, custom) => {
    const { isCmcdCustomKey } = await import('@svta/cml-cmcd');
    expect(isCmcdCustomKey(key as never)).toBe(custom);
    const report = { e: 't', sid: 'session-1', ts: 1, v: 2, [key]: 'x' };
    expect(validate(report)).toBe(custom);
  });
});
