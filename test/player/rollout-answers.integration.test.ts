/**
 * The edge's rollout answers through the real tracker and transport over a recording fetch: a
 * deprecated version's `Deprecation`/`Sunset` headers are logged once per page (across sessions
 * and trackers) and reported once per tracker; a 410 keeps its body (`error`, `detail`,
 * `upgrade`), tells the host and stops what it names.
 */
import { describe, expect, it, vi } from 'vitest';
import type { DeprecationNotice, StopReason } from '../../player/transport/results.js';
import { parseDeprecation } from '../../player/transport/deprecation.js';
import type { LogSink } from '../../player/log.js';
import { fakeBeacon, fakeFetch, fakePage, MemoryStorage } from '../helpers/player-fakes.js';
import { settle, trackerOnVideo, useFakeTimersAndCheckBatches } from '../helpers/player-tracker.js';

const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** Headers as the edge writes them (edge/rollout.ts deprecationHeaders). */
function deprecated(sinceS: number, sunset: string) {
  return { status: 204, headers: { deprecation: `@${sinceS}`, sunset } };
}

/** A log sink that records warn lines. */
function recordWarnings() {
  const warns: { message: string; data: unknown }[] = [];
  const sink: LogSink = (level, message, data) => {
    if (level === 'warn') warns.push({ message, data });
  };
  return { warns, sink };
}

/** Plays a session to its first frame (sent at once), then ends it and sends the rest. */
async function oneSession(t: ReturnType<typeof trackerOnVideo>): Promise<void> {
  t.start();
  await settle();
  await wait(1_000);
  t.tracker.endSession();
  t.tracker.flush();
  await settle();
}

describe('parseDeprecation', () => {
  const batch = {
    schema_version: '1-0-0',
    sdk_name: 'beacon-edge-js',
    sdk_version: '0.1.0',
  } as const;

  it('reads RFC 9745 and RFC 8594 dates', () => {
    const since = Date.UTC(2026, 10, 30);
    expect(
      parseDeprecation(batch, `@${since / 1000}`, 'Mon, 01 Mar 2027 00:00:00 GMT'),
    ).toStrictEqual({
      schemaVersion: '1-0-0',
      sdk: 'beacon-edge-js@0.1.0',
      deprecation: `@${since / 1000}`,
      deprecatedAt: since,
      sunset: 'Mon, 01 Mar 2027 00:00:00 GMT',
      sunsetAt: Date.UTC(2027, 2, 1),
    });
  });

  it('keeps headers it cannot read as dates without inventing one', () => {
    expect(parseDeprecation(batch, 'true', 'soon')).toStrictEqual({
      schemaVersion: '1-0-0',
      sdk: 'beacon-edge-js@0.1.0',
      deprecation: 'true',
      sunset: 'soon',
    });
  });
});

