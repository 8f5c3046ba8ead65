/**
 * The tracker at each schema version it can send, with an adapter that reports every 1-1-0
 * field: every batch it sends (fetch and sendBeacon) passes the generated validator of the version
 * it declares (useFakeTimersAndCheckBatches), and carries exactly that version's fields.
 */
import { describe, expect, it, vi } from 'vitest';
import { html5Adapter } from '../../player/adapters/html5.js';
import type { AdapterFactory } from '../../player/core/adapter.js';
import {
  CURRENT_SCHEMA_VERSION,
  SCHEMA_VERSIONS,
  type SchemaVersion,
} from '../../schemas/index.js';
import { FakeVideo } from '../helpers/player-fakes.js';
import {
  makeTracker,
  playToFirstFrame,
  settle,
  useFakeTimersAndCheckBatches,
} from '../helpers/player-tracker.js';

const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** html5 on a FakeVideo, plus what a player like hls.js adds: rates, languages, DRM. */
function richAdapter(video: FakeVideo): AdapterFactory {
  return (input) => {
    const h = html5Adapter(video)(input);
    input.media({ audioLanguage: 'en', subtitleLanguage: 'pt-BR', drmSystem: 'widevine' });
    input.variantLoaded({ bitrate: 1_200_000, width: 1280, height: 720, level: 1, frameRate: 25 });
    return { ...h, throughputKbps: () => 5_432.6, bufferMs: () => 8_000.4 };
  };
}

/** Plays one session with two heartbeats and a rendition switch, then ends it. */
async function playSession(version?: SchemaVersion) {
  const t = makeTracker(version ? { schemaVersion: version } : {});
  const video = new FakeVideo();
  t.tracker.attach(richAdapter(video));
  playToFirstFrame(video);
  t.tracker.input.renditionChanged({ bitrate: 1_200_000, level: 1, frameRate: 25 });
  t.tracker.input.renditionChanged({ bitrate: 3_000_000, level: 2, frameRate: 50 });
  for (let i = 0; i < 20; i++) {
    video.tick(1);
    await wait(1_000);
  }
  video.end();
  await settle();
  t.tracker.flush();
  await settle();
  return t;
}

