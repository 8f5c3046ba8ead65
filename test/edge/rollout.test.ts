// The rollout switch's rule format and state machine (edge/rollout.ts), pure: parse and format,
// every problem a rule can have, the precedence of the states, the response headers, and the
// per-session sampling of a canary.
import { describe, expect, it } from 'vitest';
import {
  checkSubject,
  decideRollout,
  deprecationHeaders,
  formatRules,
  inSample,
  parseRule,
  parseRules,
  type RolloutRule,
  type RolloutRules,
  type RolloutSubject,
} from '../../edge/rollout.js';

const WHO: RolloutSubject = {
  schemaVersion: '1-0-0',
  sdkName: 'beacon-edge-web',
  sdkVersion: '0.1.0',
  sessionId: 'sess-1',
};
const rules = (schema: string, sdk = '-'): RolloutRules => ({
  schema: parseRules('schema', schema).rules,
  sdk: parseRules('sdk', sdk).rules,
});
const decide = (schema: string, sdk = '-', who: Partial<RolloutSubject> = {}) =>
  decideRollout(rules(schema, sdk), { ...WHO, ...who }, '2-0-0');

describe('rule format', () => {
  it.each([
    ['schema', '1-0-0:deprecated,since=2026-11-30,sunset=2027-03-01 2-0-0:live,sample=0.1'],
    ['schema', '1-0-0:retired,upgrade=2-0-0'],
    ['sdk', 'beacon-edge-web@0.1.0:retired,upgrade=0.3.0 @scope/sdk@1.0.0:live,sample=0.5'],
    ['sdk', 'beacon-edge-web@0.2.0:deprecated'],
  ] as const)('%s %s reads back to the same text', (scope, text) => {
    const parsed = parseRules(scope, text);
    expect(parsed.problems).toStrictEqual([]);
    expect(formatRules(parsed.rules)).toBe(text);
    expect(parseRules(scope, formatRules(parsed.rules))).toStrictEqual(parsed);
  });

  it('splits an SDK subject on the last @ and reads the attributes', () => {
    expect(parseRule('sdk', '@scope/sdk@1.0.0:live,sample=0.25')).toStrictEqual({
      scope: 'sdk',
      subject: '@scope/sdk@1.0.0',
      state: 'live',
      sample: 0.25,
    });
  });

  it('reads no rules from -, an empty value, extra spaces or no value', () => {
    for (const v of ['-', '', '   ', ' - ', undefined])
      expect(parseRules('schema', v)).toStrictEqual({ rules: [], problems: [] });
    expect(formatRules([])).toBe('-');
    expect(parseRules('schema', '  1-0-0:live \n 2-0-0:retired ').rules).toHaveLength(2);
  });

  it.each([
    ['schema', '1-0-0', 'expected <subject>:<state>[,key=value...]'],
    ['schema', ':live', 'expected <subject>:<state>[,key=value...]'],
    ['schema', '1-0-0:gone', 'state must be one of live, deprecated, retired'],
    [
      'schema',
      '1.0.0:live',
      "a schema version is MODEL-REVISION-ADDITION, e.g. 1-0-0 (cmcd-1-0-0 for CMCD reports); got '1.0.0'",
    ],
    ['schema', 'v1!:live', "subject 'v1!' has characters a rule cannot carry"],
    ['sdk', 'beacon-edge-web:retired', "an SDK release is <name>@<version>, got 'beacon-edge-web'"],
    [
      'sdk',
      'beacon-edge-web@:retired',
      "an SDK release is <name>@<version>, got 'beacon-edge-web@'",
    ],
    ['schema', '1-0-0:live,sample=1.5', "sample must be a number from 0 to 1, got '1.5'"],
    ['schema', '1-0-0:live,sample=', "sample must be a number from 0 to 1, got ''"],
    [
      'schema',
      '1-0-0:live,sample=0.1234567',
      "sample must be a number from 0 to 1, got '0.1234567'",
    ],
    [
      'schema',
      '1-0-0:deprecated,since=2026-02-30',
      "since must be a date YYYY-MM-DD, got '2026-02-30'",
    ],
    [
      'schema',
      '1-0-0:deprecated,sunset=tomorrow',
      "sunset must be a date YYYY-MM-DD, got 'tomorrow'",
    ],
    ['schema', '1-0-0:retired,upgrade=2!0', "upgrade must be a version, got '2!0'"],
    ['schema', '1-0-0:retired,upgrade=', "upgrade must be a version, got ''"],
    ['schema', '1-0-0:retired,why=old', "unknown attribute 'why'"],
  ] as const)('%s %s is refused: %s', (scope, text, problem) => {
    expect(parseRule(scope, text)).toBe(problem);
    expect(parseRules(scope, text)).toStrictEqual({ rules: [], problems: [{ text, problem }] });
  });

  it('leaves out a second rule for the same subject and a bad entry, keeping the rest', () => {
    const parsed = parseRules('schema', '1-0-0:live 1-0-0:retired 2-0-0:nope 1-1-0:deprecated');
    expect(parsed.rules.map((r) => `${r.subject}:${r.state}`)).toStrictEqual([
      '1-0-0:live',
      '1-1-0:deprecated',
    ]);
    expect(parsed.problems).toStrictEqual([
      { text: '1-0-0:retired', problem: 'a second rule for 1-0-0' },
      { text: '2-0-0:nope', problem: 'state must be one of live, deprecated, retired' },
    ]);
  });

  it('cuts a long entry in its problem report', () => {
    const text = `${'x'.repeat(200)}:live`;
    expect(parseRules('schema', text).problems[0].text).toHaveLength(120);
    expect(checkSubject('schema', 'x'.repeat(200))).toMatch(/has characters a rule cannot carry/);
  });
});

