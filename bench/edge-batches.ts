/**
 * The edge-throughput workload: valid schema 1-0-0 batches of a realistic shape (a 720p/1080p HLS
 * ladder, a second-long stall, a minute played), one fresh session each. Kept in bench/ rather
 * than taken from the test factories, so a benchmark imports no test code and its payload changes
 * only on purpose.
 */
import { randomBytes } from 'node:crypto';
import {
  CURRENT_SCHEMA_VERSION,
  type BeaconBatch,
  type BeaconEvent,
  type EventType,
} from '../schemas/index.js';

// Random per process, like a real SDK's ids: nothing repeats between runs.
const RUN = randomBytes(4).toString('hex');
let counter = 0;

/** A fresh id matching the schema's id pattern, unique in this process. */
function makeId(prefix: string): string {
  counter += 1;
  return `${prefix}-${RUN}-${counter.toString(36).padStart(6, '0')}`;
}

/** The type-specific fields of each event type. */
const TYPE_FIELDS: Record<EventType, Record<string, unknown>> = {
  requested: { autoplay: false },
  started: {},
  first_frame: { startup_ms: 850 },
  paused: {},
  resumed: {},
  seeking: { to: 120.5 },
  seeked: { seek_ms: 320 },
  stall_start: {},
  stall_end: { stall_ms: 1200 },
  variant_loaded: { bitrate: 2_500_000, width: 1280, height: 720, level: 2 },
  bitrate_changed: {
    bitrate: 5_000_000,
    prev_bitrate: 2_500_000,
    width: 1920,
    height: 1080,
    level: 3,
  },
  volume_changed: { volume: 0.5, muted: false },
  muted: {},
  unmuted: {},
  error: { code: 'MEDIA_ERR_NETWORK', message: 'Segment request failed', fatal: false },
  ended: {},
  heartbeat: {
    played_ms: 10_000,
    stall_ms: 0,
    stall_count: 0,
    bitrate: 2_500_000,
    dropped_frames: 0,
  },
  session_end: { played_ms: 60_000, stall_ms: 1200, stall_count: 1, reason: 'unload' },
};

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
        ...TYPE_FIELDS[type],
      }) as BeaconEvent,
  );
  return {
    schema_version: CURRENT_SCHEMA_VERSION,
    sdk_name: 'beacon-edge-web',
    sdk_version: '0.1.0',
    player_name: 'hls.js',
    player_version: '1.7.4',
    session_id: makeId('s'),
    viewer_id: makeId('v'),
    content_id: 'demo/big-buck-bunny',
    sent_at: sentAt,
    events,
  };
}