describe('rollout answers', () => {
  useFakeTimersAndCheckBatches();

  it('logs a deprecation once per page across sessions and trackers, and tells each tracker once', async () => {
    const answer = deprecated(Date.UTC(2026, 10, 30) / 1000, 'Mon, 01 Mar 2027 00:00:00 GMT');
    const { warns, sink } = recordWarnings();
    const notices: DeprecationNotice[][] = [[], []];
    const trackers = [0, 1].map((i) =>
      trackerOnVideo(
        {
          schemaVersion: '1-0-0',
          logLevel: 'warn',
          logSink: sink,
          onDeprecation: (n) => notices[i].push(n),
        },
        { fetch: fakeFetch([], answer) },
      ),
    );
    for (const t of trackers) {
      await oneSession(t);
      await oneSession(t); // a second session on the same page
    }
    for (const t of trackers) expect(t.fetch.calls.length).toBeGreaterThanOrEqual(4);
    const logged = warns.filter((w) => w.message.includes('deprecated'));
    expect(logged).toHaveLength(1);
    expect(logged[0].message).toBe(
      'schema 1-0-0 or beacon-edge-js@0.1.0 is deprecated since Mon, 30 Nov 2026 00:00:00 GMT, sunset Mon, 01 Mar 2027 00:00:00 GMT',
    );
    const expected = parseDeprecation(
      { schema_version: '1-0-0', sdk_name: 'beacon-edge-js', sdk_version: '0.1.0' },
      answer.headers.deprecation,
      answer.headers.sunset,
    );
    expect(notices).toStrictEqual([[expected], [expected]]);
    expect(trackers[0].tracker.deprecation).toStrictEqual(expected);
  });

  it('says nothing without the headers', async () => {
    const { warns, sink } = recordWarnings();
    const onDeprecation = vi.fn();
    const t = trackerOnVideo({ logLevel: 'warn', logSink: sink, onDeprecation });
    await oneSession(t);
    expect(t.fetch.calls.length).toBeGreaterThan(0);
    expect(warns).toStrictEqual([]);
    expect(onDeprecation).not.toHaveBeenCalled();
    expect(t.tracker.deprecation).toBeUndefined();
  });

  it('keeps a retired version 410 body, tells the host and sends nothing more on this page', async () => {
    const body = {
      error: 'schema_retired',
      detail: 'schema_version 1-0-0 is retired; send 2-0-0',
      upgrade: '2-0-0',
    };
    const stops: StopReason[] = [];
    const t = trackerOnVideo(
      { schemaVersion: '1-0-0', onStopped: (r) => stops.push(r) },
      { fetch: fakeFetch([], { status: 410, body: JSON.stringify(body) }) },
    );
    const first = t.tracker.sessionId;
    t.start();
    await settle();
    expect(t.fetch.calls).toHaveLength(1);
    const expected: StopReason = { sessionId: first, status: 410, ...body, scope: 'tracker' };
    expect(stops).toStrictEqual([expected]);
    expect(t.tracker.stopped).toStrictEqual(expected);
    expect(t.results.map((r) => r.outcome)).toStrictEqual(['stopped']);
    // The rest of this session, and every later one, stays on the page.
    await wait(30_000);
    t.video.end();
    t.start();
    await wait(30_000);
    t.tracker.flush();
    await settle();
    expect(t.tracker.sessionId).not.toBe(first);
    expect(t.fetch.calls).toHaveLength(1);
  });

  it('stops only the session the edge left out of a sample', async () => {
    const body = { error: 'session_not_sampled', detail: 'schema 2-0-0 samples 10% of sessions' };
    const stops: StopReason[] = [];
    const t = trackerOnVideo(
      { onStopped: (r) => stops.push(r) },
      { fetch: fakeFetch([{ status: 410, body: JSON.stringify(body) }]) },
    );
    const first = t.tracker.sessionId;
    t.start();
    await settle();
    expect(stops).toStrictEqual([
      { sessionId: first, status: 410, ...body, upgrade: undefined, scope: 'session' },
    ]);
    await wait(20_000);
    expect(t.fetch.calls).toHaveLength(1);
    t.video.end(); // ends the first session; a new one starts with the next play
    t.start();
    await settle();
    const later = t.fetch.calls.slice(1).map((c) => c.batch.session_id);
    expect(later.length).toBeGreaterThan(0);
    expect(new Set(later)).toStrictEqual(new Set([t.tracker.sessionId]));
  });

  it('a retired version of a batch left by an earlier page stops that session only, not this page', async () => {
    // The earlier page sent 1-0-0 and went offline; its events stay stored for the next page.
    const storage = new MemoryStorage();
    const before = trackerOnVideo(
      { schemaVersion: '1-0-0', retryBaseMs: 600_000, retryMaxMs: 600_000 },
      { storage, fetch: fakeFetch([], 'network-error'), beacon: fakeBeacon(() => false) },
    );
    before.start();
    await settle();
    const oldSession = before.tracker.sessionId;
    before.page.close();

    // The upgraded page (2-0-0) adopts them; the edge has retired 1-0-0 meanwhile.
    const retired = {
      status: 410,
      body: JSON.stringify({
        error: 'schema_retired',
        detail: 'schema_version 1-0-0 is retired; send 2-0-0',
        upgrade: '2-0-0',
      }),
      headers: { deprecation: '@1795996800' },
    };
    const stops: StopReason[] = [];
    const onDeprecation = vi.fn();
    const fetch = fakeFetch([retired]);
    const after = trackerOnVideo(
      { onStopped: (r) => stops.push(r), onDeprecation },
      { storage, fetch, page: fakePage() },
    );
    await settle();
    expect(fetch.calls[0].batch).toMatchObject({ schema_version: '1-0-0', session_id: oldSession });
    expect(stops).toMatchObject([
      { sessionId: oldSession, error: 'schema_retired', scope: 'session' },
    ]);
    expect(onDeprecation).not.toHaveBeenCalled();
    expect(after.tracker.stopped?.scope).toBe('session');

    // This page's own sessions are sent and accepted as usual.
    after.start();
    await settle();
    await wait(1_000);
    after.tracker.flush();
    await settle();
    const own = fetch.calls.slice(1).map((c) => c.batch);
    expect(own.length).toBeGreaterThan(0);
    for (const b of own)
      expect(b).toMatchObject({ schema_version: '2-0-0', session_id: after.tracker.sessionId });
  });

  it('still stops on a 410 whose body is not JSON, naming it gone', async () => {
    const stops: StopReason[] = [];
    const t = trackerOnVideo(
      { onStopped: (r) => stops.push(r) },
      { fetch: fakeFetch([{ status: 410, body: '<html>Gone</html>' }]) },
    );
    t.start();
    await settle();
    expect(stops).toMatchObject([{ status: 410, error: 'gone', scope: 'session' }]);
  });
});
