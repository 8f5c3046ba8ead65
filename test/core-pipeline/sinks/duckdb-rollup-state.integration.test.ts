import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { RollupEngine } from '../../../core-pipeline/rollups/engine.js';
import {
  loadRecentSessions,
  loadSessions,
} from '../../../core-pipeline/sinks/duckdb-rollup-state.js';
import { loadViaStaging } from '../../../core-pipeline/sinks/duckdb-load.js';
import { EVENTS_TABLE, schemaDdl } from '../../../core-pipeline/sinks/duckdb-schema.js';
import { sessionsArb } from '../../helpers/rollup-events.js';

let instance: DuckDBInstance;
let con: DuckDBConnection;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  con = await instance.connect();
  for (const sql of schemaDdl()) await con.run(sql);
});
afterAll(() => {
  con.closeSync();
  instance.closeSync();
});

/** Sessions plus, for some events, a second event with the same seq (a tie broken by event_id). */
const withTies = sessionsArb().chain((events) =>
  fc.array(fc.boolean(), { minLength: events.length, maxLength: events.length }).map((twin) => [
    ...events,
    ...events
      .filter((_, i) => twin[i])
      .map((e) => ({
        ...e,
        event_id: `${e.event_id}_twin`,
        pop: 'LHR61-C1',
        played_ms: e.played_ms === null ? null : e.played_ms + 1,
        startup_ms: e.startup_ms === null ? 1234 : null,
      })),
  ]),
);

/** Engine states with their dims as plain keys, comparable across engines. */
function states(engine: RollupEngine, ids: Iterable<string>) {
  return [...ids].map((id) => {
    const s = engine.state(id);
    return s && { ...s, dims: s.dims.key };
  });
}

describe('rollup state from stored events', () => {
  test.prop([withTies], { numRuns: 25 })(
    'the SQL state of every session equals the engine state after applying its events',
    async (events) => {
      await con.run('DELETE FROM events');
      await con.run('BEGIN TRANSACTION');
      await loadViaStaging(
        con,
        EVENTS_TABLE,
        events as unknown as Record<string, unknown>[],
        'insert',
      );
      await con.run('COMMIT');
      const applied = new RollupEngine();
      applied.apply(events).commit();
      const ids = new Set(events.map((e) => e.session_id));

      const rebuilt = new RollupEngine();
      expect(await loadRecentSessions(con, rebuilt, 0, 1_000_000)).toBe(ids.size);
      expect(states(rebuilt, ids)).toStrictEqual(states(applied, ids));
      // A bound on the count loads the most recently active sessions only.
      const latest = [...ids].sort(
        (x, y) =>
          Math.max(...events.filter((e) => e.session_id === y).map((e) => e.time)) -
          Math.max(...events.filter((e) => e.session_id === x).map((e) => e.time)),
      )[0];
      const bounded = new RollupEngine();
      expect(await loadRecentSessions(con, bounded, 0, 1)).toBe(1);
      expect(bounded.state(latest)).toStrictEqual(applied.state(latest));

      const looked = new RollupEngine();
      const [first, ...rest] = [...ids];
      const except = events.filter((e) => e.session_id === first && e.seq > 2);
      await loadSessions(con, looked, [...ids], except);
      const partial = new RollupEngine();
      partial.apply(events.filter((e) => !except.includes(e))).commit();
      expect(states(looked, ids)).toStrictEqual(states(partial, ids));
      expect(rest.length + 1).toBe(ids.size);
    },
  );
});
