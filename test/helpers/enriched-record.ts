/**
 * An EnrichedRecord as the edge builds it (the real `buildRecord`) from a batch of `events`
 * generated events, received in Frankfurt at NOW: what the writer tests put on a stream.
 */
import { buildRecord, parseEdgeStamp } from '../../edge/ingest/enrich.js';
import type { EnrichedRecord } from '../../schemas/record.js';
import { makeBatch } from './batch-factory.js';
import { defaultHeaders, NOW } from './cloudfront-events.js';

export function edgeBuiltRecord(events = 3): EnrichedRecord {
  const batch = makeBatch({ sent_at: NOW, count: events });
  const accepted = batch.events.map((event, index) => ({ index, event }));
  return buildRecord(batch, accepted, {
    headers: defaultHeaders(),
    requestId: 'req-1',
    servingRegion: 'eu-central-1',
    streamRegion: 'eu-central-1',
    stamp: parseEdgeStamp(undefined, 'eu-central-1', NOW),
  });
}
