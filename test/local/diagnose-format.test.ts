import { describe, expect, it } from 'vitest';
import type { DiagnoseAnswer } from '../../core-pipeline/diagnose/run.js';
import {
  formatDiagnose,
  formatP,
  formatValue,
  sliceName,
  sparklines,
} from '../../local/diagnose-format.js';

describe('diagnose report pieces', () => {
  it.each([
    ['ratio', 0.0123, '1.23 %'],
    ['ratio', 0.25, '25.0 %'],
    ['ms', 850, '850 ms'],
    ['ms', 2345, '2.35 s'],
    ['per_minute', 0.456, '0.46/min'],
    ['bps', 2_500_000, '2.50 Mbps'],
    ['bps', 800_000, '800 kbps'],
    ['ratio', null, '—'],
  ] as const)('writes %s %s as %s', (unit, v, text) => {
    expect(formatValue(unit, v)).toBe(text);
  });

  it('writes p from its log10, even past a double’s range', () => {
    expect(formatP(Math.log10(0.0123))).toBe('0.0123');
    expect(formatP(-389.37)).toBe('4.3e-390');
  });

  it('names a slice, with (none) for a missing value', () => {
    expect(sliceName({ dimension: 'asn', value: '' })).toBe('asn=(none)');
    expect(sliceName({ dimension: 'pop', value: 'MAD50-C2' })).toBe('pop=MAD50-C2');
  });

  it('draws sparklines on one scale from zero, gaps as spaces', () => {
    expect(
      sparklines([
        [0, 1, 2, null],
        [1, 1, 1, 1],
      ]),
    ).toStrictEqual(['▁▅█ ', '▅▅▅▅']);
  });
});

describe('formatDiagnose', () => {
  const answer = (testsRun: number): DiagnoseAnswer => ({
    window: { from: '2026-11-30T02:45:00.000Z', to: '2026-11-30T03:01:00.000Z' },
    audience: { plays: 1234, sessions: 1234, watchMinutes: 5000 },
    testsRun,
    alpha: 0.001,
    minRelativeEffect: 0.2,
    found: 0,
    findings: [],
    top: null,
  });

  it('says plainly when nothing is worse', () => {
    expect(formatDiagnose(answer(250))).toBe(
      [
        'Window 2026-11-30 02:45–03:01 UTC (16 min): 1,234 plays, 5,000 watch minutes',
        '250 tests (slice against the rest, per metric); reported when worse by ≥ 20 % at a false discovery rate of 0.1 %',
        '',
        'Nothing significantly worse than the rest.',
      ].join('\n'),
    );
  });

  it('says when there is too little to compare', () => {
    expect(formatDiagnose(answer(0)).split('\n').at(-1)).toBe(
      'Nothing to compare yet: no slice has enough plays or watch time in this window.',
    );
  });
});
