/**
 * SDK identity sent in every batch envelope. Kept equal to package.json's version by a test
 * (test/player/build.test.ts), so the edge can tell SDK releases apart.
 */

/** `sdk_name` of every batch this SDK sends. */
export const SDK_NAME = 'beacon-edge-js';

/** `sdk_version` of every batch this SDK sends. */
export const SDK_VERSION = '0.1.0';
