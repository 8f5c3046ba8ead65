import { describe, expect, it } from 'vitest';
import type { InfluxDbConfig } from '../../../core-pipeline/config.js';
import { SinkWriteError } from '../../../core-pipeline/errors.js';
import { chunkItems, InfluxDbSink } from '../../../core-pipeline/sinks/influxdb.js';
import { decodedRows, enrichedRecord, event } from '../../helpers/records.js';

/** Event rows of one record with `n` events. */
function rows(n: number) {
  const rec = enrichedRecord({
    events: Array.from({ length: n }, (_, seq) => event('paused', { seq })),
  });
  return decodedRows([rec]);
}

/**
 * A fake server that refuses any body containing one of `poison` (a substring of a line), as an
 * InfluxDB refusing a line's field type would, and records every body it is sent.
 */
function fakeStore(poison: string[], status = 400) {
  const bodies: string[] = [];
  const sink = (extra: Partial<InfluxDbConfig> = {}) =>
    new InfluxDbSink({
      config: { url: 'http://influx', database: 'd', ...extra },
      deps: {
        fetch: async (_url, init) => {
          const body = String(init?.body);
          bodies.push(body);
          const bad = poison.some((p) => body.includes(p));
          return new Response(bad ? '{"error":"partial write: field type conflict"}' : null, {
            status: bad ? status : 204,
          });
        },
      },
    });
  return { bodies, sink };
}

describe('InfluxDbSink with the deployment’s SDK names', () => {
  it('tags a listed name as sent, `cmcd` always, and any other name `other`', async () => {
    const { bodies, sink } = fakeStore([]);
    const { events, badRows } = rows(3);
    const named = ['beacon-edge-web', 'cmcd', 'rnd-0-a7d6llqty3u'];
    await sink({ sdkNames: ['beacon-edge-web'] }).writeBatch({
      events: events.map((e, i) => ({ ...e, sdk_name: named[i] })),
      badRows,
      checkpoints: [],
    });
    const tags = bodies
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('beacon_events,'))
      .map((l) => /,sdk_name=([^,]+),/.exec(l)?.[1]);
    expect(tags).toStrictEqual(['beacon-edge-web', 'cmcd', 'other']);
    expect(bodies.join('\n')).toContain('sdk_name_sent="rnd-0-a7d6llqty3u"');
  });
});

describe('chunkItems', () => {
  it('cuts at the line count and at the byte cap, never splitting a line', () => {
    const items = ['aaaa', 'bb', 'cccccc', 'd', 'eeeeeeeeeeeee'].map((line) => ({ line }));
    expect(chunkItems(items, 2, 1000).map((c) => c.map((i) => i.line))).toStrictEqual([
      ['aaaa', 'bb'],
      ['cccccc', 'd'],
      ['eeeeeeeeeeeee'],
    ]);
    // Bytes count the newline: 5 + 3 = 8 fits, + 7 does not; a line over the cap goes alone.
    expect(chunkItems(items, 10, 9).map((c) => c.map((i) => i.line))).toStrictEqual([
      ['aaaa', 'bb'],
      ['cccccc', 'd'],
      ['eeeeeeeeeeeee'],
    ]);
  });
});

describe('InfluxDbSink', () => {
  it('sends one body per chunk of lines', async () => {
    const { bodies, sink } = fakeStore([]);
    expect(
      await sink({ maxLinesPerWrite: 4 }).writeBatch({ ...rows(10), checkpoints: [] }),
    ).toStrictEqual({
      rejectedEvents: 0,
    });
    expect(bodies.map((b) => b.split('\n').length)).toStrictEqual([4, 4, 2]);
  });

  it.each([400, 413, 422])(
    'bisects a body refused with %i down to the one line, which becomes a store_rejected bad row',
    async (status) => {
      const r = rows(16);
      // The event's line only: its store_rejected bad row carries the row as JSON, not as fields.
      const { bodies, sink } = fakeStore(['seq=11i'], status);
      expect(await sink().writeBatch({ ...r, checkpoints: [] })).toStrictEqual({
        rejectedEvents: 1,
      });
      // 1 whole body + 2 × log2(16) halves, then the bad row.
      expect(bodies).toHaveLength(1 + 8 + 1);
      const last = bodies.at(-1) ?? '';
      expect(
        last.startsWith(
          'beacon_bad_rows,pop=FRA56-C1,reason=store_rejected,schema_version=1-0-0,sdk_name=beacon-edge-web,sdk_version=0.1.0,source=core ',
        ),
      ).toBe(true);
      expect(last).toContain(`detail="event refused by the store: HTTP ${status}`);
      // Every other line was accepted in some body.
      const accepted = new Set(
        bodies
          .filter((b) => !b.includes('seq=11i'))
          .flatMap((b) => b.split('\n'))
          .filter((l) => l.startsWith('beacon_events')),
      );
      expect(accepted.size).toBe(15);
    },
  );

  it('gives up with SinkWriteError when refusals are systematic', async () => {
    const { bodies, sink } = fakeStore(['beacon_events']);
    await expect(
      sink({ maxIsolationWrites: 10 }).writeBatch({ ...rows(64), checkpoints: [] }),
    ).rejects.toThrow(SinkWriteError);
    expect(bodies.length).toBeLessThanOrEqual(11);
  });

  it('fails the batch when the store refuses the store_rejected rows too', async () => {
    const r = rows(2);
    const { sink } = fakeStore(['seq=0i', 'store_rejected']);
    await expect(sink().writeBatch({ ...r, checkpoints: [] })).rejects.toThrow(
      /^InfluxDB refused the store_rejected bad rows too: HTTP 400/,
    );
  });

  it('keeps no checkpoints and refuses writes after close', async () => {
    const { bodies, sink } = fakeStore([]);
    const s = sink();
    expect(await s.loadCheckpoints()).toStrictEqual([]);
    await s.close();
    await expect(s.writeBatch({ ...rows(1), checkpoints: [] })).rejects.toThrow(
      new SinkWriteError('the InfluxDB sink is closed'),
    );
    expect(bodies).toHaveLength(0);
  });
});
