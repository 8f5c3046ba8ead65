import { describe, expect, it } from 'vitest';
import { COST_DEFAULTS, parseCostFlags } from '../../../local/cost/command.js';
import { UsageError } from '../../../local/errors.js';

function usage(args: string[]): string {
  try {
    parseCostFlags(args);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('beacons cost flags', () => {
  it('reads every flag', () => {
    expect(
      parseCostFlags([
        '--viewers',
        '50000',
        '--hours',
        '2.5',
        '--events-per-minute',
        '12',
        '--batch-size',
        '20',
        '--regions',
        '2',
        '--store',
        'timestream',
        '--json',
      ]),
    ).toStrictEqual({
      traffic: {
        viewers: 50000,
        hoursPerDay: 2.5,
        eventsPerMinute: 12,
        batchSize: 20,
        regions: 2,
        store: 'timestream',
      },
      json: true,
    });
  });

  it('falls back to the defaults, with the SDK batch left to the model', () => {
    expect(parseCostFlags([])).toStrictEqual({
      traffic: {
        viewers: COST_DEFAULTS.viewers,
        hoursPerDay: COST_DEFAULTS.hoursPerDay,
        eventsPerMinute: COST_DEFAULTS.eventsPerMinute,
        batchSize: undefined,
        regions: COST_DEFAULTS.regions,
        store: 'influxdb',
      },
      json: false,
    });
  });

  it.each([
    [['--viewers', 'many'], '--viewers must be a whole number, got "many"'],
    [['--viewers', '0'], '--viewers must be between 1 and 100000000, got 0'],
    [['--hours', '25'], '--hours must be between 0.1 and 24, got 25'],
    [['--hours', 'x'], '--hours must be a number, got "x"'],
    [['--events-per-minute', ''], '--events-per-minute must be a number, got ""'],
    [['--batch-size', '201'], '--batch-size must be between 1 and 200, got 201'],
    [['--batch-size', '1.5'], '--batch-size must be a whole number, got "1.5"'],
    [['--regions=-1'], '--regions must be a whole number, got "-1"'],
    [['--store', 'dynamodb'], '--store must be influxdb or timestream, got "dynamodb"'],
  ])('%j → %s', (args, message) => {
    expect(usage(args)).toBe(message);
  });

  it('refuses unknown flags', () => {
    expect(usage(['--users', '3'])).toMatch(/^beacons cost: Unknown option '--users'/);
  });
});
