/**
 * The local Kinesis consumer (see kinesis-consumer.ts). Import from here.
 */
export { startKinesisConsumer, type KinesisConsumer } from './kinesis-consumer.js';