describe('decideRollout', () => {
  it('accepts anything without a rule, and a live rule', () => {
    expect(decide('-')).toStrictEqual({ accept: true, deprecations: [] });
    expect(decide('1-0-0:live', 'beacon-edge-web@0.1.0:live')).toStrictEqual({
      accept: true,
      deprecations: [],
    });
    expect(decide('2-0-0:retired', 'other@0.1.0:retired')).toStrictEqual({
      accept: true,
      deprecations: [],
    });
  });

  it('refuses a retired schema version, naming its upgrade or the current version', () => {
    expect(decide('1-0-0:retired,upgrade=1-1-0')).toStrictEqual({
      accept: false,
      reason: 'schema_retired',
      detail: 'schema_version 1-0-0 is retired; send 1-1-0',
      upgrade: '1-1-0',
      rule: { scope: 'schema', subject: '1-0-0', state: 'retired', upgrade: '1-1-0' },
    });
    const v = decide('1-0-0:retired');
    expect(v).toMatchObject({ accept: false, upgrade: '2-0-0' });
  });

  it('refuses a retired SDK release, naming the upgrade of the same SDK when the rule does', () => {
    expect(decide('-', 'beacon-edge-web@0.1.0:retired,upgrade=0.3.0')).toMatchObject({
      accept: false,
      reason: 'sdk_retired',
      detail: 'beacon-edge-web@0.1.0 is retired; upgrade to beacon-edge-web@0.3.0',
      upgrade: 'beacon-edge-web@0.3.0',
    });
    const bare = decide('-', 'beacon-edge-web@0.1.0:retired');
    expect(bare).toMatchObject({
      accept: false,
      detail: 'beacon-edge-web@0.1.0 is retired; upgrade the SDK',
    });
    expect(bare).not.toHaveProperty('upgrade');
  });

  it('puts retired before not sampled before deprecated, the schema before the SDK', () => {
    const out = sessionOutOf('1-0-0', 0.5);
    // Both retired: the schema's rule decides.
    expect(decide('1-0-0:retired', 'beacon-edge-web@0.1.0:retired')).toMatchObject({
      reason: 'schema_retired',
    });
    // A retired SDK beats a canary of the schema that leaves the session out.
    expect(
      decide('1-0-0:live,sample=0.5', 'beacon-edge-web@0.1.0:retired', { sessionId: out }),
    ).toMatchObject({ reason: 'sdk_retired' });
    // Not sampled beats deprecated, whichever scope each is in.
    expect(
      decide('1-0-0:deprecated,sample=0.5', 'beacon-edge-web@0.1.0:deprecated', {
        sessionId: out,
      }),
    ).toMatchObject({ accept: false, reason: 'session_not_sampled' });
    // A retired rule with a sample is retired for every session.
    expect(decide('1-0-0:retired,sample=1')).toMatchObject({ reason: 'schema_retired' });
  });

  it('refuses a session outside a canary, naming the share, and accepts one inside it', () => {
    const out = sessionOutOf('1-0-0', 0.1);
    expect(decide('1-0-0:live,sample=0.1', '-', { sessionId: out })).toStrictEqual({
      accept: false,
      reason: 'session_not_sampled',
      detail:
        '1-0-0 is accepted from 10 % of sessions and this session is not one of them; stop sending for this session',
      rule: { scope: 'schema', subject: '1-0-0', state: 'live', sample: 0.1 },
    });
    const inside = sessionInside('1-0-0', 0.1);
    expect(decide('1-0-0:live,sample=0.1', '-', { sessionId: inside })).toStrictEqual({
      accept: true,
      deprecations: [],
    });
    expect(decide('1-0-0:live,sample=0')).toMatchObject({ reason: 'session_not_sampled' });
    expect(decide('1-0-0:live,sample=1')).toMatchObject({ accept: true });
  });

  it('lists every deprecated rule that applied', () => {
    const v = decide('1-0-0:deprecated,sunset=2027-03-01', 'beacon-edge-web@0.1.0:deprecated');
    expect(v).toStrictEqual({
      accept: true,
      deprecations: [
        { rule: { scope: 'schema', subject: '1-0-0', state: 'deprecated', sunset: '2027-03-01' } },
        { rule: { scope: 'sdk', subject: 'beacon-edge-web@0.1.0', state: 'deprecated' } },
      ],
    });
  });
});

