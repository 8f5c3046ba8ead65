import { describe, expect, it } from 'vitest';
import { ConsumerConfigError } from '../../../core-pipeline/errors.js';
import { readConsumerEnv } from '../../../core-pipeline/lambda/env.js';

const INFLUX = {
  BEACONS_STORE: 'influxdb',
  INFLUXDB_URL: 'https://abc.eu-central-1.timestream-influxdb.amazonaws.com:8086',
  INFLUXDB_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:tok',
  INFLUXDB_DATABASE: 'beacons',
};

describe('readConsumerEnv', () => {
  it('reads the InfluxDB contract; no org means the v1 API', () => {
    expect(
      readConsumerEnv({ ...INFLUX, BEACONS_BAD_ROW_STREAMS: ' beacons-bad-rows, ,x ' }),
    ).toStrictEqual({
      store: 'influxdb',
      badRowStreams: ['beacons-bad-rows', 'x'],
      influxdb: {
        url: INFLUX.INFLUXDB_URL,
        tokenSecretArn: INFLUX.INFLUXDB_TOKEN_SECRET_ARN,
        database: 'beacons',
        org: '',
        api: 'v1',
        sdkNames: [],
      },
    });
  });

  it('reads the SDK names kept as tags, a comma list', () => {
    expect(
      readConsumerEnv({ ...INFLUX, INFLUXDB_SDK_NAMES: ' beacon-edge-web, cmcd,, @acme/tv ' }),
    ).toMatchObject({ influxdb: { sdkNames: ['beacon-edge-web', 'cmcd', '@acme/tv'] } });
  });

  it('an org selects the v2 API; INFLUXDB_API overrides', () => {
    expect(readConsumerEnv({ ...INFLUX, INFLUXDB_ORG: 'acme' })).toMatchObject({
      influxdb: { org: 'acme', api: 'v2' },
    });
    expect(readConsumerEnv({ ...INFLUX, INFLUXDB_ORG: 'acme', INFLUXDB_API: 'v1' })).toMatchObject({
      influxdb: { api: 'v1' },
    });
  });

  it('reads the Timestream contract', () => {
    expect(
      readConsumerEnv({
        BEACONS_STORE: 'timestream',
        TIMESTREAM_DATABASE: 'beacons',
        TIMESTREAM_EVENTS_TABLE: 'events',
        TIMESTREAM_BAD_ROWS_TABLE: 'bad_rows',
      }),
    ).toStrictEqual({
      store: 'timestream',
      badRowStreams: [],
      timestream: { database: 'beacons', eventsTable: 'events', badRowsTable: 'bad_rows' },
    });
    expect(
      readConsumerEnv({
        BEACONS_STORE: 'timestream',
        TIMESTREAM_DATABASE: 'beacons',
        TIMESTREAM_EVENTS_TABLE: 'events',
        TIMESTREAM_BAD_ROWS_TABLE: 'bad_rows',
        TIMESTREAM_MEMORY_RETENTION_HOURS: '6',
      }),
    ).toMatchObject({ timestream: { memoryRetentionHours: 6 } });
  });

  it.each([
    [{}, 'BEACONS_STORE', 'is required and not set'],
    [{ BEACONS_STORE: 'duckdb' }, 'BEACONS_STORE', 'must be influxdb or timestream, got "duckdb"'],
    [{ ...INFLUX, INFLUXDB_URL: '' }, 'INFLUXDB_URL', 'is required and not set'],
    [
      { ...INFLUX, INFLUXDB_URL: 'influx:8086' },
      'INFLUXDB_URL',
      'must be an http(s) URL, got "influx:8086"',
    ],
    [
      { ...INFLUX, INFLUXDB_TOKEN_SECRET_ARN: undefined },
      'INFLUXDB_TOKEN_SECRET_ARN',
      'is required and not set',
    ],
    [{ ...INFLUX, INFLUXDB_DATABASE: ' ' }, 'INFLUXDB_DATABASE', 'is required and not set'],
    [{ ...INFLUX, INFLUXDB_API: 'v3' }, 'INFLUXDB_API', 'must be v1 or v2, got "v3"'],
    [{ ...INFLUX, INFLUXDB_API: 'v2' }, 'INFLUXDB_ORG', 'is required by the v2 write API'],
    [
      { BEACONS_STORE: 'timestream', TIMESTREAM_DATABASE: 'd' },
      'TIMESTREAM_EVENTS_TABLE',
      'is required and not set',
    ],
    [
      {
        BEACONS_STORE: 'timestream',
        TIMESTREAM_DATABASE: 'd',
        TIMESTREAM_EVENTS_TABLE: 'e',
        TIMESTREAM_BAD_ROWS_TABLE: 'b',
        TIMESTREAM_MEMORY_RETENTION_HOURS: 'x',
      },
      'TIMESTREAM_MEMORY_RETENTION_HOURS',
      'must be a whole number of hours from 1 to 8766, got "x"',
    ],
  ])('refuses %j naming %s', (env, variable, detail) => {
    expect(() => readConsumerEnv(env)).toThrow(new ConsumerConfigError(variable, detail));
  });
});
