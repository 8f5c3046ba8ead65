/**
 * Realistic values for a batch's envelope and each event type's own fields: this repo's web SDK
 * playing the demo stream with hls.js, a 720p/1080p HLS ladder, a second-long stall, a minute
 * played. The test factories and the benchmarks' workloads both build batches from them, so tests
 * and benchmarks send the same shapes; test/schemas/factories.test.ts checks that what they build
 * validates against the current schema.
 */
import type { BeaconBatch, EventOf, EventType } from './events.js';

/** The fields of an event of type `T` beyond the ones every event carries. */
export type EventFieldsOf<T extends EventType> = Omit<
  EventOf<T>,
  'type' | 'id' | 'seq' | 'ts' | 'playhead'
>;

export const EXAMPLE_FIELDS: { readonly [T in EventType]: EventFieldsOf<T> } = {
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
 * A batch's envelope (everything but `events`) around the caller's fresh session and viewer ids,
 * in the order a batch's fields are sent.
 * @example { ...exampleEnvelope(makeId('s'), makeId('v'), Date.now()), events }
 */
export function exampleEnvelope(
  sessionId: string,
  viewerId: string,
  sentAt: number,
): Omit<BeaconBatch, 'events'> {
  return {
    // The examples are 1-0-0 batches: the version every field of these factories has kept its name in.
    schema_version: '1-0-0',
    sdk_name: 'beacon-edge-web',
    sdk_version: '0.1.0',
    player_name: 'hls.js',
    player_version: '1.7.4',
    session_id: sessionId,
    viewer_id: viewerId,
    content_id: 'demo/big-buck-bunny',
    sent_at: sentAt,
  };
}

/**
 * CloudFront's geo and device headers (lowercase names) for a desktop viewer in Frankfurt, as
 * an origin request policy forwards them to the origin-request handler.
 */
export const EXAMPLE_VIEWER_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cloudfront-viewer-country': 'DE',
  'cloudfront-viewer-country-region': 'HE',
  'cloudfront-viewer-city': 'Frankfurt am Main',
  'cloudfront-viewer-time-zone': 'Europe/Berlin',
  'cloudfront-viewer-asn': '3320',
  'cloudfront-viewer-latitude': '50.11552',
  'cloudfront-viewer-longitude': '8.68417',
  'cloudfront-is-desktop-viewer': 'true',
});
