/**
 * A fake Timestream for LiveAnalytics WriteRecords that keeps the service's documented rules, for
 * tests that drive the real AWS SDK client (its `send` is replaced by aws-sdk-client-mock's
 * `.callsFake`). Nothing LiveAnalytics-compatible runs locally, so this is the closest honest
 * stand-in; its numbers are its own, not imported from the sink, so a wrong limit in the sink
 * fails a test instead of agreeing with itself.
 *
 * Sources (checked 2026-11):
 * - Quotas, https://docs.aws.amazon.com/timestream/latest/developerguide/ts-limits.html: 100
 *   records per WriteRecords, 2 KB per record, 128 dimensions and 8,192 measure names per table,
 *   dimension names ≤ 60 bytes, measure names ≤ 256 bytes, data ≤ 15 min in the future.
 * - WriteRecords, https://docs.aws.amazon.com/timestream/latest/developerguide/API_WriteRecords.html:
 *   Records 1..100 (else ValidationException); Version defaults to 1; a higher Version updates a
 *   record; CommonAttributes are merged into every record; errors AccessDenied, InternalServer,
 *   InvalidEndpoint, RejectedRecords, ResourceNotFound, Throttling, Validation.
 * - RejectedRecord / RejectedRecordsException,
 *   https://docs.aws.amazon.com/timestream/latest/developerguide/API_RejectedRecord.html: a record
 *   with the same dimensions, time and measure name but different measure values and a version
 *   lower than or equal to the stored one is rejected with ExistingVersion; so are records outside
 *   the memory store's retention and records over the limits. RecordIndex counts from 0.
 * - The other records of a request are stored (re:Post "batch write if part of the write is too
 *   old"; a pull request to amazon-timestream-tools: "Other records have already been wrote
 *   successfully").
 * - Reason texts as the service words them: "The record timestamp is outside the time range
 *   [a, b) of the data ingestion window." (AWS sample output), "The record version 2 is lower than
 *   the existing version 200. …" (a bug report to aws-sdk-pandas), "A record already exists with
 *   the same time, dimensions, measure name, and record version. …" (a bug report to
 *   prometheus-timestream-adapter, HTTP 419). The size formula is "Metering and pricing: writes"
 *   (metering-and-pricing.writes.html); the quota page does not say how 2 KB is counted.
 * - MeasureValue.Value and Dimension.Value: length 1..2048 (API_MeasureValue.html).
 */
import {
  type _Record,
  InternalServerException,
  RejectedRecordsException,
  ResourceNotFoundException,
  ThrottlingException,
  TimestreamWriteClient,
  ValidationException,
  WriteRecordsCommand,
  type WriteRecordsCommandInput,
  type WriteRecordsCommandOutput,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach } from 'vitest';
import type { EventSink } from '../../core-pipeline/sinks/sink.js';
import { createTimestreamSink } from '../../core-pipeline/sinks/timestream.js';

const MAX_RECORDS = 100;
const MAX_RECORD_BYTES = 2048;
const MAX_DIMENSIONS_PER_TABLE = 128;
const MAX_MEASURE_NAMES_PER_TABLE = 8192;
const MAX_DIMENSION_NAME_BYTES = 60;
const MAX_MEASURE_NAME_BYTES = 256;
const FUTURE_MS = 15 * 60_000;
const NS_PER: Record<string, bigint> = {
  SECONDS: 1_000_000_000n,
  MILLISECONDS: 1_000_000n,
  MICROSECONDS: 1_000n,
  NANOSECONDS: 1n,
};

/** A record as the fake stores it. */
export interface StoredRecord {
  dimensions: Record<string, string>;
  measureName: string;
  timeNs: bigint;
  version: number;
  measures: Record<string, { type: string; value: string }>;
}

interface Table {
  memoryRetentionHours: number;
  records: Map<string, StoredRecord>;
  dimensionNames: Set<string>;
  measureNames: Set<string>;
}

const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);
const meta = (status: number) => ({
  httpStatusCode: status,
  requestId: 'fake',
  attempts: 1,
  totalRetryDelay: 0,
});

/** The fake service: tables, a clock, scripted failures and a log of every request. */
export class TimestreamFake {
  /** The service's clock (ms). */
  now = Date.now();
  /** Every request received, in order. */
  readonly requests: WriteRecordsCommandInput[] = [];
  private readonly tables = new Map<string, Table>();
  private readonly failures: (() => Error)[] = [];

  constructor(readonly database: string) {}

  /** Creates a table with a memory-store retention (hours). */
  createTable(name: string, memoryRetentionHours = 1): this {
    this.tables.set(name, {
      memoryRetentionHours,
      records: new Map(),
      dimensionNames: new Set(),
      measureNames: new Set(),
    });
    return this;
  }

  /** The next `n` requests fail with ThrottlingException (or `make()`), then requests go through. */
  failNext(n: number, make: () => Error = throttling): this {
    for (let i = 0; i < n; i++) this.failures.push(make);
    return this;
  }

  /** Every record stored in `table`. */
  records(table: string): StoredRecord[] {
    return [...(this.table(table)?.records.values() ?? [])];
  }

