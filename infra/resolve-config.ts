/**
 * CDK context → a checked DeployConfig. The defaults are DEFAULT_DEPLOY_CONFIG's (config.ts);
 * context overrides them in two ways, applied in this order:
 *   - an object under the key `beacon-edge` (in cdk.json, or `-c beacon-edge='{"store":"timestream"}'`);
 *   - one key at a time: `-c beacon-edge:store=timestream`, `-c beacon-edge:waf.enabled=false`,
 *     `-c beacon-edge:regions=us-east-1,eu-west-1` (lists: comma-separated or a JSON array).
 * Every value is checked against the type of its default, then the whole against the rules
 * below; the first problem throws a DeployConfigError that names the key, so a bad deploy stops
 * at synth with a sentence instead of half-way through CloudFormation.
 */
import { regionCoordinates } from '../edge/routing/regions.js';
import { SDK_NAME_TAG_SHAPE } from '../core-pipeline/sinks/influxdb-schema.js';
import { checkedRollout } from '../edge/kvs.js';
import { DEFAULT_DEPLOY_CONFIG, type DeployConfig } from './config.js';

/** The context key of the configuration object, and the prefix of single-key overrides. */
const CONTEXT_KEY = 'beacon-edge';

/** A configuration that cannot be deployed; the message names the key and the problem. */
export class DeployConfigError extends Error {
  override name = 'DeployConfigError';
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/**
 * Resolves the deployment from CDK context (`app.node.getAllContext()`).
 * @throws DeployConfigError on an unknown key, a value of the wrong type or a rule broken.
 */
export function resolveDeployConfig(context: Record<string, unknown>): DeployConfig {
  const config = structuredClone(DEFAULT_DEPLOY_CONFIG) as unknown as Record<string, Json>;
  let wireFormatSet = false;
  const whole = context[CONTEXT_KEY];
  if (whole !== undefined) {
    const value = typeof whole === 'string' ? parseJson(whole, CONTEXT_KEY) : whole;
    if (!isObject(value)) fail(CONTEXT_KEY, 'must be a JSON object');
    mergeObject(config, value as Record<string, Json>, CONTEXT_KEY);
    wireFormatSet = 'wireFormat' in (value as object);
  }
  const prefix = `${CONTEXT_KEY}:`;
  for (const key of Object.keys(context).sort()) {
    if (!key.startsWith(prefix)) continue;
    const path = key.slice(prefix.length).split('.');
    setPath(config, path, context[key] as Json);
    if (path[0] === 'wireFormat') wireFormatSet = true;
  }
  const resolved = config as unknown as DeployConfig;
  if (resolved.core === 'flink' && !wireFormatSet) resolved.wireFormat = 'timestream-flink';
  validate(resolved);
  return resolved;
}

function fail(where: string, problem: string): never {
  throw new DeployConfigError(`${where}: ${problem}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(text: string, where: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return fail(where, `${JSON.stringify(text)} is not valid JSON`);
  }
}

/** Sets `target[path]` to `raw` coerced to the type of the value already there (the default). */
function setPath(target: Record<string, Json>, path: string[], raw: Json): void {
  const where = `${CONTEXT_KEY}.${path.join('.')}`;
  let node: Record<string, Json> = target;
  for (const [i, key] of path.entries()) {
    if (!Object.hasOwn(node, key))
      fail(
        `${CONTEXT_KEY}.${path.slice(0, i).join('.')}`.replace(/\.$/, ''),
        `unknown key "${key}"`,
      );
    if (i === path.length - 1) {
      node[key] = coerce(node[key], raw, where);
      return;
    }
    const next = node[key];
    if (!isObject(next)) fail(where, `"${path.slice(0, i + 1).join('.')}" has no keys`);
    node = next as Record<string, Json>;
  }
}

function mergeObject(target: Record<string, Json>, source: Record<string, Json>, where: string) {
  for (const [key, value] of Object.entries(source)) {
    if (!Object.hasOwn(target, key)) fail(where, `unknown key "${key}"`);
    target[key] = coerce(target[key], value, `${where}.${key}`);
  }
}

/** `raw` as the type of `current`: strings from the command line become lists, numbers, booleans. */
function coerce(current: Json, raw: Json, where: string): Json {
  if (Array.isArray(current)) {
    let list: Json = raw;
    if (typeof raw === 'string') {
      const text = raw.trim();
      list = text.startsWith('[')
        ? parseJson(text, where)
        : text
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    }
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))
      fail(where, 'must be a list of strings');
    return list;
  }
  if (typeof current === 'number') {
    const n = typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isFinite(n))
      fail(where, `${JSON.stringify(raw)} is not a number`);
    return n;
  }
  if (typeof current === 'boolean') {
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    return fail(where, `${JSON.stringify(raw)} is not true or false`);
  }
  if (typeof current === 'string') {
    if (typeof raw !== 'string') fail(where, `${JSON.stringify(raw)} is not a string`);
    return raw;
  }
  const value = typeof raw === 'string' ? parseJson(raw, where) : raw;
  if (!isObject(value)) fail(where, 'must be a JSON object');
  const merged = structuredClone(current) as Record<string, Json>;
  mergeObject(merged, value as Record<string, Json>, where);
  return merged;
}

function oneOf(where: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value))
    fail(where, `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
}

function positiveInteger(where: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min) fail(where, `${value} must be an integer ≥ ${min}`);
}

const K = (key: string) => `${CONTEXT_KEY}.${key}`;
const ORIGIN = /^https?:\/\/[^/\s]+$/;
const PATH = /^\/[A-Za-z0-9._~/-]*$/;

/** The rules a deployable configuration keeps; each broken one has its own message. */
function validate(c: DeployConfig): void {
  if (!/^[a-z][a-z0-9-]{0,29}$/.test(c.appName))
    fail(
      K('appName'),
      `${JSON.stringify(c.appName)} must be 1-30 lowercase letters, digits or hyphens, starting with a letter`,
    );
  if (c.regions.length === 0) fail(K('regions'), 'at least one region is needed');
  for (const [i, r] of c.regions.entries()) {
    if (!regionCoordinates(r)) fail(K('regions'), `unknown region ${JSON.stringify(r)}`);
    if (c.regions.indexOf(r) !== i) fail(K('regions'), `${JSON.stringify(r)} is listed twice`);
  }
  if (!c.regions.includes(c.homeRegion))
    fail(
      K('homeRegion'),
      `${JSON.stringify(c.homeRegion)} is not one of the regions (${c.regions.join(', ')})`,
    );
  oneOf(K('store'), c.store, ['influxdb', 'timestream']);
  oneOf(K('core'), c.core, ['lambda', 'flink']);
  oneOf(K('wireFormat'), c.wireFormat, ['beacon-record', 'timestream-flink']);
  if (c.core === 'flink' && c.wireFormat !== 'timestream-flink')
    fail(
      K('wireFormat'),
      `core "flink" reads "timestream-flink"; "${c.wireFormat}" would fail the Flink job`,
    );
  if (c.core === 'lambda' && c.wireFormat !== 'beacon-record')
    fail(
      K('wireFormat'),
      `"${c.wireFormat}" needs core "flink"; the consumer Lambda reads "beacon-record"`,
    );
  if (c.core === 'flink' && c.store !== 'timestream')
    fail(
      K('store'),
      'core "flink" writes Timestream for LiveAnalytics (the AWS demo\'s job): set store "timestream"',
    );
  if (c.core === 'flink' && (!c.flink.jarBucketName || !c.flink.jarKey))
    fail(
      K('flink'),
      'core "flink" needs jarBucketName and jarKey (the S3 location of the Flink job\'s jar)',
    );
  if (c.ingestPaths.length === 0) fail(K('ingestPaths'), 'at least one ingest path is needed');
  for (const p of c.ingestPaths)
    if (!PATH.test(p))
      fail(
        K('ingestPaths'),
        `${JSON.stringify(p)} must start with / and hold only letters, digits and - . _ ~ /`,
      );
  if (!PATH.test(c.cmcdPath))
    fail(
      K('cmcdPath'),
      `${JSON.stringify(c.cmcdPath)} must start with / and hold only letters, digits and - . _ ~ /`,
    );
  // One behaviour per path: the same path cannot take JSON batches and CMCD reports.
  if (c.ingestPaths.includes(c.cmcdPath))
    fail(K('cmcdPath'), `${JSON.stringify(c.cmcdPath)} is also one of the ingest paths`);
  for (const o of c.allowedOrigins)
    if (o !== '*' && !ORIGIN.test(o))
      fail(K('allowedOrigins'), `${JSON.stringify(o)} must be * or scheme://host[:port]`);
  try {
    checkedRollout(c.rollout);
  } catch (err) {
    fail(K('rollout'), (err as Error).message.replace(/^edge config /, ''));
  }
  oneOf(K('cdn.priceClass'), c.cdn.priceClass, [
    'PriceClass_All',
    'PriceClass_200',
    'PriceClass_100',
  ]);
  if (!c.cdn.domainName !== !c.cdn.certificateArn)
    fail(K('cdn'), 'domainName and certificateArn go together: set both or neither');
  if (
    c.cdn.certificateArn &&
    !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(c.cdn.certificateArn)
  )
    fail(
      K('cdn.certificateArn'),
      'must be an ACM certificate ARN in us-east-1 (CloudFront uses certificates from there only)',
    );
  positiveInteger(K('waf.requestsPer5MinPerIp'), c.waf.requestsPer5MinPerIp, 10);
  if (c.alarmEmail && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c.alarmEmail))
    fail(K('alarmEmail'), `${JSON.stringify(c.alarmEmail)} is not an email address`);
  positiveInteger(K('archiveRetentionDays'), c.archiveRetentionDays);
  // A listed name outside the tag's shape could never be kept: say so at synth, not in Grafana.
  for (const n of c.influxdb.sdkNames)
    if (!SDK_NAME_TAG_SHAPE.test(n))
      fail(
        K('influxdb.sdkNames'),
        `${JSON.stringify(n)} is not an SDK name the tag keeps (lower-case package-name characters, at most 48)`,
      );
}