describe('deprecationHeaders', () => {
  const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
  const notice = (rule: Partial<RolloutRule>) => ({
    rule: { scope: 'schema', subject: '1-0-0', state: 'deprecated', ...rule } as RolloutRule,
  });

  it('sends nothing when nothing is deprecated', () => {
    expect(deprecationHeaders([], NOW)).toStrictEqual({});
  });

  it('dates Deprecation @<unix seconds> of since (RFC 9745) and Sunset as an IMF-fixdate (RFC 8594)', () => {
    expect(
      deprecationHeaders([notice({ since: '2026-11-30', sunset: '2027-03-01' })], NOW),
    ).toStrictEqual({
      deprecation: `@${Date.UTC(2026, 10, 30) / 1000}`,
      sunset: 'Mon, 01 Mar 2027 00:00:00 GMT',
    });
  });

  it('dates Deprecation now when no rule says since, and sends no Sunset without one', () => {
    expect(deprecationHeaders([notice({})], NOW + 999)).toStrictEqual({
      deprecation: `@${Math.floor((NOW + 999) / 1000)}`,
    });
  });

  it('takes the earliest since and the earliest sunset over every rule', () => {
    const headers = deprecationHeaders(
      [
        notice({ since: '2026-12-01', sunset: '2027-06-01' }),
        notice({ subject: 'x@1', scope: 'sdk', since: '2026-10-01' }),
        notice({ subject: 'y@1', scope: 'sdk', sunset: '2027-01-15' }),
      ],
      NOW,
    );
    expect(headers).toStrictEqual({
      deprecation: `@${Date.UTC(2026, 9, 1) / 1000}`,
      sunset: 'Fri, 15 Jan 2027 00:00:00 GMT',
    });
    expect(headers.sunset).toMatch(
      /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    );
  });
});