  /** Replaces the SDK client's `send` for WriteRecords with this fake; returns the mock to reset. */
  install() {
    const mock = mockClient(TimestreamWriteClient);
    mock.on(WriteRecordsCommand).callsFake((input: WriteRecordsCommandInput) => this.write(input));
    return mock;
  }

  /** One WriteRecords call. */
  write(input: WriteRecordsCommandInput): WriteRecordsCommandOutput {
    this.requests.push(structuredClone(input));
    const fail = this.failures.shift();
    if (fail) throw fail();
    const records = input.Records ?? [];
    if (records.length < 1 || records.length > MAX_RECORDS)
      throw validation(
        `1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to ${MAX_RECORDS}`,
      );
    const table =
      input.DatabaseName === this.database ? this.table(input.TableName ?? '') : undefined;
    if (!table)
      throw new ResourceNotFoundException({
        message: `The table ${input.TableName} does not exist.`,
        $metadata: meta(404),
      });
    const merged = records.map((r) => merge(input.CommonAttributes ?? {}, r));
    merged.forEach(checkShape);
    const rejected: { RecordIndex: number; Reason: string; ExistingVersion?: number }[] = [];
    merged.forEach((r, i) => {
      const reason = this.store(table, r);
      if (reason) rejected.push({ RecordIndex: i, ...reason });
    });
    if (rejected.length > 0)
      throw new RejectedRecordsException({
        message: 'One or more records have been rejected. See RejectedRecords for details.',
        RejectedRecords: rejected,
        $metadata: meta(419),
      });
    return {
      RecordsIngested: { Total: records.length, MemoryStore: records.length, MagneticStore: 0 },
      $metadata: meta(200),
    };
  }

  private table(name: string): Table | undefined {
    return this.tables.get(name);
  }

  /** Stores one record or says why not. */
  private store(table: Table, r: _Record): { Reason: string; ExistingVersion?: number } | null {
    const size = recordSize(r);
    if (size > MAX_RECORD_BYTES)
      return {
        Reason: `Record size ${size} bytes exceeds the maximum of ${MAX_RECORD_BYTES} bytes.`,
      };
    const timeNs = BigInt(r.Time ?? '0') * NS_PER[r.TimeUnit ?? 'MILLISECONDS'];
    const from = BigInt(this.now - table.memoryRetentionHours * 3_600_000) * 1_000_000n;
    const to = BigInt(this.now + FUTURE_MS) * 1_000_000n;
    if (timeNs < from || timeNs >= to)
      return {
        Reason: `The record timestamp is outside the time range [${iso(from)}, ${iso(to)}) of the data ingestion window.`,
      };
    const dims = Object.fromEntries((r.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));
    const newDims = Object.keys(dims).filter((d) => !table.dimensionNames.has(d));
    if (table.dimensionNames.size + newDims.length > MAX_DIMENSIONS_PER_TABLE)
      return { Reason: `The table would have more than ${MAX_DIMENSIONS_PER_TABLE} dimensions.` };
    const names = [r.MeasureName ?? '', ...(r.MeasureValues ?? []).map((m) => m.Name ?? '')];
    const newNames = [...new Set(names)].filter((n) => !table.measureNames.has(n));
    if (table.measureNames.size + newNames.length > MAX_MEASURE_NAMES_PER_TABLE)
      return {
        Reason: `The table would have more than ${MAX_MEASURE_NAMES_PER_TABLE} measure names.`,
      };
    const record: StoredRecord = {
      dimensions: dims,
      measureName: r.MeasureName ?? '',
      timeNs,
      version: r.Version ?? 1,
      measures: measuresOf(r),
    };
    const key = JSON.stringify([Object.entries(dims).sort(), record.measureName, String(timeNs)]);
    const existing = table.records.get(key);
    if (existing && record.version <= existing.version && !sameValues(existing, record)) {
      return {
        Reason:
          record.version < existing.version
            ? `The record version ${record.version} is lower than the existing version ${existing.version}. A higher version is required to update the measure value.`
            : 'A record already exists with the same time, dimensions, measure name, and record version. A higher record version must be specified in order to update the measure value. Specifying record version is supported by the latest SDKs.',
        ExistingVersion: existing.version,
      };
    }
    for (const d of newDims) table.dimensionNames.add(d);
    for (const n of newNames) table.measureNames.add(n);
    // Identical values are accepted; a higher version is kept either way.
    if (!existing || record.version > existing.version) table.records.set(key, record);
    return null;
  }
}

function merge(common: _Record, r: _Record): _Record {
  return {
    ...common,
    ...r,
    Dimensions: [...(common.Dimensions ?? []), ...(r.Dimensions ?? [])],
    MeasureValues: r.MeasureValues ?? common.MeasureValues,
  };
}

