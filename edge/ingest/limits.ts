/**
 * Fixed limits of the ingest core. They are protocol constants rather than deployment choices,
 * which is why they are not in EdgeConfig (whose defaults live in edge/config.ts).
 */
import { LIMITS } from '../../schemas/limits.js';

/**
 * Deepest nesting of arrays/objects a body may have. A valid batch is 3 deep (envelope → events →
 * event); a body with any rejection is scanned and refused whole when deeper than this, before
 * recursive code (JSON.stringify of a bad-row payload) could overflow on a million `[`.
 */
export const MAX_JSON_DEPTH = 8;

/** An event may be at most this far after the batch's sent_at (client clocks tick forward). */
export const MAX_EVENT_AHEAD_MS = 60_000;

/** Retry-After (seconds) sent with 503 stream_unavailable and 429 throttled. */
export const RETRY_AFTER_SECONDS = 2;

/**
 * CloudFront-Viewer-* header values are cut to this many code points before they are stored: the
 * storage rules' maximum for them, so the core reads them whole.
 */
export const MAX_HEADER_VALUE_CHARS = LIMITS.maxHeaderValueChars;

/** The viewer-request stamp is trusted only within this distance of the handler's clock. */
export const MAX_STAMP_SKEW_MS = 5 * 60_000;
