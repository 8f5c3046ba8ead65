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
  /** Longest session or event id (the upper bound of `idPattern`). */
  maxIdLength: 64,
  /** Pseudonymous viewer ids: no spaces or `@`, so an e-mail address cannot pass. */
  viewerIdPattern: /^[A-Za-z0-9_.:-]{1,128}$/,
  /** Longest viewer id (the upper bound of `viewerIdPattern`). */
  maxViewerIdLength: 128,
  /**
   * Longest event type, session-end reason or schema version a record may carry, in code points.
   * Today's names are far shorter: the room is for names a later schema adds, which a core
   * deployed before it must still store.
   */
  maxNameLength: 64,
  /**
   * Longest CloudFront header value (geo, request id) and edge context value a record keeps, in
   * code points: the edge cuts header values to it.
   */
  maxHeaderValueChars: 128,
  /** Longest strings (schema `maxLength`, in code points, as JSON Schema counts them). */
  maxLength: {
    sdk_name: 64,
    sdk_version: 32,
    player_name: 64,
    player_version: 32,
    content_id: 256,
    error_code: 64,
    error_message: 512,
    /** BCP 47 language tags (1-1-0 `audio_language`, `subtitle_language`): RFC 5646's 35. */
    language: 35,
  },
  /**
   * Numeric event fields of every schema version under their stored (1-x) names: each from 0 to
   * `max` (`frame_rate` above 0), whole numbers where `integer`. `stall_ms` is the cumulative
   * counter of heartbeat and session_end; one stall_end is bounded by `oneStallMaxMs`. 2-0-0's
   * renamed fields (`stall_total_ms`, `avg_bitrate`) have their stored name's bounds: the SDK
   * clamps under the stored names and renames when it encodes (and this object is in its bundle).
   */
  eventNumbers: {
    playhead: { max: 10_000_000, integer: false },
    startup_ms: { max: 600_000, integer: false },
    to: { max: 10_000_000, integer: false },
    seek_ms: { max: 3_600_000, integer: false },
    stall_ms: { max: 31_536_000_000, integer: false },
    played_ms: { max: 31_536_000_000, integer: false },
    stall_count: { max: 1_000_000, integer: true },
    bitrate: { max: 1_000_000_000, integer: true },
    prev_bitrate: { max: 1_000_000_000, integer: true },
    width: { max: 16_384, integer: true },
    height: { max: 16_384, integer: true },
    level: { max: 1_000, integer: true },
    volume: { max: 1, integer: false },
    dropped_frames: { max: 100_000_000, integer: true },
    /** 1-1-0 and later. */
    frame_rate: { max: 1_000, integer: false },
    throughput_kbps: { max: 100_000_000, integer: true },
    buffer_ms: { max: 3_600_000, integer: false },
  },
  /** Longest single stall a stall_end may report (one day). */
  oneStallMaxMs: 86_400_000,
  /** A bad row keeps at most this much of the offending payload (`payload_truncated: true`). */
  badRowPayloadBytes: 65536,
} as const;
