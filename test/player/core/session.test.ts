import { describe, expect, it } from 'vitest';
import { createSession } from '../../../player/core/session.js';
import type { Envelope } from '../../../player/transport/queue.js';
import { expectValidBatch, wireBatch } from '../../helpers/player-tracker.js';

describe('session events', () => {
  it('cuts strings on whole characters and replaces unpaired surrogates, so every string is well-formed', () => {
    const emoji = '\u{1F3AC}';
    const s = createSession('session-unicode-1', () => ({
      // 255 characters and an emoji: 256 characters, 257 UTF-16 units; the schema counts characters.
      contentId: () => `${'a'.repeat(255)}${emoji}`,
      playerName: `${'p'.repeat(63)}${emoji}${emoji}`,
      playerVersion: 'v\uD800x\uDC00',
    }));
    const env: Envelope = s.envelope();
    const error = <{ code?: string; message?: string }>(
      s.event('error', { code: `E${emoji}`, message: `half \uD83C`, fatal: false }, 1.7e12, 1)
    );
    expect(env.content_id).toBe(`${'a'.repeat(255)}${emoji}`);
    expect(env.player_name).toBe(`${'p'.repeat(63)}${emoji}`);
    expect(env.player_version).toBe('v\uFFFDx\uFFFD');
    expect(error).toMatchObject({ code: `E${emoji}`, message: 'half \uFFFD' });
    // encodeURIComponent throws on an unpaired surrogate.
    for (const text of [
      env.content_id,
      env.player_name,
      env.player_version,
      error.code,
      error.message,
    ])
      expect(() => encodeURIComponent(text ?? '')).not.toThrow();
    expectValidBatch({ ...env, sent_at: 1.7e12, events: [error] });
  });

  it('clamps numbers into the schema ranges and cuts strings, so odd player values still validate', () => {
    const s = createSession('session-clamp-1', () => ({
      contentId: () => 'c'.repeat(300),
      playerName: 'p'.repeat(80),
      playerVersion: 'v'.repeat(40),
    }));
    const env: Envelope = s.envelope();
    const events = [
      s.event(
        'heartbeat',
        {
          played_ms: NaN,
          stall_ms: -5,
          stall_count: 2.6,
          bitrate: 1.5e12,
          dropped_frames: Infinity,
        },
        1.7e12,
        NaN,
      ),
      s.event('volume_changed', { volume: 1.7, muted: false }, 1.7e12, -3),
      s.event('error', { code: '', message: 'm'.repeat(600), fatal: true }, 1.7e12, 1e9),
      s.event('stall_end', { stall_ms: 1e12 }, 1.7e12, 1),
      s.event(
        'variant_loaded',
        { bitrate: 800_000.4, width: undefined, height: 720, level: 3 },
        1.7e12,
        0,
      ),
    ];
    expectValidBatch(wireBatch(env, events));
    expect(events[0]).toMatchObject({
      played_ms: 0,
      stall_ms: 0,
      stall_count: 3,
      bitrate: 1e9,
      playhead: 0,
    });
    expect(events[1]).toMatchObject({ volume: 1, playhead: 0 });
    expect(events[2]).toMatchObject({ code: 'unknown', playhead: 1e7 });
    expect(events[4]).not.toHaveProperty('width');
    expect(env.content_id).toHaveLength(256);
    expect(events.map((e) => e.seq)).toStrictEqual([0, 1, 2, 3, 4]);
  });
});