describe('inSample (per-session canary)', () => {
  const sessions = Array.from({ length: 20_000 }, (_, i) => `sess-${i.toString(36)}-${i * 7919}`);

  it('gives a session the same answer every time at one rate', () => {
    for (const s of sessions.slice(0, 500)) {
      const first = inSample(s, '2-0-0', 0.3);
      for (let i = 0; i < 5; i++) expect(inSample(s, '2-0-0', 0.3)).toBe(first);
    }
  });

  it('only adds sessions when the rate is raised', () => {
    const rates = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.99, 1];
    for (const s of sessions.slice(0, 5000)) {
      const answers = rates.map((r) => inSample(s, '2-0-0', r));
      // Once in, in at every higher rate.
      const firstIn = answers.indexOf(true);
      if (firstIn >= 0) expect(answers.slice(firstIn).every(Boolean)).toBe(true);
    }
  });

  it.each([0.01, 0.1, 0.5, 0.9])(
    'accepts a share of 20k sessions within tolerance of %s',
    (rate) => {
      const share = sessions.filter((s) => inSample(s, '2-0-0', rate)).length / sessions.length;
      // 4 standard deviations of a binomial share over 20k sessions.
      const tolerance = 4 * Math.sqrt((rate * (1 - rate)) / sessions.length);
      expect(Math.abs(share - rate)).toBeLessThan(tolerance);
    },
  );

  it('picks independent sessions for two subjects at the same rate', () => {
    const a = sessions.map((s) => inSample(s, '2-0-0', 0.5));
    const b = sessions.map((s) => inSample(s, 'beacon-edge-web@0.3.0', 0.5));
    const both = a.filter((x, i) => x && b[i]).length / sessions.length;
    // Independent: about a quarter of sessions are in both; the same pick would be a half.
    expect(Math.abs(both - 0.25)).toBeLessThan(4 * Math.sqrt((0.25 * 0.75) / sessions.length));
    expect(a.some((x, i) => x !== b[i])).toBe(true);
  });

  it('accepts every session at 1 and none at 0', () => {
    expect(sessions.every((s) => inSample(s, '1-0-0', 1))).toBe(true);
    expect(sessions.some((s) => inSample(s, '1-0-0', 0))).toBe(false);
  });
});

/** A session the canary of `subject` at `rate` leaves out. */
function sessionOutOf(subject: string, rate: number): string {
  for (let i = 0; ; i++) if (!inSample(`sess-${i}`, subject, rate)) return `sess-${i}`;
}

/** A session the canary of `subject` at `rate` takes. */
function sessionInside(subject: string, rate: number): string {
  for (let i = 0; ; i++) if (inSample(`sess-${i}`, subject, rate)) return `sess-${i}`;
}

describe('CMCD subjects', () => {
  const cmcd: RolloutSubject = {
    schemaVersion: 'cmcd-1-0-0',
    sdkName: 'cmcd',
    sdkVersion: '2',
    sessionId: 'session-0001',
    otherSdks: [{ name: 'hls.js', version: '1.7.4' }],
  };

  it('reads cmcd-<version> as a schema subject', () => {
    expect(checkSubject('schema', 'cmcd-1-0-0')).toBeUndefined();
    expect(checkSubject('schema', 'cmcd-1.0.0')).toMatch(/MODEL-REVISION-ADDITION/);
  });

  it('refuses a retired CMCD schema without naming an upgrade a player could not act on', () => {
    expect(decideRollout(rules('cmcd-1-0-0:retired', '-'), cmcd, 'cmcd-1-0-0')).toStrictEqual({
      accept: false,
      reason: 'schema_retired',
      detail: 'schema_version cmcd-1-0-0 is retired',
      rule: { scope: 'schema', subject: 'cmcd-1-0-0', state: 'retired' },
    });
  });

  it('applies the SDK rules to every release the request names: cmcd@2 and the player', () => {
    const player = decideRollout(
      rules('-', 'hls.js@1.7.4:retired,upgrade=1.8.0'),
      cmcd,
      'cmcd-1-0-0',
    );
    expect(player).toMatchObject({
      accept: false,
      reason: 'sdk_retired',
      detail: 'hls.js@1.7.4 is retired; upgrade to hls.js@1.8.0',
      upgrade: 'hls.js@1.8.0',
    });
    expect(decideRollout(rules('-', 'cmcd@2:retired'), cmcd, 'cmcd-1-0-0')).toMatchObject({
      accept: false,
      detail: 'cmcd@2 is retired; upgrade the SDK',
    });
    // Retired beats not sampled, whichever release each rule names.
    expect(
      decideRollout(rules('-', 'cmcd@2:live,sample=0 hls.js@1.7.4:retired'), cmcd, 'cmcd-1-0-0'),
    ).toMatchObject({ reason: 'sdk_retired' });
    const deprecated = decideRollout(
      rules('cmcd-1-0-0:deprecated', 'hls.js@1.7.4:deprecated'),
      cmcd,
      'cmcd-1-0-0',
    );
    expect(deprecated.accept && deprecated.deprecations.map((d) => d.rule.subject)).toStrictEqual([
      'cmcd-1-0-0',
      'hls.js@1.7.4',
    ]);
  });
});
