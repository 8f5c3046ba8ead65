import { describe, expect, it } from 'vitest';
import { applyMedia } from '../../../player/core/media-info.js';

describe('applyMedia', () => {
  it('keeps BCP 47 tags and schema DRM names, as given', () => {
    expect(
      applyMedia(
        {},
        { audioLanguage: 'pt-BR', subtitleLanguage: 'zh-Hant-TW', drmSystem: 'fairplay' },
      ),
    ).toStrictEqual({
      audio_language: 'pt-BR',
      subtitle_language: 'zh-Hant-TW',
      drm_system: 'fairplay',
    });
  });

  it('leaves out what is unknown: und, a name, an over-long tag, a DRM the schema does not list', () => {
    for (const audioLanguage of [
      'und',
      'UND',
      'english (US)',
      'e',
      `en-${'abcdefgh-'.repeat(4)}x`,
      '',
    ])
      expect(applyMedia({}, { audioLanguage })).toStrictEqual({});
    expect(applyMedia({}, { drmSystem: 'com.widevine.alpha' })).toStrictEqual({});
  });

  it('returns the same object when nothing changed, and clears on null', () => {
    const a = applyMedia({}, { audioLanguage: 'en', subtitleLanguage: 'fr' });
    expect(applyMedia(a, { audioLanguage: 'en' })).toBe(a);
    expect(applyMedia(a, {})).toBe(a);
    expect(applyMedia(a, { subtitleLanguage: null })).toStrictEqual({ audio_language: 'en' });
    expect(a).toStrictEqual({ audio_language: 'en', subtitle_language: 'fr' });
  });
});
