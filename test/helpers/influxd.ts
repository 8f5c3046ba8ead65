/**
 * The real influxd for the tests. The launcher lives in bench/ because the consumer benchmark
 * starts the same server and bench/ may not import test/.
 */
export * from '../../bench/influxd.js';
