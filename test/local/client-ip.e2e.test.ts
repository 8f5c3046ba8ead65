/**
 * No client IP address is stored anywhere. The whole local stack runs in-process; beacons go in
 * from a distinctive loopback address (the socket's own, which the emulator hands the edge as
 * `clientIp` and in `X-Forwarded-For`, as CloudFront does), also named in the headers a client or
 * an origin request policy could add (`X-Forwarded-For`, `CloudFront-Viewer-Address`,
 * `Forwarded`, `X-Real-IP`). Accepted batches, a partly refused batch and refused bodies of every
 * kind are sent; then every record in every stream, every column of every DuckDB table (bad-row
 * payloads decoded when base64) and every log line are searched for the address in its usual
 * spellings. A marker the test put into a body is found the same way, so the search does reach
 * the stored data.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_BAD_ROW_STREAM, localStreamNames } from '../../local/config.js';
import { startDev, type DevStack } from '../../local/dev.js';
import { localKinesisClient } from '../../local/kinesis-local.js';
import { LIMITS } from '../../schemas/limits.js';
import { makeBatch, makeEvent } from '../helpers/batch-factory.js';
import { readStream } from '../helpers/kinesis-streams.js';

/** The test client's address: loopback (Linux routes all of 127/8 there), and found nowhere else. */
const CLIENT = '127.203.157.61';
const OCTETS = CLIENT.split('.').map(Number);
/** The address as text, hex, a 32-bit integer, IPv6 hex groups and base64 of its four bytes. */
const SPELLINGS = [
  CLIENT,
  Buffer.from(OCTETS).toString('hex'),
  String(OCTETS.reduce((n, o) => n * 256 + o, 0)),
  `${Buffer.from(OCTETS.slice(0, 2)).toString('hex')}:${Buffer.from(OCTETS.slice(2)).toString('hex')}`,
  Buffer.from(OCTETS).toString('base64'),
];
/** Put into bodies on purpose: the search must find it where the bodies are stored. */
const MARKER = 'ip-probe-marker-7c1e';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-client-ip-'));
const logs: string[] = [];
let dev: DevStack | undefined;

/** The headers that could carry the address, each naming it. */
const ADDRESS_HEADERS = {
  'x-beacon-pop': 'FRA56-C1',
  'CloudFront-Viewer-Country': 'DE',
  'CloudFront-Viewer-Address': `${CLIENT}:41234`,
  'X-Forwarded-For': CLIENT,
  Forwarded: `for=${CLIENT}`,
  'X-Real-IP': CLIENT,
};

