/**
 * CMCD v2 event-mode reports (CTA-5004-B) as the edge accepts them and the record carries them.
 *
 * A player with CMCD event reporting on POSTs `application/cmcd` bodies (one CMCD dictionary per
 * line) to an event target; older builds POST a JSON array of the same dictionaries. The edge
 * decodes each line with `@svta/cml-cmcd`, validates the decoded form against our versioned
 * JSON Schema (`schemas/cmcd/<version>.json`), and writes one `CmcdRecord` per session of the
 * request. The core pipeline maps the reports onto our canonical events (it holds each session's
 * play-state timeline, which the stateless edge cannot): one stored event per acknowledged line.
 */
import type { EdgeContext, GeoContext } from './record.js';

/** Versions of our JSON Schema of the decoded CMCD form; the rollout switch names them as schemas. */
export const CMCD_SCHEMA_VERSIONS = ['cmcd-1-0-0'] as const;
export type CmcdSchemaVersion = (typeof CMCD_SCHEMA_VERSIONS)[number];
/** What each CMCD report schema version changed (`beacons schemas list`). */
export const CMCD_SCHEMA_CHANGES: Readonly<Record<CmcdSchemaVersion, string>> = {
  'cmcd-1-0-0':
    'first release: one decoded CMCD v2 event-mode report line (CTA-5004-B), every key cml-cmcd 2.7.0 knows, custom keys kept',
};

/** The version the edge validates reports against today. */
export const CURRENT_CMCD_SCHEMA_VERSION: CmcdSchemaVersion = 'cmcd-1-0-0';

/** `sdk_name` of every CMCD-fed record and row; the rollout switch's SDK rule is `cmcd@<v>`. */
export const CMCD_SDK_NAME = 'cmcd';

/** The default ingest path of CMCD event reports. */
export const CMCD_PATH = '/v1/cmcd';

/**
 * Query parameters of the event-target URL that name the player, since CMCD has no key for it:
 * `https://beacons.example.com/v1/cmcd?player=hls.js&player_version=1.7.4`.
 */
export const CMCD_QUERY_PARAMS = { player: 'player', playerVersion: 'player_version' } as const;

/**
 * One decoded CMCD value as JSON: tokens (`sta`, `e`, `ot`, `sf`, `st`) and strings as strings,
 * integers and decimals as numbers, booleans as booleans, inner lists (`br`, `bl`, `ec`, `nor`,
 * ...) as arrays of their bare items (item parameters are dropped).
 */
export type CmcdItem = string | number | boolean;
export type CmcdValue = CmcdItem | CmcdItem[];

/** One decoded report line: CMCD keys (and custom keys, which contain a hyphen) to values. */
export type CmcdReport = Record<string, CmcdValue>;

/** One accepted report line as the record carries it. */
export interface CmcdEntry {
  /**
   * Event id of the stored event: deterministic from (sid, sn, e, ts), so a player's resend of a
   * line it already delivered is the same event and is stored once.
   */
  id: string;
  /** The line's `sn` (the player's per-target sequence number), or its index in the body when absent. */
  seq: number;
  /** The decoded, validated report. */
  report: CmcdReport;
}

/** One Kinesis record of CMCD reports: the accepted lines of one request for one session (`sid`). */
export interface CmcdRecord {
  record_version: 1;
  kind: 'cmcd';
  schema_version: CmcdSchemaVersion;
  /** Server receive time (ms since epoch), stamped by the viewer-request function. */
  received_at: number;
  /**
   * received_at − the newest `ts` of the request's lines: the client clock's offset, corrected
   * like the JSON path's received_at − sent_at (so it includes the transfer time).
   */
  skew_ms: number;
  session_id: string;
  /** `cid`, or `unknown` when the player sends none. */
  content_id: string;
  sdk_name: typeof CMCD_SDK_NAME;
  /** The CMCD version the lines declare (`v`; 1 when absent, as the spec says). */
  sdk_version: string;
  /** From the event-target URL's query (CMCD_QUERY_PARAMS), when present. */
  player_name?: string;
  player_version?: string;
  geo: GeoContext;
  edge: EdgeContext;
  reports: CmcdEntry[];
}
