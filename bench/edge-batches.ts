/**
 * The edge-throughput workload: valid schema 1-0-0 batches of a realistic shape (the demo's
 * envelope, a 720p/1080p HLS ladder, a second-long stall, a minute played: schemas/examples.ts),
 * one fresh session each.
 * Built here rather than by the test factories, so a benchmark imports no test code.
 */
import { randomBytes } from 'node:crypto';
import { EXAMPLE_FIELDS, exampleEnvelope } from '../schemas/examples.js';
import type { BadRowSink } from '../edge/ingest/index.js';
import type { BeaconBatch, BeaconEvent, EventType } from '../schemas/index.js';

// Random per process, like a real SDK's ids: nothing repeats between runs.
const RUN = randomBytes(4).toString('hex');
let counter = 0;

/** A fresh id matching the schema's id pattern, unique in this process. */
function makeId(prefix: string): string {
  counter += 1;
  return `${prefix}-${RUN}-${counter.toString(36).padStart(6, '0')}`;
}

/**
 * A valid batch of one fresh session: one event per entry of `types`, seq 0..n-1, one second
 * apart and ending at `sentAt`, the playhead advancing with them.
 */
export function benchBatch(types: readonly EventType[], sentAt: number = Date.now()): BeaconBatch {
  const events = types.map(
    (type, i) =>
      ({
        type,
        id: makeId('e'),
        seq: i,
        ts: sentAt - (types.length - 1 - i) * 1000,
        playhead: i,
        ...EXAMPLE_FIELDS[type],
      }) as BeaconEvent,
  );
  return { ...exampleEnvelope(makeId('s'), makeId('v'), sentAt), events };
}

/** The CloudFront headers of a Frankfurt desktop viewer as the viewer function stamps them. */
export function viewerHeaders(now: number): Record<string, string> {
  return {
    'cloudfront-viewer-country': 'DE',
    'cloudfront-viewer-city': 'Frankfurt',
    'cloudfront-viewer-asn': '3320',
    'cloudfront-viewer-latitude': '50.11',
    'cloudfront-viewer-longitude': '8.68',
    'cloudfront-is-desktop-viewer': 'true',
    'x-beacon-edge': `pop=FRA;region=eu-central-1;t=${now}`,
  };
}

/** A bad-row sink that fails the benchmark: its payloads must all be valid. */
export const noBadRows: BadRowSink = {
  async write(rows) {
    throw new Error(
      `bench payloads must all be valid, got ${rows.length} bad rows: ${rows[0]?.reason} ${rows[0]?.detail}`,
    );
  },
};
