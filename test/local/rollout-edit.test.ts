/**
 * What `beacons rollout set|clear` writes into one key, and every refusal with its exact words:
 * the CLI never writes a value the edge cannot read back or CloudFront cannot hold.
 */
import { describe, expect, it } from 'vitest';
import { KVS_MAX_ENTRY_BYTES } from '../../edge/kvs.js';
import { parseRules, type RolloutRule } from '../../edge/rollout.js';
import {
  buildRule,
  currentRules,
  type RuleOptions,
  scopeOf,
  withoutRule,
  withRule,
} from '../../local/rollout-edit.js';

const TODAY = '2026-11-30';

describe('scopeOf', () => {
  it.each([
    ['1-0-0', 'schema'],
    ['12-3-45', 'schema'],
    ['beacon-edge-web@0.1.0', 'sdk'],
    ['@scope/sdk@1.0.0', 'sdk'],
    ['cmcd-1-0-0', 'schema'],
    ['cmcd@2', 'sdk'],
  ])('%s is a %s rule', (subject, scope) => {
    expect(scopeOf(subject)).toBe(scope);
  });

  it.each(['1.0.0', 'beacon-edge-web', '1-0'])('%s is refused', (subject) => {
    expect(() => scopeOf(subject)).toThrow(
      `"${subject}" is neither a schema version (MODEL-REVISION-ADDITION, e.g. 1-0-0, or cmcd-1-0-0 for CMCD reports) nor an SDK release (<sdk_name>@<sdk_version>, e.g. beacon-edge-web@0.1.0)`,
    );
  });
});

describe('buildRule', () => {
  it.each<[string, string, RuleOptions, RolloutRule]>([
    ['1-0-0', 'live', {}, { scope: 'schema', subject: '1-0-0', state: 'live' }],
    [
      '1-0-0',
      'deprecated',
      { sunset: '2027-03-01' },
      {
        scope: 'schema',
        subject: '1-0-0',
        state: 'deprecated',
        since: TODAY,
        sunset: '2027-03-01',
      },
    ],
    [
      '1-1-0',
      'deprecated',
      { since: '2026-11-01', upgrade: '2-0-0', sample: '0.5' },
      {
        scope: 'schema',
        subject: '1-1-0',
        state: 'deprecated',
        since: '2026-11-01',
        upgrade: '2-0-0',
        sample: 0.5,
      },
    ],
    [
      '2-0-0',
      'live',
      { sample: '0.1' },
      { scope: 'schema', subject: '2-0-0', state: 'live', sample: 0.1 },
    ],
    [
      'beacon-edge-web@0.1.0',
      'retired',
      { upgrade: '0.3.0' },
      { scope: 'sdk', subject: 'beacon-edge-web@0.1.0', state: 'retired', upgrade: '0.3.0' },
    ],
  ])('%s %s %j', (subject, state, opts, rule) => {
    expect(buildRule(subject, state, opts, TODAY)).toStrictEqual(rule);
  });

  it.each<[string, string, RuleOptions, string]>([
    [
      '1-2-0',
      'retired',
      {},
      'schema version 1-2-0 is not a schema version this edge bundles (1-0-0, 1-1-0, 2-0-0, cmcd-1-0-0); a rule for it would never apply',
    ],
    ['1-0-0', 'gone', {}, 'the state must be one of live, deprecated, retired, got "gone"'],
    [
      '1-0-0',
      'retired',
      { sample: '0.5' },
      '--sample does not apply to retired: a retired version is refused for every session',
    ],
    [
      '1-0-0',
      'live',
      { sunset: '2027-01-01' },
      '--sunset only applies to deprecated (the Deprecation and Sunset headers)',
    ],
    [
      '1-0-0',
      'retired',
      { since: '2027-01-01' },
      '--since only applies to deprecated (the Deprecation and Sunset headers)',
    ],
    ['1-0-0', 'live', { upgrade: '2-0-0' }, '--upgrade only applies to deprecated or retired'],
    [
      '1-0-0',
      'retired',
      { upgrade: '3-0-0' },
      '--upgrade 3-0-0 is not a schema version this edge bundles (1-0-0, 1-1-0, 2-0-0, cmcd-1-0-0); a rule for it would never apply',
    ],
    ['1-0-0', 'retired', { upgrade: '1-0-0' }, '--upgrade 1-0-0 is the version being retired'],
    ['web@1.0', 'retired', { upgrade: '1.0' }, '--upgrade 1.0 is the version being retired'],
    ['1-0-0', 'live', { sample: '1.5' }, "--sample must be a number from 0 to 1, got '1.5'"],
    ['1-0-0', 'live', { sample: 'half' }, "--sample must be a number from 0 to 1, got 'half'"],
    [
      '1-0-0',
      'deprecated',
      { sunset: '2027-02-30' },
      "--sunset must be a date YYYY-MM-DD, got '2027-02-30'",
    ],
    [
      '1-0-0',
      'deprecated',
      { since: '30.11.2026' },
      "--since must be a date YYYY-MM-DD, got '30.11.2026'",
    ],
    [
      '1-0-0',
      'deprecated',
      { sunset: '2026-11-30' },
      '--sunset 2026-11-30 must be after --since 2026-11-30',
    ],
    [
      'web@1.0',
      'retired',
      { upgrade: '2.0,sample=0' },
      '--upgrade "2.0,sample=0" has a space, comma, colon or =',
    ],
    ['web@1.0', 'retired', { upgrade: '2.0!' }, "--upgrade must be a version, got '2.0!'"],
    ['web@', 'live', {}, "an SDK release is <name>@<version>, got 'web@'"],
    ['web sdk@1.0', 'live', {}, "subject 'web sdk@1.0' has characters a rule cannot carry"],
  ])('refuses %s %s %j', (subject, state, opts, message) => {
    expect(() => buildRule(subject, state, opts, TODAY)).toThrow(message);
  });
});

