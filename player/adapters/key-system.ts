/**
 * The schema's `drm_system` for a key system as players name it: an EME key system
 * (`com.widevine.alpha`) or an HLS KEYFORMAT (`urn:uuid:edef8ba9-…`, `com.apple.streamingkeydelivery`).
 * Shared by the hls.js and dash.js adapters; kept out of the core, which only checks the name.
 */

/** Key system patterns → `drm_system`. */
const KEY_SYSTEMS: [RegExp, string][] = [
  [/widevine|edef8ba9-79d6-4ace-a3c8-27dcd51d21ed/i, 'widevine'],
  [/playready|9a04f079-9840-4286-ab92-e65be0885f95/i, 'playready'],
  [/com\.apple\.(fps|streamingkeydelivery)/i, 'fairplay'],
  [
    /clearkey|e2719d58-a985-b3c9-781a-b030af78d30e|1077efec-c0b2-4d02-ace3-3c1e52e2fb4b/i,
    'clearkey',
  ],
];

/**
 * The `drm_system` of a key system or key format; undefined for none (an empty name, or HLS
 * AES-128's `identity`, which is encryption without a key system), `other` for one not listed.
 * @example drmSystem('com.widevine.alpha') // 'widevine'
 */
export function drmSystem(keySystem: unknown): string | undefined {
  if (typeof keySystem !== 'string' || !keySystem || keySystem === 'identity') return undefined;
  for (const [re, name] of KEY_SYSTEMS) if (re.test(keySystem)) return name;
  return 'other';
}
