import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePoints } from '../../../core-pipeline/sinks/line-protocol.js';
import type { Point } from '../../../core-pipeline/sinks/influxdb-schema.js';
import { type Influxd, startInfluxd } from '../../helpers/influxd.js';

// Every escape the encoder makes must read back as the value written, on a real influxd.
describe('line protocol against influxd', () => {
  let influx: Influxd;
  beforeAll(async () => {
    influx = await startInfluxd();
    await influx.createDatabase('lp');
  }, 30_000);
  afterAll(() => influx?.stop());

  const hostile = [
    'a b',
    'a,b',
    'a=b',
    'q"uote',
    'back\\slash',
    'trail\\',
    'line\nbreak',
    'é😀',
    '"',
    '',
  ];

  it('string fields round-trip exactly, tag values keep everything but backslash and control characters', async () => {
    const points: Point[] = hostile.map((s, i) => ({
      measurement: 'm e,as',
      tags:
        s === ''
          ? [['i', String(i)]]
          : [
              ['i', String(i)],
              ['t k', s],
            ],
      fields: [
        ['s', { kind: 'string', value: s }],
        ['f', { kind: 'float', value: 2 }],
        ['n', { kind: 'int', value: -3 }],
        ['b', { kind: 'bool', value: true }],
      ],
      timeNs: `1764288000000${String(i).padStart(6, '0')}`,
    }));
    const res = await fetch(`${influx.url}/write?db=lp&precision=ns`, {
      method: 'POST',
      body: encodePoints(points),
    });
    expect(res.status, await res.text()).toBe(204);
    const [r] = await influx.query('SELECT * FROM "m e,as" ORDER BY time', 'lp');
    const s = r.series?.[0];
    const col = (name: string) => s?.columns.indexOf(name) ?? -1;
    const rows = s?.values ?? [];
    expect(rows.map((v) => v[col('s')])).toStrictEqual(hostile);
    expect(rows.map((v) => v[col('t k')] ?? '')).toStrictEqual(
      hostile.map((h) => h.replace(/[\\\n]/g, '\uFFFD')),
    );
    expect(rows.map((v) => [v[col('f')], v[col('n')], v[col('b')]])).toStrictEqual(
      hostile.map(() => [2, -3, true]),
    );
  }, 30_000);
});
