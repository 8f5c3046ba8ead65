/**
 * What the core remembers of one CMCD session between records: where its play-state timeline
 * stands and the cumulative counters derived from it. Plain JSON, so a store can keep it beside
 * the events (DuckDB: the `cmcd_sessions` table, written in the batch's transaction) and a
 * replayed batch starts from exactly the state its first attempt started from.
 */

/** One session's CMCD timeline. Times are the client's `ts` (ms); durations are differences of them. */
export interface CmcdSessionState {
  /** Highest `sn` mapped with state; -1 before any. A line at or below it is a resend or late. */
  lastSn: number;
  /**
   * Highest `sn` of a `ps` line mapped with state; -1 before any. A `ps` line that arrives after
   * a later `t`/`rr` line (one-line requests overtake each other) but above it still changes the
   * state, so a stall or pause is not lost to the race. Absent in older states (read as lastSn).
   */
  lastPsSn: number;
  /** The play state (`sta`) of the latest `ps` line, null before any. */
  sta: string | null;
  /** When that state was entered (ts of its `ps` line). */
  enteredAt: number | null;
  /** Up to when the counters below are accounted (the ts of the latest line mapped with state). */
  clock: number | null;
  /** ts of the first `s` (starting) line: the start of startup time. */
  startedAt: number | null;
  /** Whether a first `p` (playing) was seen: rebuffering counts as a stall only after it. */
  firstFrame: boolean;
  /**
   * ts of the `k` (seeking) line of a seek still in progress: players report the wait after a
   * seek as `r` (hls.js) or `w` (dash.js) before `p`, which is seek time, not a stall.
   */
  seekFrom: number | null;
  /** Time spent in `p` up to `clock`. */
  playedMs: number;
  /** Time spent in `r` after the first frame up to `clock`. */
  stallMs: number;
  /** `r` states entered after the first frame. */
  stallCount: number;
  /** The current encoded bitrate (bps), from `bc`, or `pb`/`br` on other lines; null when unknown. */
  bitrate: number | null;
  /**
   * The last video playhead bitrate (`pb`, bps) a line in order reported; null before any. A
   * `t` or `rr` line whose `pb` differs from it is the session's bitrate change (dash.js sends no
   * `bc`). Absent in states stored before it existed (read as null).
   */
  playheadBitrate: number | null;
  /** Whether the session sent a `bc` line: its changes are then its `bc` lines, not `pb`'s. */
  sentBc: boolean;
  /** Σ bitrate × played ms over the played time whose bitrate was known (bps·ms), and that time. */
  bitsMs: number;
  bitratePlayedMs: number;
}

/** A session's state before its first line. */
export function initialCmcdState(): CmcdSessionState {
  return {
    lastSn: -1,
    lastPsSn: -1,
    sta: null,
    enteredAt: null,
    clock: null,
    startedAt: null,
    firstFrame: false,
    seekFrom: null,
    playedMs: 0,
    stallMs: 0,
    stallCount: 0,
    bitrate: null,
    playheadBitrate: null,
    sentBc: false,
    bitsMs: 0,
    bitratePlayedMs: 0,
  };
}

/** The state as stored (JSON text). */
export function serializeCmcdState(s: CmcdSessionState): string {
  return JSON.stringify(s);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown): number | null | undefined =>
  v === null ? null : isNum(v) ? v : undefined;

/**
 * Reads a stored state back; undefined when the text is not a state this build wrote (the
 * session then starts afresh, which only costs the open interval of its timeline).
 */
export function parseCmcdState(text: string): CmcdSessionState | undefined {
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    o = v as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const s: CmcdSessionState = {
    lastSn: isNum(o.lastSn) ? o.lastSn : Number.NaN,
    lastPsSn: isNum(o.lastPsSn) ? o.lastPsSn : isNum(o.lastSn) ? o.lastSn : Number.NaN,
    sta: o.sta === null || typeof o.sta === 'string' ? o.sta : '',
    enteredAt: numOrNull(o.enteredAt) as number | null,
    clock: numOrNull(o.clock) as number | null,
    startedAt: numOrNull(o.startedAt) as number | null,
    firstFrame: o.firstFrame === true,
    seekFrom: numOrNull(o.seekFrom) as number | null,
    playedMs: isNum(o.playedMs) ? o.playedMs : Number.NaN,
    stallMs: isNum(o.stallMs) ? o.stallMs : Number.NaN,
    stallCount: isNum(o.stallCount) ? o.stallCount : Number.NaN,
    bitrate: numOrNull(o.bitrate) as number | null,
    // Both absent from states stored before they existed: such a session has not seen either.
    playheadBitrate: (o.playheadBitrate === undefined ? null : numOrNull(o.playheadBitrate)) as
      | number
      | null,
    sentBc: o.sentBc === true,
    bitsMs: isNum(o.bitsMs) ? o.bitsMs : Number.NaN,
    bitratePlayedMs: isNum(o.bitratePlayedMs) ? o.bitratePlayedMs : Number.NaN,
  };
  const broken =
    Object.values(s).some((v) => v === undefined || (typeof v === 'number' && Number.isNaN(v))) ||
    s.sta === '' ||
    typeof o.firstFrame !== 'boolean' ||
    (o.sentBc !== undefined && typeof o.sentBc !== 'boolean');
  return broken ? undefined : s;
}
