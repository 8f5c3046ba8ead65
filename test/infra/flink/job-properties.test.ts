import { describe, expect, it } from 'vitest';
import { FLINK_PROPERTY_GROUP, flinkJobProperties } from '../../../infra/flink/job-properties.js';

describe('flinkJobProperties', () => {
  it('spells every key as the job’s StreamingJob asks for it, all strings', () => {
    expect(FLINK_PROPERTY_GROUP).toBe('FlinkApplicationProperties');
    expect(
      flinkJobProperties({
        streamName: 'beacon-edge-events',
        region: 'eu-central-1',
        databaseName: 'beacon-edge',
        tableName: 'events',
        ingestBatchSize: 100,
      }),
    ).toStrictEqual({
      InputStreamName: 'beacon-edge-events',
      Region: 'eu-central-1',
      TimestreamDbName: 'beacon-edge',
      TimestreamTableName: 'events',
      TimestreamIngestBatchSize: '100',
    });
  });
});
