/**
 * CmcdRecords and their parts as the edge writes them, built directly for core-pipeline tests
 * (the edge side is tested on its own).
 */
import type { CmcdEntry, CmcdRecord, CmcdReport } from '../../schemas/cmcd.js';
import type { CmcdRowContext } from '../../core-pipeline/cmcd/map.js';

/** Client clock of the first line of every test session. */
export const T0 = 1_767_225_600_000;

/** One line: id deterministic from (sid, sn, e, ts) like the edge's, seq = sn. */
export function cmcdEntry(
  report: CmcdReport & { sn?: number; ts: number },
  sid = 'cmcd-session-1',
): CmcdEntry {
  const sn = typeof report.sn === 'number' ? report.sn : 0;
  return {
    id: `c-${sid}-${sn}-${String(report.e)}-${report.ts}`,
    seq: sn,
    report: { sid, ...report },
  };
}

/** Lines from `[sn, e, ts offset, extra keys]` shorthand, ts relative to T0. */
export function cmcdLines(
  lines: readonly [number, string, number, CmcdReport?][],
  sid = 'cmcd-session-1',
): CmcdEntry[] {
  return lines.map(([sn, e, dt, extra]) => cmcdEntry({ e, sn, ts: T0 + dt, v: 2, ...extra }, sid));
}

/** A `ps` line's extra keys. */
export const sta = (s: string, extra: CmcdReport = {}): CmcdReport => ({ sta: s, ...extra });

/** The shared columns of a CMCD record's rows. */
export function cmcdContext(overrides: Partial<CmcdRowContext> = {}): CmcdRowContext {
  return {
    received_at: T0 + 60_000,
    ingested_at: T0 + 61_000,
    skew_ms: 250,
    record_version: 1,
    schema_version: 'cmcd-1-0-0',
    session_id: 'cmcd-session-1',
    viewer_id: null,
    content_id: 'big-buck-bunny',
    sdk_name: 'cmcd',
    sdk_version: '2',
    player_name: 'hls.js',
    player_version: '1.7.4',
    source: 'cmcd',
    drm_system: null,
    audio_language: null,
    subtitle_language: null,
    country: 'DE',
    country_region: 'BE',
    city: 'Berlin',
    time_zone: 'Europe/Berlin',
    asn: '3320',
    lat: 52.5,
    lon: 13.4,
    pop: 'FRA56-P1',
    edge_region: 'eu-central-1',
    serving_region: 'eu-central-1',
    stream_region: 'eu-central-1',
    request_id: 'req-cmcd-1',
    device: 'desktop',
    os: 'android',
    ...overrides,
  };
}

/** A CmcdRecord of `entries` for one session, as the edge writes it on the events stream. */
export function cmcdRecord(entries: CmcdEntry[], overrides: Partial<CmcdRecord> = {}): CmcdRecord {
  return {
    record_version: 1,
    kind: 'cmcd',
    schema_version: 'cmcd-1-0-0',
    received_at: T0 + 60_000,
    skew_ms: 250,
    session_id: 'cmcd-session-1',
    content_id: 'big-buck-bunny',
    sdk_name: 'cmcd',
    sdk_version: '2',
    player_name: 'hls.js',
    player_version: '1.7.4',
    geo: {
      country: 'DE',
      region: 'BE',
      city: 'Berlin',
      time_zone: 'Europe/Berlin',
      asn: '3320',
      lat: 52.5,
      lon: 13.4,
    },
    edge: {
      pop: 'FRA56-P1',
      edge_region: 'eu-central-1',
      serving_region: 'eu-central-1',
      stream_region: 'eu-central-1',
      request_id: 'req-cmcd-1',
      device: 'desktop',
      os: 'android',
    },
    reports: entries,
    ...overrides,
  };
}