/** What the service refuses for the whole request (ValidationException). */
function checkShape(r: _Record): void {
  if (r.Time === undefined || !/^\d+$/.test(r.Time)) throw validation('Invalid time for record.');
  if (!NS_PER[r.TimeUnit ?? 'MILLISECONDS']) throw validation(`Invalid TimeUnit ${r.TimeUnit}.`);
  if (!r.MeasureName || bytes(r.MeasureName) > MAX_MEASURE_NAME_BYTES)
    throw validation('Invalid measure name.');
  const names = new Set<string>();
  for (const d of r.Dimensions ?? []) {
    if (!d.Name || bytes(d.Name) > MAX_DIMENSION_NAME_BYTES)
      throw validation(`Invalid dimension name ${d.Name}.`);
    if (!d.Value || d.Value.length > 2048)
      throw validation(`Dimension ${d.Name} has an empty or too long value.`);
    if (names.has(d.Name)) throw validation(`Duplicate dimension ${d.Name}.`);
    names.add(d.Name);
  }
  if (r.MeasureValueType === 'MULTI') {
    const values = r.MeasureValues ?? [];
    if (values.length === 0 || r.MeasureValue !== undefined)
      throw validation('A MULTI record needs MeasureValues and no MeasureValue.');
    for (const m of values) {
      if (!m.Name || names.has(m.Name))
        throw validation(`Invalid or duplicate measure name ${m.Name}.`);
      if (!m.Value || m.Value.length > 2048)
        throw validation(`Measure ${m.Name} has an empty or too long value.`);
      if (!['DOUBLE', 'BIGINT', 'VARCHAR', 'BOOLEAN', 'TIMESTAMP'].includes(m.Type ?? ''))
        throw validation(`Invalid measure value type ${m.Type}.`);
      names.add(m.Name);
    }
  }
}

/** The metered size ("Metering and pricing: writes"), written out again on purpose. */
function recordSize(r: _Record): number {
  let n = 8;
  for (const d of r.Dimensions ?? []) n += bytes(d.Name) + bytes(d.Value);
  n += bytes(r.MeasureName);
  const size = (type: string | undefined, v: string | undefined) =>
    type === 'BOOLEAN'
      ? 1
      : type === 'BIGINT' || type === 'DOUBLE' || type === 'TIMESTAMP'
        ? 8
        : bytes(v);
  for (const m of r.MeasureValues ?? []) n += bytes(m.Name) + size(m.Type, m.Value);
  if (r.MeasureValue !== undefined) n += size(r.MeasureValueType, r.MeasureValue);
  return n;
}

function measuresOf(r: _Record): StoredRecord['measures'] {
  if (r.MeasureValueType !== 'MULTI')
    return {
      [r.MeasureName ?? '']: { type: r.MeasureValueType ?? 'DOUBLE', value: r.MeasureValue ?? '' },
    };
  return Object.fromEntries(
    (r.MeasureValues ?? []).map((m) => [
      m.Name ?? '',
      { type: m.Type ?? '', value: m.Value ?? '' },
    ]),
  );
}

function sameValues(a: StoredRecord, b: StoredRecord): boolean {
  return (
    JSON.stringify(Object.entries(a.measures).sort()) ===
    JSON.stringify(Object.entries(b.measures).sort())
  );
}

function iso(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString();
}

function validation(message: string): ValidationException {
  return new ValidationException({ message, Message: message, $metadata: meta(400) });
}

/** The service's answer when a table's write rate is over its limit. */
function throttling(): ThrottlingException {
  return new ThrottlingException({
    message: 'Rate exceeded',
    Message: 'Rate exceeded',
    $metadata: meta(400),
  });
}

/** A 500 from the service. */
export function internalError(): InternalServerException {
  return new InternalServerException({
    message: 'Internal server error',
    Message: 'Internal server error',
    $metadata: meta(500),
  });
}

/** What {@link timestreamSinkEachTest} hands the tests: renewed before each one. */
export interface TimestreamSinkFixture {
  fake: TimestreamFake;
  sink: EventSink;
}

/**
 * For each test: a fresh fake service (database `db`; tables `ev`, `bad` and `moreTables`, each
 * with a 2 h memory store) with its clock at `now`, installed on the AWS SDK, and the real sink on
 * it with the same clock and no waiting between retries; the sink is closed and the fake removed
 * after the test. The refusals table keeps the sink's default name, as the deployment names it.
 */
export function timestreamSinkEachTest(
  now: number,
  moreTables: readonly string[] = [],
): TimestreamSinkFixture {
  const fixture = {} as TimestreamSinkFixture;
  let mock: ReturnType<TimestreamFake['install']>;
  beforeEach(() => {
    fixture.fake = new TimestreamFake('db').createTable('ev', 2).createTable('bad', 2);
    for (const t of moreTables) fixture.fake.createTable(t, 2);
    fixture.fake.now = now;
    mock = fixture.fake.install();
    fixture.sink = createTimestreamSink({
      database: 'db',
      eventsTable: 'ev',
      badRowsTable: 'bad',
      memoryRetentionHours: 2,
      client: new TimestreamWriteClient({ region: 'us-east-1' }),
      now: () => now,
      sleep: async () => undefined,
    });
  });
  afterEach(async () => {
    await fixture.sink.close();
    mock.restore();
  });
  return fixture;
}
