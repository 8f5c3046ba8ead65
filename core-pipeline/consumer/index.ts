/**
 * The local Kinesis consumer (see kinesis-consumer.ts). Import from here.
 */
export {
  startKinesisConsumer,
  type ConsumerStats,
  type KinesisConsumer,
  type KinesisConsumerOptions,
} from './kinesis-consumer.js';
export type { ShardStats } from './shard-reader.js';