describe('withRule / withoutRule', () => {
  const deprecated = buildRule('1-0-0', 'deprecated', {}, TODAY);
  const canary = buildRule('2-0-0', 'live', { sample: '0.1' }, TODAY);

  it('adds to a missing key, to `-`, and replaces the rule of the same subject in place', () => {
    expect(withRule(undefined, deprecated)).toBe('1-0-0:deprecated,since=2026-11-30');
    expect(withRule('-', deprecated)).toBe('1-0-0:deprecated,since=2026-11-30');
    const two = withRule(withRule(undefined, deprecated), canary);
    expect(two).toBe('1-0-0:deprecated,since=2026-11-30 2-0-0:live,sample=0.1');
    const retired = buildRule('1-0-0', 'retired', {}, TODAY);
    expect(withRule(two, retired)).toBe('1-0-0:retired 2-0-0:live,sample=0.1');
    // What it writes, the edge reads back whole.
    expect(parseRules('schema', withRule(two, retired))).toStrictEqual({
      rules: [retired, canary],
      problems: [],
    });
  });

  it('removes a rule; the last one leaves `-` (not a missing key, which means the built-in rules); a subject without a rule is unchanged', () => {
    const two = '1-0-0:deprecated,since=2026-11-30 2-0-0:live,sample=0.1';
    expect(withoutRule('schema', two, '1-0-0')).toStrictEqual({
      value: '2-0-0:live,sample=0.1',
      unchanged: false,
    });
    expect(withoutRule('schema', '2-0-0:live,sample=0.1', '2-0-0')).toStrictEqual({
      value: '-',
      unchanged: false,
    });
    expect(withoutRule('schema', two, '1-1-0')).toStrictEqual({ value: two, unchanged: true });
    expect(withoutRule('sdk', undefined, 'web@1.0')).toStrictEqual({
      value: undefined,
      unchanged: true,
    });
  });

  it('refuses to edit a value holding entries the edge cannot read', () => {
    const message =
      'rollout.schemas holds entries the edge cannot read ("1-0-0:gone": state must be one of live, deprecated, retired); fix or remove them in the store first, so a change does not hide them';
    expect(() => currentRules('schema', '1-0-0:gone 2-0-0:live')).toThrow(message);
    expect(() => withRule('1-0-0:gone', canary)).toThrow(message);
    expect(() => withoutRule('schema', '1-0-0:gone', '1-0-0')).toThrow(message);
  });

  it('refuses a value over the KeyValueStore limit and says how many rules fit', () => {
    let value: string | undefined;
    let n = 0;
    const rule = (i: number) =>
      buildRule(`beacon-edge-web@0.${i}.0`, 'retired', { upgrade: '9.9.9' }, TODAY);
    // Fill the key up to the limit.
    for (;;) {
      try {
        value = withRule(value, rule(n));
        n++;
      } catch (err) {
        expect((err as Error).message).toMatch(
          /^rollout\.sdks would be \d+ bytes with \d+ rules, over the KeyValueStore's 1024 bytes per key and value: about \d+ rules of this length fit\. Clear rules no longer needed first \(beacons rollout clear <subject>\)$/,
        );
        const [, bytes, rules, fit] = /be (\d+) bytes with (\d+) rules.*about (\d+) rules/.exec(
          (err as Error).message,
        )!;
        expect(Number(bytes)).toBeGreaterThan(KVS_MAX_ENTRY_BYTES);
        expect(Number(rules)).toBe(n + 1);
        // The count it names is the count that fitted (the rules here have about one length).
        expect(Math.abs(Number(fit) - n)).toBeLessThanOrEqual(1);
        break;
      }
    }
    expect(Buffer.byteLength(`rollout.sdks${value}`)).toBeLessThanOrEqual(KVS_MAX_ENTRY_BYTES);
    expect(n).toBeGreaterThan(20);
  });
});

describe('CMCD subjects', () => {
  it('sets the CMCD report schema and CMCD versions like any schema and SDK release', () => {
    expect(buildRule('cmcd-1-0-0', 'retired', {}, TODAY)).toStrictEqual({
      scope: 'schema',
      subject: 'cmcd-1-0-0',
      state: 'retired',
    });
    expect(buildRule('cmcd@2', 'live', { sample: '0.5' }, TODAY)).toStrictEqual({
      scope: 'sdk',
      subject: 'cmcd@2',
      state: 'live',
      sample: 0.5,
    });
  });

  it('refuses an unbundled CMCD schema, and an upgrade across the two kinds of schema', () => {
    expect(() => buildRule('cmcd-9-0-0', 'retired', {}, TODAY)).toThrow(
      'schema version cmcd-9-0-0 is not a schema version this edge bundles',
    );
    expect(() => buildRule('cmcd-1-0-0', 'retired', { upgrade: '2-0-0' }, TODAY)).toThrow(
      "--upgrade 2-0-0 is not a version of cmcd-1-0-0's schema",
    );
  });
});
