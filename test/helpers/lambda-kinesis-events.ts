/**
 * KinesisStreamEvent factories for the tests. They live in bench/ because the consumer benchmark
 * builds the same events and bench/ may not import test/.
 */
export {
  kinesisStreamEvent,
  kinesisStreamRecord,
} from '../../bench/consumer-influxdb/lambda-kinesis-events.js';