/** POSTs `body` to the edge from the {@link CLIENT} address; resolves with status and body. */
function postFromClient(
  body: Buffer | string,
  contentType = 'text/plain;charset=UTF-8',
): Promise<{ status: number; text: string }> {
  const url = new URL('/v1/events', dev!.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: CLIENT,
        headers: { ...ADDRESS_HEADERS, 'content-type': contentType },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function getJson<T>(p: string): Promise<T> {
  return (await (await fetch(`${dev!.url}${p}`)).json()) as T;
}

/** Polls until `check` returns true (bounded: the pipeline is asynchronous by design). */
async function eventually(what: () => string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The spellings of the address that `text` contains (case-insensitive). */
function addressIn(text: string): string[] {
  const lower = text.toLowerCase();
  return SPELLINGS.filter((s) => lower.includes(s.toLowerCase()));
}

beforeAll(async () => {
  dev = await startDev({ port: 0, dataDir, pollIntervalMs: 50, log: (l) => logs.push(l) });
});

afterAll(async () => {
  await dev?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('client IP addresses', () => {
  const good = makeBatch({ content_id: MARKER });
  const partly = makeBatch();
  partly.events.push({ ...makeEvent('paused'), seq: -1 } as never);
  const refused: [string, Buffer | string, string?][] = [
    ['not JSON', `{not json ${MARKER}`],
    [
      'not UTF-8',
      Buffer.concat([Buffer.from(`{"x":"${MARKER}`), Buffer.from([0xff, 0xfe, 0x22, 0x7d])]),
    ],
    ['not an envelope', JSON.stringify({ marker: MARKER })],
    ['too large', `"${MARKER}${'x'.repeat(LIMITS.maxBodyBytes)}"`],
    ['a wrong content type', JSON.stringify(makeBatch()), 'application/xml'],
    ['empty', ''],
  ];
  let stored: { events: number; badRows: number; columns: number; records: number } | undefined;

  it('are not in any stream record, table column, bad-row payload or log line', {
    timeout: 120_000,
  }, async () => {
    const statuses: number[] = [];
    expect((await postFromClient(JSON.stringify(good))).status).toBe(204);
    const mixed = await postFromClient(JSON.stringify(partly));
    expect(mixed.status).toBe(200);
    expect(JSON.parse(mixed.text)).toMatchObject({ accepted: partly.events.length - 1 });
    for (const [what, body, type] of refused) {
      const r = await postFromClient(body, type);
      expect(r.status, what).toBeGreaterThanOrEqual(400);
      expect(r.status, what).toBeLessThan(500);
      statuses.push(r.status);
    }
    // The edge tells no client its address either.
    expect(addressIn(mixed.text)).toStrictEqual([]);

    // Wait for the store to hold everything the streams hold (the streams are read again on each
    // try): the refused event and every refused body, each kept by the origin-request handler.
    const events = good.events.length + partly.events.length - 1;
    let records: string[] = [];
    let badInStream = 0;
    let seen = '';
    const client = localKinesisClient(dev!.kinesisEndpoint);
    try {
      await eventually(
        () => `every event and bad row in DuckDB (${seen})`,
        async () => {
          records = [];
          badInStream = 0;
          for (const stream of localStreamNames()) {
            const read = await readStream(client, stream);
            for (const r of read) records.push(r.key, r.data);
            if (stream === LOCAL_BAD_ROW_STREAM) badInStream = read.length;
          }
          const counts = await getJson<Record<string, number>>(
            `/api/v1/counts?since=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`,
          );
          const bad = await getJson<{ counts: Record<string, number> }>(
            '/api/v1/bad-rows?range=1h',
          );
          const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
          seen = `events ${sum(counts)}/${events}, bad rows ${sum(bad.counts)}/${badInStream}`;
          return (
            sum(counts) === events &&
            badInStream >= 1 + refused.length &&
            sum(bad.counts) === badInStream
          );
        },
      );
    } finally {
      client.destroy();
    }
    await dev!.stop();

    // Every stream record (partition keys and data).
    expect(records.flatMap(addressIn)).toStrictEqual([]);
    expect(records.some((r) => r.includes(MARKER))).toBe(true);

    // Every column of every table, as text; base64 bad-row payloads also decoded.
    const db = await DuckDBInstance.create(path.join(dataDir, 'beacons.duckdb'), {
      access_mode: 'READ_ONLY',
    });
    const conn = await db.connect();
    try {
      const columns = (
        await conn.runAndReadAll(
          `SELECT table_schema, table_name, column_name FROM information_schema.columns
           WHERE table_catalog = current_database() ORDER BY 1, 2, 3`,
        )
      ).getRowObjectsJS() as { table_schema: string; table_name: string; column_name: string }[];
      const found: string[] = [];
      const markerIn: string[] = [];
      for (const c of columns) {
        const rows = (
          await conn.runAndReadAll(
            `SELECT CAST("${c.column_name}" AS VARCHAR) AS v FROM "${c.table_schema}"."${c.table_name}"`,
          )
        ).getRowObjectsJS() as { v: string | null }[];
        for (const { v } of rows) {
          if (v === null) continue;
          for (const s of addressIn(v)) found.push(`${c.table_name}.${c.column_name}: ${s}`);
          if (v.includes(MARKER)) markerIn.push(`${c.table_name}.${c.column_name}`);
        }
      }
      const base64 = (
        await conn.runAndReadAll("SELECT payload FROM bad_rows WHERE payload_encoding = 'base64'")
      ).getRowObjectsJS() as { payload: string }[];
      expect(base64.length).toBeGreaterThan(0);
      for (const { payload } of base64) {
        const bytes = Buffer.from(payload, 'base64').toString('latin1');
        found.push(...addressIn(bytes).map((s) => `bad_rows.payload (decoded): ${s}`));
        if (bytes.includes(MARKER)) markerIn.push('bad_rows.payload (decoded)');
      }
      expect(found).toStrictEqual([]);
      // The search reaches the stored rows: the marker is in the events' content ids (and the
      // rollups keyed by them), in the text payloads of refused bodies and in the decoded base64 one.
      expect(new Set(markerIn)).toStrictEqual(
        new Set([
          'events.content_id',
          'rollup_1m.content_id',
          'rollup_startup_1m.content_id',
          'bad_rows.payload',
          'bad_rows.payload (decoded)',
        ]),
      );
      const count = async (sql: string) => Number((await conn.runAndReadAll(sql)).getRows()[0][0]);
      stored = {
        events: await count('SELECT count(*) FROM events'),
        badRows: await count('SELECT count(*) FROM bad_rows'),
        columns: columns.length,
        records: records.length / 2,
      };
    } finally {
      conn.closeSync();
      db.closeSync();
    }
    expect(stored.events).toBe(events);
    expect(logs.flatMap(addressIn)).toStrictEqual([]);
    expect(stored.badRows).toBe(badInStream);
    expect(stored.badRows).toBe(1 + refused.length);
    console.log(
      `client IP search: ${stored.records} stream records, ${stored.columns} columns, ${stored.events} event rows, ${stored.badRows} bad rows (statuses ${statuses.join(', ')}): absent`,
    );
  });
});
