/**
 * `beacons rollout set|clear|list`: the rollout switch's rules (edge/rollout.ts) in the local
 * stack's KeyValueStore file (the default: the data directory's, which a running `beacons dev`
 * re-reads) or, with `--kvs-arn`, in the deployed CloudFront KeyValueStore.
 */
import { ROLLOUT_KEYS } from '../edge/rollout.js';
import { parseCommandLine } from './cli-args.js';
import { DEV_DEFAULTS } from './config.js';
import { UsageError } from './errors.js';
import { buildRule, scopeOf, withoutRule, withRule } from './rollout-edit.js';
import { FileRolloutStore, localKvsFile, type RolloutStore } from './rollout-file.js';
import { describeRow, formatRolloutView, rolloutView } from './rollout-list.js';

const STORE_FLAGS = {
  'data-dir': { type: 'string' },
  'kvs-arn': { type: 'string' },
} as const;

/** Today as the rules write dates: the UTC calendar day. */
export function utcToday(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The store the flags name; the AWS client is loaded only when asked for. */
async function storeOf(flags: { 'data-dir'?: string; 'kvs-arn'?: string }): Promise<RolloutStore> {
  if (flags['kvs-arn'] !== undefined) {
    if (flags['data-dir'] !== undefined)
      throw new UsageError('--kvs-arn and --data-dir name two stores; pass one');
    const { checkKvsArn, kvsClient, KvsRolloutStore } = await import('./rollout-kvs.js');
    return new KvsRolloutStore(kvsClient(), checkKvsArn(flags['kvs-arn']));
  }
  return new FileRolloutStore(localKvsFile(flags['data-dir'] ?? DEV_DEFAULTS.dataDir));
}

/** When a change reaches the edge, for the confirmation line. */
function takesEffect(store: RolloutStore): string {
  return store instanceof FileRolloutStore
    ? `a running "beacons dev" applies it within ${DEV_DEFAULTS.kvsCheckEveryMs} ms, a later one at start`
    : 'every edge location applies it within seconds';
}

/**
 * Runs `beacons rollout <sub> …`; resolves to the exit code. `today` is the default `--since`
 * (injected by tests).
 */
export async function rolloutCommand(args: string[], today = utcToday()): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') {
    const { values, positionals } = parseCommandLine('rollout list', rest, {
      ...STORE_FLAGS,
      json: { type: 'boolean' },
    });
    if (positionals.length > 0)
      throw new UsageError(`beacons rollout list takes no operands, got "${positionals[0]}"`);
    const store = await storeOf(values);
    const view = rolloutView(await store.read());
    console.log(values.json ? JSON.stringify(view, null, 2) : formatRolloutView(view, store.where));
    return 0;
  }
  if (sub === 'set') {
    const { values, positionals } = parseCommandLine('rollout set', rest, {
      ...STORE_FLAGS,
      sample: { type: 'string' },
      since: { type: 'string' },
      sunset: { type: 'string' },
      upgrade: { type: 'string' },
    });
    if (positionals.length !== 2)
      throw new UsageError(
        'usage: beacons rollout set <schema-version|sdk_name@sdk_version> <live|deprecated|retired> [--sample 0.1] [--since YYYY-MM-DD] [--sunset YYYY-MM-DD] [--upgrade V]',
      );
    const rule = buildRule(positionals[0], positionals[1], values, today);
    const store = await storeOf(values);
    const changed = await store.update(rule.scope, (current) => withRule(current, rule));
    console.log(
      `${rule.subject}: ${describeRow({ ...rule, current: false })}${changed ? '' : ' (already so)'}`,
    );
    console.log(`  ${ROLLOUT_KEYS[rule.scope]} in ${store.where}; ${takesEffect(store)}`);
    return 0;
  }
  if (sub === 'clear') {
    const { values, positionals } = parseCommandLine('rollout clear', rest, STORE_FLAGS);
    if (positionals.length !== 1)
      throw new UsageError('usage: beacons rollout clear <schema-version|sdk_name@sdk_version>');
    const subject = positionals[0];
    // Any subject may be cleared, also a rule for a version no longer bundled.
    const scope = scopeOf(subject);
    const store = await storeOf(values);
    let had = true;
    await store.update(scope, (current) => {
      const out = withoutRule(scope, current, subject);
      had = !out.unchanged;
      return out.value;
    });
    if (!had) console.log(`${subject}: no rule; it is live`);
    else {
      console.log(`${subject}: rule removed; it is live`);
      console.log(`  ${ROLLOUT_KEYS[scope]} in ${store.where}; ${takesEffect(store)}`);
    }
    return 0;
  }
  throw new UsageError(
    `unknown subcommand "rollout ${sub ?? ''}"; use rollout set, rollout clear or rollout list`,
  );
}
