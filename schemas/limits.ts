/**
 * Limits of the beacon format, defined once: the JSON Schema encodes the same numbers
 * (test/schemas checks that they agree), the edge enforces them, the SDK keeps under them and the
 * core pipeline relies on them.
 */

export const LIMITS = {
  /** Events per batch (schema `maxItems`). */
  maxEventsPerBatch: 200,
  /** Body bytes the edge accepts; the SDK keeps batches under 56 KiB for `fetch` keepalive. */
  maxBodyBytes: 65536,
  /** Identifier pattern for session ids and event ids. */
  idPattern: /^[A-Za-z0-9_-]{8,64}$/,
  /** Longest strings (schema `maxLength`, in UTF-16 code units as JSON Schema counts them). */
  maxLength: {
    sdk_name: 64,
    sdk_version: 32,
    player_name: 64,
    player_version: 32,
    content_id: 256,
    error_code: 64,
    error_message: 512,
  },
  /** A bad row keeps at most this much of the offending payload (`payload_truncated: true`). */
  badRowPayloadBytes: 65536,
} as const;