describe('schema versions', () => {
  useFakeTimersAndCheckBatches();

  it('declares the current version by default', async () => {
    const t = await playSession();
    expect(t.tracker.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(new Set(t.fetch.calls.map((c) => c.batch.schema_version))).toStrictEqual(
      new Set([CURRENT_SCHEMA_VERSION]),
    );
  });

  it('refuses an unknown version with a warning and uses the current one', () => {
    const lines: string[] = [];
    const t = makeTracker({
      schemaVersion: '3-0-0' as SchemaVersion,
      logLevel: 'warn',
      logSink: (_l, m) => lines.push(m),
    });
    expect(t.tracker.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(lines).toContain(`invalid schemaVersion: 3-0-0; using ${CURRENT_SCHEMA_VERSION}`);
  });

  describe.each(SCHEMA_VERSIONS)('%s', (version) => {
    it('sends valid batches of that version with its fields, built from one internal shape', async () => {
      const t = await playSession(version);
      const batches = t.fetch.calls.map((c) => c.batch);
      expect(batches.length).toBeGreaterThan(1);
      for (const b of batches) expect(b.schema_version).toBe(version);
      const sent = t.fetch.events() as unknown as Record<string, unknown>[];
      const beats = sent.filter((e) => e.type === 'heartbeat');
      const end = sent.find((e) => e.type === 'session_end');
      const variant = sent.find((e) => e.type === 'variant_loaded');
      const change = sent.find((e) => e.type === 'bitrate_changed');
      expect(beats.length).toBeGreaterThanOrEqual(2);
      // onEvent sees the internal shape whatever the version.
      const made = t.events.find((e) => e.type === 'heartbeat') as unknown as Record<
        string,
        unknown
      >;
      expect(made).toMatchObject({ stall_ms: 0, throughput_kbps: 5433, buffer_ms: 8000 });
      if (version === '1-0-0') {
        for (const b of batches) {
          expect(b).not.toHaveProperty('audio_language');
          expect(b).not.toHaveProperty('drm_system');
        }
        for (const e of [...beats, variant, change]) {
          expect(e).not.toHaveProperty('throughput_kbps');
          expect(e).not.toHaveProperty('buffer_ms');
          expect(e).not.toHaveProperty('frame_rate');
        }
      } else {
        for (const b of batches)
          expect(b).toMatchObject({
            audio_language: 'en',
            subtitle_language: 'pt-BR',
            drm_system: 'widevine',
          });
        for (const e of beats) expect(e).toMatchObject({ throughput_kbps: 5433, buffer_ms: 8000 });
        expect(variant).toMatchObject({ frame_rate: 25 });
        expect(change).toMatchObject({
          bitrate: 3_000_000,
          prev_bitrate: 1_200_000,
          frame_rate: 50,
        });
      }
      const renamed = version === '2-0-0';
      for (const e of [...beats, end]) {
        expect(e).toHaveProperty(renamed ? 'stall_total_ms' : 'stall_ms');
        expect(e).not.toHaveProperty(renamed ? 'stall_ms' : 'stall_total_ms');
      }
      expect(beats.at(-1)).toHaveProperty(renamed ? 'avg_bitrate' : 'bitrate');
      expect(beats.at(-1)).not.toHaveProperty(renamed ? 'bitrate' : 'avg_bitrate');
    });
  });

  it('leaves out what the player does not know, and what is not a BCP 47 tag or a DRM name', async () => {
    const t = makeTracker({ schemaVersion: '1-1-0' });
    const video = new FakeVideo();
    t.tracker.attach((input) => {
      input.media({ audioLanguage: 'und', subtitleLanguage: 'english (US)', drmSystem: 'acme' });
      input.variantLoaded({ bitrate: 400_000, level: 0, frameRate: 0 });
      return {
        ...html5Adapter(video)(input),
        throughputKbps: () => undefined,
        bufferMs: () => NaN,
      };
    });
    playToFirstFrame(video);
    await wait(10_000);
    t.tracker.endSession();
    t.tracker.flush();
    await settle();
    const batch = t.fetch.calls[0].batch as unknown as Record<string, unknown>;
    for (const k of ['audio_language', 'subtitle_language', 'drm_system'])
      expect(batch).not.toHaveProperty(k);
    const sent = t.fetch.events() as unknown as Record<string, unknown>[];
    expect(sent.find((e) => e.type === 'variant_loaded')).not.toHaveProperty('frame_rate');
    for (const e of sent.filter((x) => x.type === 'heartbeat')) {
      expect(e).not.toHaveProperty('throughput_kbps');
      expect(e).not.toHaveProperty('buffer_ms');
    }
  });

  it('follows a track change in the envelope of later batches, and clears a track switched off', async () => {
    const t = makeTracker({ schemaVersion: '2-0-0' });
    const video = new FakeVideo();
    let input: Parameters<AdapterFactory>[0] | undefined;
    t.tracker.attach((i) => {
      input = i;
      i.media({ audioLanguage: 'en', subtitleLanguage: 'fr' });
      return html5Adapter(video)(i);
    });
    playToFirstFrame(video);
    await settle();
    input?.media({ audioLanguage: 'de', subtitleLanguage: null });
    video.pause();
    t.tracker.flush();
    await settle();
    const [first, second] = t.fetch.calls.map((c) => c.batch as unknown as Record<string, unknown>);
    expect(first).toMatchObject({ audio_language: 'en', subtitle_language: 'fr' });
    expect(second).toMatchObject({ audio_language: 'de' });
    expect(second).not.toHaveProperty('subtitle_language');
  });
});
