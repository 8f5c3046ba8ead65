/**
 * Integration of the Kinesis record writer and the local bad-rows sink with a real Kinesis API
 * (kinesalite): records are read back with GetRecords.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamTarget } from '../../../edge/config.js';
import { buildRecord, parseEdgeStamp } from '../../../edge/ingest/enrich.js';
import { KinesisBadRowSink } from '../../../edge/writers/bad-row-sinks.js';
import { KinesisRecordWriter } from '../../../edge/writers/kinesis-writer.js';
import { LOCAL_CREDENTIALS } from '../../../local/kinesis-local.js';
import type { BadRow, EnrichedRecord } from '../../../schemas/record.js';
import { defaultHeaders, makeBatch, NOW } from '../../helpers/cloudfront-events.js';
import { readStream, startTestKinesis, type TestKinesis } from '../../helpers/kinesis-streams.js';

let kinesalite: TestKinesis;
let eu: StreamTarget;
let us: StreamTarget;

function makeRecord(streamRegion: string): EnrichedRecord {
  const batch = makeBatch({ sent_at: NOW - 500 });
  return buildRecord(
    batch,
    batch.events.map((event, index) => ({ index, event })),
    {
      headers: defaultHeaders(),
      requestId: 'req-k',
      servingRegion: 'eu-central-1',
      streamRegion,
      stamp: parseEdgeStamp(undefined, 'eu-central-1', NOW),
    },
  );
}

beforeAll(async () => {
  kinesalite = await startTestKinesis({
    streams: [
      'beacon-edge-events-eu-central-1',
      'beacon-edge-events-us-east-1',
      'beacon-edge-bad-rows',
    ],
    shards: 2,
  });
  eu = {
    region: 'eu-central-1',
    streamName: 'beacon-edge-events-eu-central-1',
    endpoint: kinesalite.endpoint,
  };
  us = {
    region: 'us-east-1',
    streamName: 'beacon-edge-events-us-east-1',
    endpoint: kinesalite.endpoint,
  };
});

afterAll(async () => {
  await kinesalite?.stop();
});

describe('against kinesalite', () => {
  it('writes records that read back byte for byte, keyed by session id', async () => {
    const writer = new KinesisRecordWriter({ budgetMs: 3000, localCredentials: LOCAL_CREDENTIALS });
    try {
      const records = [
        makeRecord('eu-central-1'),
        makeRecord('eu-central-1'),
        makeRecord('eu-central-1'),
      ];
      await writer.write(records, [eu, us]);
      const stored = await readStream(kinesalite.client, eu.streamName);
      expect(stored.map((s) => s.key).sort()).toStrictEqual(
        records.map((r) => r.session_id).sort(),
      );
      for (const s of stored) {
        const record = records.find((r) => r.session_id === s.key);
        expect(JSON.parse(s.data)).toStrictEqual(record);
      }
      // Later writes reuse the same client.
      await writer.write([makeRecord('eu-central-1')], [eu, us]);
      expect(writer.clientCount).toBe(1);
    } finally {
      writer.destroy();
    }
  });

  it('falls back past a stream that does not exist, recording where it went', async () => {
    const writer = new KinesisRecordWriter({ budgetMs: 3000, localCredentials: LOCAL_CREDENTIALS });
    try {
      const missing = {
        region: 'ap-southeast-1',
        streamName: 'beacon-edge-events-missing',
        endpoint: kinesalite.endpoint,
      };
      const record = makeRecord('ap-southeast-1');
      const before = (await readStream(kinesalite.client, us.streamName)).length;
      await writer.write([record], [missing, us]);
      const stored = await readStream(kinesalite.client, us.streamName);
      expect(stored).toHaveLength(before + 1);
      const mine = stored.find((s) => s.key === record.session_id);
      expect(JSON.parse(mine?.data ?? 'null')).toStrictEqual({
        ...record,
        edge: { ...record.edge, stream_region: 'us-east-1' },
      });
    } finally {
      writer.destroy();
    }
  });

  it('KinesisBadRowSink writes one record per bad row, keyed by request id', async () => {
    const sink = new KinesisBadRowSink(
      {
        kind: 'kinesis',
        region: 'us-east-1',
        streamName: 'beacon-edge-bad-rows',
        endpoint: kinesalite.endpoint,
      },
      { budgetMs: 3000, localCredentials: LOCAL_CREDENTIALS },
    );
    try {
      const rows: BadRow[] = [1, 2].map((i) => ({
        received_at: NOW,
        request_id: `req-bad-${i}`,
        status: 400,
        reason: 'invalid_json',
        detail: 'Unexpected end of JSON input',
        payload: '{"a":',
        payload_encoding: 'text',
      }));
      await sink.write(rows);
      const stored = await readStream(kinesalite.client, 'beacon-edge-bad-rows');
      expect(stored.map((s) => [s.key, JSON.parse(s.data)]).sort()).toStrictEqual(
        rows.map((r) => [r.request_id, r]).sort(),
      );
    } finally {
      sink.destroy();
    }
  });
});
