import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { html5Adapter } from '../../player/adapters/html5.js';
import { isSampled } from '../../player/core/sampling.js';
import { LIMITS } from '../../schemas/index.js';
import { FakeVideo, MemoryStorage } from '../helpers/player-fakes.js';
import { expectAllSentValid, makeTracker, settle } from '../helpers/player-tracker.js';

function played(opts = {}, io: Parameters<typeof makeTracker>[1] = {}) {
  const t = makeTracker(opts, io);
  const video = new FakeVideo();
  t.tracker.attach(html5Adapter(video));
  video.play();
  video.playing();
  video.tick(0.1);
  return t;
}

describe('tracker sampling and privacy', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-03-01T10:00:00Z') });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await expectAllSentValid();
  });

  it('decides per viewer, the same way on every page load', async () => {
    const viewers = ['v-alpha', 'v-beta', 'v-gamma', 'v-delta', 'v-epsilon', 'v-zeta'];
    for (const viewerId of viewers) {
      const runs = [0, 1].map(() => played({ viewerId, sampleRate: 0.5 }));
      await settle();
      const sent = runs.map((r) => r.fetch.calls.length > 0);
      expect(sent[0]).toBe(sent[1]);
      expect(sent[0]).toBe(isSampled(viewerId, 0.5));
      expect(runs[0].tracker.sampled).toBe(sent[0]);
      expect(runs[0].events.length).toBeGreaterThan(0); // onEvent still sees everything
    }
  });

  it('sends nothing at sampleRate 0 and stores nothing for the queue', async () => {
    const t = played({ sampleRate: 0 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.fetch.calls).toHaveLength(0);
    expect(
      [...(t.storage as MemoryStorage).map.keys()].filter((k) => k.includes(':q:')),
    ).toStrictEqual([]);
  });

  it('uses a random pseudonymous viewer id kept in storage by default', async () => {
    const storage = new MemoryStorage();
    const a = played({}, { storage });
    const b = played({}, { storage });
    await settle();
    expect(a.fetch.calls[0].batch.viewer_id).toMatch(LIMITS.idPattern);
    expect(b.fetch.calls[0].batch.viewer_id).toBe(a.fetch.calls[0].batch.viewer_id);
    expect(storage.getItem('beacon-edge:vid')).toBe(a.tracker.viewerId);
  });

  it('can omit the viewer id entirely (nothing sent, nothing stored), sampling per session', async () => {
    const storage = new MemoryStorage();
    const t = played({ omitViewerId: true }, { storage });
    await settle();
    expect(t.fetch.calls[0].batch).not.toHaveProperty('viewer_id');
    expect(t.tracker.viewerId).toBeUndefined();
    expect(storage.getItem('beacon-edge:vid')).toBeNull();
    expect(t.tracker.sampled).toBe(isSampled(t.tracker.sessionId, 1));
  });

  it('sends only the documented envelope fields: no URL, user agent or other page data', async () => {
    const t = played({ viewerId: 'viewer-42', sessionId: 'session-from-url-1' });
    await settle();
    expect(Object.keys(t.fetch.calls[0].batch).sort()).toStrictEqual(
      [
        'content_id',
        'events',
        'player_name',
        'schema_version',
        'sdk_name',
        'sdk_version',
        'sent_at',
        'session_id',
        'viewer_id',
      ].sort(),
    );
    expect(t.fetch.calls[0].batch).toMatchObject({
      viewer_id: 'viewer-42',
      session_id: 'session-from-url-1',
    });
  });

  it('replaces an invalid session or viewer id with a random one', async () => {
    const t = played({ viewerId: 'not valid!', sessionId: 'x' });
    await settle();
    expect(t.tracker.sessionId).toMatch(LIMITS.idPattern);
    expect(t.tracker.viewerId).toMatch(LIMITS.idPattern);
  });
});
