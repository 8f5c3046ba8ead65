/**
 * The beacon schema's versions (SchemaVer: MODEL-REVISION-ADDITION). Each names a file
 * `schemas/beacon/<version>.json`, the source of truth for validation; `schemas/beacon/manifest.json`
 * holds the content hash of every released file, and a test fails when a released file changes.
 */

/** Every SchemaVer (MODEL-REVISION-ADDITION) of the beacon batch schema that the edge accepts. */
export const SCHEMA_VERSIONS = ['1-0-0', '1-1-0', '2-0-0'] as const;
export type SchemaVersion = (typeof SCHEMA_VERSIONS)[number];
/** The version new clients should send (the SDK's default). */
export const CURRENT_SCHEMA_VERSION: SchemaVersion = '2-0-0';

/**
 * What each version changed, for `beacons schemas` and the docs. 1-1-0 only adds optional fields;
 * 2-0-0 renames the two cumulative counters whose 1-x names meant two things (schemas/upcast.ts
 * maps them back to the one stored shape).
 */
export const SCHEMA_CHANGES: Readonly<Record<SchemaVersion, string>> = {
  '1-0-0': 'first release: envelope + 18 event types',
  '1-1-0':
    'adds optional drm_system, audio_language, subtitle_language (envelope), frame_rate (variant_loaded, bitrate_changed), throughput_kbps and buffer_ms (heartbeat)',
  '2-0-0':
    'renames heartbeat/session_end stall_ms to stall_total_ms and heartbeat bitrate to avg_bitrate, so each field name has one meaning',
};
