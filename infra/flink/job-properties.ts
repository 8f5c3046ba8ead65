/**
 * The runtime properties the AWS demo's Flink job reads (amazon-timestream-tools
 * `integrations/flink_connector`, `StreamingJob.java` and `ParameterToolUtils.java` at commit
 * 1acac3576b76bce44a4d8d8a4ab3fa41ea5d80b6; the later versions read the same names): one property
 * group, `FlinkApplicationProperties`, whose keys are spelled exactly as the job asks for them.
 * A key the job does not find silently takes its default (stream `TimestreamTestStream`, region
 * us-east-1, database `kdaflink`, table `kinesisdata1`), so every one is always set here.
 */

/** The property group the job reads (`KinesisAnalyticsRuntime.getApplicationProperties()`). */
export const FLINK_PROPERTY_GROUP = 'FlinkApplicationProperties';

/** What the job must be told. */
export interface FlinkJobSettings {
  streamName: string;
  region: string;
  databaseName: string;
  tableName: string;
  /** Records per WriteRecords (1..100). */
  ingestBatchSize: number;
}

/**
 * The property group's keys and values.
 * @example flinkJobProperties({ streamName: 'beacon-edge-events', region: 'eu-central-1', … })
 */
export function flinkJobProperties(s: FlinkJobSettings): Record<string, string> {
  return {
    InputStreamName: s.streamName,
    Region: s.region,
    TimestreamDbName: s.databaseName,
    TimestreamTableName: s.tableName,
    TimestreamIngestBatchSize: String(s.ingestBatchSize),
  };
}
