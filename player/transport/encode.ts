/**
 * The wire format of each schema version the SDK can send. The SDK builds every event in one
 * internal shape (1-1-0's fields under their 1-x names, as the store keeps them) and encodes a
 * batch for the version its session declared: 1-0-0 leaves out what 1-1-0 added, 1-1-0 is the
 * internal shape, 2-0-0 renames the cumulative counters (`downcastEvent`, the inverse of the
 * pipeline's upcast, in `schemas/upcast.ts`, so the SDK and the pipeline cannot disagree). Pure.
 */
import { downcastEvent } from '../../schemas/upcast.js';
import type { BeaconEvent } from '../../schemas/index.js';
import type { Envelope } from './queue.js';

/** Envelope fields 1-1-0 added (left out of a 1-0-0 batch). */
const ADDED_ENVELOPE = ['drm_system', 'audio_language', 'subtitle_language'];
/** Event fields 1-1-0 added (left out of 1-0-0 events). */
const ADDED_EVENT = ['frame_rate', 'throughput_kbps', 'buffer_ms'];

/** Whether a version predates 1-1-0's additions. */
const before110 = (version: string) => version === '1-0-0';

function without<T extends object>(o: T, keys: string[]): T {
  let out: Record<string, unknown> | undefined;
  for (const k of keys) {
    if (!Object.hasOwn(o, k)) continue;
    out ??= { ...(o as Record<string, unknown>) };
    delete out[k];
  }
  return (out ?? o) as T;
}

/** The envelope as its declared `schema_version` defines it (the same object when unchanged). */
export function encodeEnvelope(env: Envelope): Envelope {
  return before110(env.schema_version) ? without(env, ADDED_ENVELOPE) : env;
}

/**
 * One event in the wire format of `version`: the same object when its type has nothing to drop
 * or rename, a copy otherwise; never changes its argument.
 * @example encodeEvent('2-0-0', heartbeat) // stall_ms → stall_total_ms, bitrate → avg_bitrate
 */
export function encodeEvent(version: string, event: BeaconEvent): BeaconEvent {
  if (before110(version)) return without(event, ADDED_EVENT);
  return downcastEvent(version, event);
}
