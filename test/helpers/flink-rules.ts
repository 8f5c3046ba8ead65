/**
 * The parsing rules of the AWS demo's Flink job (amazon-timestream-tools
 * `integrations/flink_connector` at commit 1acac3576b76bce44a4d8d8a4ab3fa41ea5d80b6:
 * StreamingJob, JsonToTimestreamPayloadFn, TimestreamPoint, TimestreamSink) and the Timestream
 * limits its sink meets, written out independently of edge/writers/timestream-flink.ts so a test
 * can hold the mapper to them. Each rule names what breaks when it is not kept.
 */

/** Keys the job reads itself (matched case-insensitively); every other key is a dimension. */
const RESERVED = ['time', 'timeunit', 'measurename', 'measurevalue', 'measurevaluetype'];
/** `MeasureValueType.fromValue` of the AWS SDK for Java 1.11.872 the job builds with. */
const MEASURE_TYPES = ['DOUBLE', 'BIGINT', 'VARCHAR', 'BOOLEAN'];
/** TimeUnit values Timestream accepts (the job passes the string through). */
const TIME_UNITS = ['MILLISECONDS', 'SECONDS', 'MICROSECONDS', 'NANOSECONDS'];

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * Everything in `value` (one parsed Kinesis record) the job or Timestream would fail on or
 * drop; empty when the record is stored as written. `expectedUnit` is the unit the edge promises.
 */
export function flinkViolations(value: unknown, expectedUnit = 'MILLISECONDS'): string[] {
  const out: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return ['not a JSON object: Gson cannot read it into a map (the job fails)'];
  }
  const obj = value as Record<string, unknown>;
  const lower = new Map<string, string>();
  for (const key of Object.keys(obj)) {
    const l = key.toLowerCase();
    if (lower.has(l)) out.push(`keys ${lower.get(l)} and ${key} are one key to the job`);
    lower.set(l, key);
  }
  for (const [key, v] of Object.entries(obj)) {
    if (v === null) out.push(`${key} is null (the job fails or the batch is refused)`);
    else if (typeof v === 'object') out.push(`${key} is nested (Gson fails the job)`);
    else if (key !== 'Time' && typeof v !== 'string') out.push(`${key} is not a string`);
  }
  for (const key of ['Time', 'TimeUnit', 'MeasureName', 'MeasureValue', 'MeasureValueType']) {
    if (!(key in obj)) out.push(`${key} is missing`);
  }
  const time = obj.Time;
  if (
    !(typeof time === 'number' && Number.isSafeInteger(time) && /^\d+$/.test(JSON.stringify(time)))
  ) {
    out.push(`Time ${JSON.stringify(time)} is not an integer Long.parseLong reads`);
  }
  if (typeof obj.TimeUnit === 'string' && !TIME_UNITS.includes(obj.TimeUnit))
    out.push(`TimeUnit ${obj.TimeUnit} is not a Timestream unit`);
  if (obj.TimeUnit !== expectedUnit) out.push(`TimeUnit is not ${expectedUnit}`);
  const type = obj.MeasureValueType;
  if (typeof type !== 'string' || !MEASURE_TYPES.includes(type.toUpperCase())) {
    out.push(`MeasureValueType ${String(type)} is not one the SDK enum knows`);
  }
  const mv = obj.MeasureValue;
  if (typeof mv === 'string') {
    if (type === 'BIGINT' && !(/^-?\d{1,19}$/.test(mv) && BigInt(mv) < 2n ** 63n))
      out.push(`MeasureValue ${mv} is not a BIGINT`);
    if (type === 'DOUBLE' && !(mv.trim() !== '' && Number.isFinite(Number(mv)) && mv !== '-0'))
      out.push(`MeasureValue ${mv} is not a DOUBLE Timestream takes`);
    if (mv === '' || utf8(mv) > 2048) out.push('MeasureValue is empty or over 2048 bytes');
  }
  const name = obj.MeasureName;
  if (typeof name === 'string' && (name === '' || utf8(name) > 256))
    out.push('MeasureName is empty or over 256 bytes');
  let size = 8 + (typeof name === 'string' ? utf8(name) : 0);
  size += type === 'VARCHAR' && typeof mv === 'string' ? utf8(mv) : type === 'BOOLEAN' ? 1 : 8;
  let dimensions = 0;
  for (const [key, v] of Object.entries(obj)) {
    if (RESERVED.includes(key.toLowerCase())) continue;
    dimensions += 1;
    const n = utf8(key);
    if (n < 1 || n > 60) out.push(`dimension name ${key} is not 1–60 bytes`);
    if (['time', 'measure_name', 'measure_value'].includes(key) || /^(ts_|measure_value)/.test(key))
      out.push(`dimension name ${key} is reserved by Timestream`);
    if (key.includes(':')) out.push(`dimension name ${key} has a colon`);
    if (typeof v === 'string') {
      if (v === '') out.push(`dimension ${key} is empty`);
      if (utf8(v) > 2048) out.push(`dimension ${key} is over 2 KB`);
      size += n + utf8(v);
    }
  }
  if (dimensions > 128) out.push(`${dimensions} dimensions (a table holds at most 128)`);
  if (size > 2000) out.push(`record is ${size} bytes as Timestream counts them (at most 2 KB)`);
  return out;
}

/** The dimension names of a record (every key the job does not read itself). */
export function dimensionNames(value: Record<string, unknown>): string[] {
  return Object.keys(value).filter((k) => !RESERVED.includes(k.toLowerCase()));
}
