/**
 * Powertools Logger and Metrics whose output the test reads: both write JSON lines through their
 * own `console`, which is swapped for one that keeps each line parsed.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** What a captured Logger or Metrics printed, one parsed JSON document per line. */
export type Captured = Record<string, unknown>[];

function capture(tool: Logger | Metrics): Captured {
  const lines: Captured = [];
  const keep = (line: string) => lines.push(JSON.parse(line));
  (tool as unknown as { console: Record<string, unknown> }).console = {
    log: keep,
    info: keep,
    warn: keep,
    error: keep,
    debug: keep,
    trace: keep,
  };
  return lines;
}

/** A Logger and a Metrics (namespace BeaconEdge) for the consumer, with their output captured. */
export function capturedPowertools(serviceName = 'beacon-consumer') {
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({ namespace: 'BeaconEdge', serviceName });
  return { logger, metrics, logs: capture(logger), emf: capture(metrics) };
}

/** The metric values of one EMF document, by metric name. */
export function emfValues(doc: Record<string, unknown>): Record<string, unknown> {
  const aws = doc._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
  return Object.fromEntries(aws.CloudWatchMetrics[0].Metrics.map((m) => [m.Name, doc[m.Name]]));
}
