/**
 * Builds batches from scripted sessions, the way the browser SDK would send them: in the schema
 * version the session declares (1-0-0 unless its script says otherwise), its events named as that
 * version names them.
 */
import type { BeaconBatch, BeaconEvent } from '../../schemas/index.js';
import { downcastEvent } from '../../schemas/upcast.js';
import type { SessionScript } from './session.js';

/** SDK name the simulator reports, so its traffic is easy to tell apart in the store. */
export const SIM_SDK = { name: 'beacon-edge-simulator', version: '1.0.0' } as const;

/** A batch envelope around `events` of one session, sent at `sentAt` (client clock). */
export function makeBatch(
  script: SessionScript,
  events: BeaconEvent[],
  sentAt: number,
): BeaconBatch {
  const version = script.schemaVersion ?? '1-0-0';
  return {
    schema_version: version,
    sdk_name: SIM_SDK.name,
    sdk_version: script.sdkVersion ?? SIM_SDK.version,
    player_name: script.playerName,
    player_version: script.playerVersion,
    session_id: script.sessionId,
    viewer_id: script.viewerId,
    content_id: script.contentId,
    sent_at: sentAt,
    events: version === '1-0-0' ? events : events.map((e) => downcastEvent(version, e)),
  };
}

/**
 * Spoils one event of a batch so the edge rejects it (`invalid_event`): a volume above 1. Used to
 * put a few bad rows on the dashboard; the rest of the batch stays valid and is still stored.
 */
export function spoilOneEvent(batch: BeaconBatch, index = 0): BeaconBatch {
  const events = batch.events.map((e, i) =>
    i === index
      ? ({
          type: 'volume_changed',
          id: e.id,
          seq: e.seq,
          ts: e.ts,
          playhead: e.playhead,
          volume: 7,
          muted: false,
        } as BeaconEvent)
      : e,
  );
  return { ...batch, events };
}
