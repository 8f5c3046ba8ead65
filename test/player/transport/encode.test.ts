import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeEnvelope, encodeEvent } from '../../../player/transport/encode.js';
import type { Envelope } from '../../../player/transport/queue.js';
import { SCHEMA_VERSIONS, type BeaconEvent } from '../../../schemas/index.js';
import { upcastEvent } from '../../../schemas/upcast.js';
import { expectValidBatch } from '../../helpers/player-tracker.js';

/** Events in the SDK's internal shape: 1-1-0's fields under their 1-x names. */
const base = { id: 'event-0000001', seq: 0, ts: 1.7e12, playhead: 1 };
const heartbeat = {
  ...base,
  type: 'heartbeat',
  played_ms: 10_000,
  stall_ms: 250,
  stall_count: 1,
  bitrate: 1_200_000,
  dropped_frames: 2,
  throughput_kbps: 5400,
  buffer_ms: 12_000,
} as unknown as BeaconEvent;
const sessionEnd = {
  ...base,
  type: 'session_end',
  played_ms: 10_000,
  stall_ms: 250,
  stall_count: 1,
  reason: 'ended',
} as unknown as BeaconEvent;
const variant = {
  ...base,
  type: 'variant_loaded',
  bitrate: 1_200_000,
  height: 720,
  width: 1280,
  level: 1,
  frame_rate: 29.97,
} as unknown as BeaconEvent;
const stallEnd = { ...base, type: 'stall_end', stall_ms: 900 } as unknown as BeaconEvent;
const envelope = (v: string): Envelope =>
  ({
    schema_version: v,
    sdk_name: 'beacon-edge-js',
    sdk_version: '0.1.0',
    session_id: 'session-000001',
    content_id: 'c',
    drm_system: 'widevine',
    audio_language: 'en',
    subtitle_language: 'pt-BR',
  }) as Envelope;

describe('encodeEvent / encodeEnvelope', () => {
  it('1-0-0 leaves out every field 1-1-0 added, and keeps the rest', () => {
    expect(encodeEvent('1-0-0', heartbeat)).toStrictEqual({
      ...base,
      type: 'heartbeat',
      played_ms: 10_000,
      stall_ms: 250,
      stall_count: 1,
      bitrate: 1_200_000,
      dropped_frames: 2,
    });
    expect(encodeEvent('1-0-0', variant)).not.toHaveProperty('frame_rate');
    expect(encodeEnvelope(envelope('1-0-0'))).toStrictEqual({
      schema_version: '1-0-0',
      sdk_name: 'beacon-edge-js',
      sdk_version: '0.1.0',
      session_id: 'session-000001',
      content_id: 'c',
    });
  });

  it('1-1-0 is the internal shape: the same objects come back', () => {
    for (const e of [heartbeat, sessionEnd, variant, stallEnd])
      expect(encodeEvent('1-1-0', e)).toBe(e);
    const env = envelope('1-1-0');
    expect(encodeEnvelope(env)).toBe(env);
  });

  it('2-0-0 renames the cumulative counters of heartbeat and session_end only', () => {
    expect(encodeEvent('2-0-0', heartbeat)).toStrictEqual({
      ...base,
      type: 'heartbeat',
      played_ms: 10_000,
      stall_total_ms: 250,
      stall_count: 1,
      avg_bitrate: 1_200_000,
      dropped_frames: 2,
      throughput_kbps: 5400,
      buffer_ms: 12_000,
    });
    expect(encodeEvent('2-0-0', sessionEnd)).toStrictEqual({
      ...base,
      type: 'session_end',
      played_ms: 10_000,
      stall_total_ms: 250,
      stall_count: 1,
      reason: 'ended',
    });
    // One stall's duration and a rendition's bitrate keep their names.
    expect(encodeEvent('2-0-0', stallEnd)).toBe(stallEnd);
    expect(encodeEvent('2-0-0', variant)).toBe(variant);
    // A heartbeat without a bitrate yet has no avg_bitrate.
    const { bitrate: _, ...noBitrate } = heartbeat as unknown as Record<string, unknown>;
    expect(encodeEvent('2-0-0', noBitrate as unknown as BeaconEvent)).not.toHaveProperty(
      'avg_bitrate',
    );
  });

  it('never changes its argument', () => {
    const copy = structuredClone(heartbeat);
    for (const v of SCHEMA_VERSIONS) encodeEvent(v, heartbeat);
    expect(heartbeat).toStrictEqual(copy);
  });

  it.each(SCHEMA_VERSIONS)('%s: the batch it writes passes that version validator', (v) => {
    expectValidBatch({
      ...encodeEnvelope(envelope(v)),
      sent_at: 1.7e12,
      events: [heartbeat, sessionEnd, variant, stallEnd].map((e, i) =>
        encodeEvent(v, { ...e, seq: i, id: `event-000000${i}` }),
      ),
    });
  });

  it.each(SCHEMA_VERSIONS)(
    '%s: the inverse of the pipeline upcast on every valid example event',
    (v) => {
      const dir = path.resolve('schemas/beacon', v, 'examples/valid');
      const events: Record<string, unknown>[] = [];
      for (const f of fs.readdirSync(dir)) {
        const doc = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
        events.push(...(Array.isArray(doc.events) ? doc.events : [doc]));
      }
      expect(events.length).toBeGreaterThan(4);
      for (const wire of events)
        expect(encodeEvent(v, upcastEvent(v, wire) as unknown as BeaconEvent)).toStrictEqual(wire);
    },
  );
});
