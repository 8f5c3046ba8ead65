/**
 * The Sources view: QoE per source (`sdk`: our beacons, `cmcd`: a player's own CMCD reports) ×
 * player name × player version, from the rollups. The rollup reads group by one dimension at a
 * time, so the three levels are read as nested slices (each source, then each player of it, then
 * each version of that player): a handful of reads, as sources and players are few, and it works
 * on any store that implements `RollupQueries`.
 */
import { qoeMetrics, type QoeAggregate, type RollupFilters } from '../rollups/aggregate.js';
import type { RollupQueries } from './types.js';

/** One row: a source, player and version with its QoE over the window. */
export interface SourceRow {
  /** `sdk` or `cmcd`. */
  source: string;
  /** '' when the events named no player (or version). */
  playerName: string;
  playerVersion: string;
  sessions: number;
  plays: number;
  startupP50Ms: number | null;
  /** Σ stall ÷ Σ (played + stall). */
  rebufferRatio: number | null;
  /** (start failures + playback failures) ÷ plays: plays that ended in a fatal error. */
  errorRate: number | null;
  /** Non-fatal `error` events. */
  nonFatalErrors: number;
}

/** Rows and the whole-minute window they cover. */
export interface SourcesResult {
  fromMs: number;
  toMs: number;
  rows: SourceRow[];
}

/** Most rows answered (the slices with most sessions). */
const MAX_SOURCE_ROWS = 100;

function toRow(source: string, playerName: string, playerVersion: string, a: QoeAggregate) {
  const m = qoeMetrics(a);
  return {
    source,
    playerName,
    playerVersion,
    sessions: a.sessions,
    plays: a.plays,
    startupP50Ms: m.startupP50Ms,
    rebufferRatio: m.rebufferRatio,
    errorRate: m.playbackFailureRate,
    nonFatalErrors: a.nonFatalErrors,
  };
}

/** Values of a slice list that hold events, most sessions first, then by name. */
function present(slices: { value: string; agg: QoeAggregate }[]) {
  return slices
    .filter((s) => s.agg.events > 0 || s.agg.sessions > 0)
    .sort((x, y) => y.agg.sessions - x.agg.sessions || (x.value < y.value ? -1 : 1));
}

/**
 * Source × player name × player version over [from, to) (whole minutes), most sessions first.
 * @example await sourceRows(rollups, { from: new Date(Date.now() - 900_000), to: new Date() })
 */
export async function sourceRows(
  rollups: RollupQueries,
  input: { from: Date; to: Date; filters?: RollupFilters },
): Promise<SourcesResult> {
  const base = input.filters ?? {};
  const bySource = await rollups.aggregateBy({ ...input, dimension: 'source', filters: base });
  const perPlayer = await Promise.all(
    present(bySource.slices).map(async ({ value: source }) => {
      const players = await rollups.aggregateBy({
        ...input,
        dimension: 'player_name',
        filters: { ...base, source },
      });
      return Promise.all(
        present(players.slices).map(async ({ value: playerName }) => {
          const versions = await rollups.aggregateBy({
            ...input,
            dimension: 'player_version',
            filters: { ...base, source, player_name: playerName },
          });
          return present(versions.slices).map((v) => toRow(source, playerName, v.value, v.agg));
        }),
      );
    }),
  );
  const rows = perPlayer
    .flat(2)
    .sort((x, y) => y.sessions - x.sessions)
    .slice(0, MAX_SOURCE_ROWS);
  return { fromMs: bySource.fromMs, toMs: bySource.toMs, rows };
}
