/**
 * The `timestream-flink` records read by the JVM the way the Flink job reads them: real Gson into
 * a HashMap<String, String>, then the job's key rules (test/helpers/flink-job/FlinkRecordCheck.java).
 * The job builds with Gson 2.8.6; this uses the Gson in the local Maven repository (no network
 * here), whose map reading of strings, numbers, nulls and nested values is the same. Skipped,
 * saying why, where there is no JDK or no Gson jar.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../edge/config.js';
import { ingest } from '../../../edge/ingest/ingest.js';
import { MemoryBadRowSink, MemoryRecordWriter } from '../../../edge/writers/memory.js';
import { toFlinkEvents } from '../../../edge/writers/timestream-flink.js';
import type { BeaconBatch } from '../../../schemas/index.js';
import {
  makeBatch,
  makeBatchOfEveryType,
  makeIngestRequest,
  NOW,
} from '../../helpers/cloudfront-events.js';

const SOURCE = path.resolve(import.meta.dirname, '../../helpers/flink-job/FlinkRecordCheck.java');
const GSON_DIR = path.join(os.homedir(), '.m2/repository/com/google/code/gson/gson');
/** Debian's libgoogle-gson-java, which `.ci/run` installs. */
const DEBIAN_GSON = '/usr/share/java/gson.jar';

function findGson(): string | undefined {
  if (fs.existsSync(DEBIAN_GSON)) return DEBIAN_GSON;
  if (!fs.existsSync(GSON_DIR)) return undefined;
  for (const version of fs.readdirSync(GSON_DIR).sort()) {
    const jar = path.join(GSON_DIR, version, `gson-${version}.jar`);
    if (fs.existsSync(jar)) return jar;
  }
  return undefined;
}

const gson = findGson();
const hasJdk = spawnSync('javac', ['-version']).status === 0;
// Skipped only outside CI: `.ci/run` installs both, so a missing one fails there.
const skip = (!gson || !hasJdk) && !process.env.CI;
let classes: string;

/** What the job makes of each payload: the Timestream record, or the error that fails it. */
interface JobView {
  ok: boolean;
  error?: string;
  time?: number;
  timeUnit?: string;
  measureName?: string;
  measureValue?: string;
  measureValueType?: string;
  dimensions?: Record<string, string>;
}

function readByJob(payloads: string[]): JobView[] {
  const out = execFileSync(
    'java',
    ['-cp', `${classes}${path.delimiter}${gson}`, 'FlinkRecordCheck'],
    {
      input: `${payloads.join('\n')}\n`,
      encoding: 'utf8',
    },
  );
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as JobView);
}

async function flinkPayloads(batch: BeaconBatch): Promise<string[]> {
  const writer = new MemoryRecordWriter();
  await ingest(makeIngestRequest({ body: batch }), {
    config: DEFAULT_CONFIG,
    writer,
    badRows: new MemoryBadRowSink(),
  });
  return writer.records.flatMap((r) => toFlinkEvents(r).map((e) => JSON.stringify(e)));
}

beforeAll(() => {
  if (skip) return;
  classes = fs.mkdtempSync(path.join(os.tmpdir(), 'flink-job-'));
  execFileSync('javac', ['-cp', gson as string, '-d', classes, SOURCE]);
});

afterAll(() => {
  if (classes) fs.rmSync(classes, { recursive: true, force: true });
});

describe.skipIf(skip)(
  `timestream-flink records read with Gson (${gson ? path.basename(gson) : 'no Gson jar'})`,
  () => {
    it('reads every event type into the record the edge meant: time, measure, every other key a dimension', async () => {
      const batch = makeBatchOfEveryType({ sent_at: NOW - 700 });
      const payloads = await flinkPayloads(batch);
      const views = readByJob(payloads);
      expect(views).toHaveLength(batch.events.length);
      views.forEach((v, i) => {
        const sent = JSON.parse(payloads[i]) as Record<string, string | number>;
        const { Time, TimeUnit, MeasureName, MeasureValue, MeasureValueType, ...dims } = sent;
        expect(v).toStrictEqual({
          ok: true,
          time: Time,
          timeUnit: TimeUnit,
          measureName: MeasureName,
          measureValue: MeasureValue,
          measureValueType: MeasureValueType,
          dimensions: dims,
        });
        expect(v.time).toBe(batch.events[i].ts + 700);
      });
    });

    it('reads text at its longest, astral characters included, unchanged', async () => {
      const batch = makeBatch({ sent_at: NOW, types: ['error'], content_id: '𝄞é字'.repeat(85) });
      Object.assign(batch.events[0], { message: '🎬'.repeat(512) });
      const payloads = await flinkPayloads(batch);
      const [v] = readByJob(payloads);
      expect(v.ok).toBe(true);
      expect(v.dimensions?.content_id).toBe(batch.content_id);
      expect(v.dimensions?.error_message).toBe(JSON.parse(payloads[0]).error_message);
    });

    it('fails, as the job does, on what the edge never writes: nested values, nulls, unknown types', () => {
      const base = { Time: 1, TimeUnit: 'MILLISECONDS', MeasureName: 'm', MeasureValue: '1' };
      const views = readByJob([
        JSON.stringify({ ...base, MeasureValueType: 'BIGINT', geo: { country: 'DE' } }),
        JSON.stringify({ ...base, MeasureValueType: 'BIGINT', os: null }),
        JSON.stringify({ ...base, MeasureValueType: 'INTEGER' }),
        JSON.stringify({ ...base, Time: 1.5, MeasureValueType: 'BIGINT' }),
      ]);
      expect(views.map((v) => v.ok)).toStrictEqual([false, false, false, false]);
      expect(views[0].error).toContain('Expected a string but was BEGIN_OBJECT');
    });
  },
);
