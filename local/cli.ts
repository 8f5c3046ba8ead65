/**
 * The `beacons` command: `dev` runs the local stack until Ctrl-C, `simulate` plays viewers against
 * it, `diagnose` asks it what is worse than the rest, `rollout` and `schemas` steer and check the
 * schema versions, `help` explains them. Bundled into
 * dist/cli.mjs; bin/beacons.mjs calls {@link main}.
 */
import v8 from 'node:v8';
import { intFlag, parseFlags } from './cli-args.js';
import { API_TOKEN_ENV, checkBinding } from './api-auth.js';
import { DEV_DEFAULTS, SIMULATE_DEFAULTS } from './config.js';
import { LocalStackError, UsageError } from './errors.js';

const HELP = `beacons — video-player beacons collected at the edge, on your machine

Usage:
  beacons dev [--port ${DEV_DEFAULTS.port}] [--data-dir ${DEV_DEFAULTS.dataDir}] [--host ${DEV_DEFAULTS.host}] [--api-token T] [--edge-workers ${DEV_DEFAULTS.edgeWorkers}] [--no-simulate]
      Starts the local stack: kinesalite (one stream per region), the CloudFront emulator running
      the built edge functions, the core-pipeline consumer, DuckDB, the dashboard and its API.
      Data stays in --data-dir; a restart resumes where it stopped. Ctrl-C stops it cleanly.
      --host          address to listen on; any but loopback needs an API token
      --api-token     token the dashboard, / and the API then require (Authorization: Bearer,
                      or open a page once with ?token=); default $${API_TOKEN_ENV}, which keeps it
                      out of the process list. Beacons and the demo page never need it.
      --edge-workers  threads running the edge code (0: on the main thread)
      --no-simulate   do not play the small simulated audience (${SIMULATE_DEFAULTS.devViewers} viewers) it plays by default

  beacons simulate [--target ${SIMULATE_DEFAULTS.url}] [--viewers ${SIMULATE_DEFAULTS.viewers}] [--duration ${SIMULATE_DEFAULTS.durationSeconds}s] [--seed S]
                   [--fault <slice>=<value>:<metric>=<amount> ...] [--truth FILE] [--invalid-ratio 0.01]
      Plays an audience against a running "beacons dev" (loopback only): viewers around the world
      (countries, POPs, ASNs, devices, players, titles), each playing sessions back to back, every
      event sent when it happens, batched and resent as the SDK does.
      --target      the stack's URL (--url is another name for it)
      --viewers     viewers watching at once (1..${SIMULATE_DEFAULTS.maxViewers})
      --duration    how long: seconds, or 90s, 2m (at most ${SIMULATE_DEFAULTS.maxDurationSeconds / 60}m)
      --seed        a number: the same seed plays the same sessions and faults
      --fault       degrades one slice, repeatable, e.g. pop=MAD50-C2:stall-rate=5x,
                    asn=3320:failure=10%, country=BR:startup=+2s, region=eu-central-1:bitrate=0.5x.
                    Slices: pop, country, asn, region, device, content, player. Metrics:
                    stall-rate=Nx, stall-time=Nx, failure=P% (start), playback-failure=P%, exit=P%,
                    startup=+Ns|Nx, bitrate=Nx, seek=+Nms|Nx. A slice the audience lacks is added.
      --truth       writes the ground truth (what the edge acknowledged: per metric, slice, minute)
      --invalid-ratio  share of batches carrying one invalid event (shows up in bad rows)
  beacons simulate --backfill N [--since ${SIMULATE_DEFAULTS.backfillSince}] [--data-dir ${DEV_DEFAULTS.dataDir}] [--seed S] [--fault ...] [--truth FILE]
      Writes N historical events of simulated sessions over the last --since (e.g. 30m, 1h, 24h)
      straight through the core pipeline into the store of --data-dir. "beacons dev" must be
      stopped (DuckDB allows one process per database file).

  beacons diagnose [--since 15m] [--json] [--target http://127.0.0.1:${DEV_DEFAULTS.port}] [--token T] [--limit 20]
      Asks a running stack which slices (POP, serving region, country, ASN, device, player, SDK,
      content, ...) have a significantly worse experience than the rest, per metric: the slice's
      and the rest's values, samples and significance, most significant first, and the top one
      per minute. --since is a duration (90s, 15m, 2h; at most 24h); --json prints the findings
      array; --token defaults to $${API_TOKEN_ENV}.

  beacons cost [--viewers N] [--hours H] [--events-per-minute E] [--batch-size B] [--regions R]
               [--store influxdb|timestream] [--json]
      Monthly AWS cost and cost per million beacons of this architecture and of the original AWS
      demo, line by line, from the dated price table in local/cost/prices.ts:
      --viewers            viewers watching at once (default 10000)
      --hours              hours per day they watch, 0.1..24; a month is 30 days (default 4)
      --events-per-minute  events one viewer sends per minute (default 8)
      --batch-size         events per beacon request (default: what the SDK's 10 s flush holds)
      --regions            regional stacks (default 3)
  beacons grafana push --url <Grafana URL> [--token T] [--store influxdb|timestream]
                       [--influxdb-url region=url ...] [--influxdb-token T] [--bucket beacons]
                       [--timestream-region r ...] [--timestream-database db] [--folder Beacons]
      Loads the Grafana dashboards (generated from the shared panels) and one data source per
      region's store into Grafana, e.g. Amazon Managed Grafana (docs/DEPLOY.md). Tokens default to
      $BEACONS_GRAFANA_TOKEN and $BEACONS_INFLUXDB_TOKEN; they are never printed.
  beacons grafana export --out <dir> [--store influxdb|timestream]
      Writes the dashboards' JSON to <dir>.

  beacons rollout set <schema-version|sdk_name@sdk_version> <live|deprecated|retired>
                      [--sample 0.1] [--since YYYY-MM-DD] [--sunset YYYY-MM-DD] [--upgrade V]
                      [--data-dir ${DEV_DEFAULTS.dataDir} | --kvs-arn ARN]
  beacons rollout clear <subject> [--data-dir ${DEV_DEFAULTS.dataDir} | --kvs-arn ARN]
  beacons rollout list [--json] [--data-dir ${DEV_DEFAULTS.dataDir} | --kvs-arn ARN]
      The rollout switch: a state per schema version (1-0-0) or SDK release (name@version).
      live (the default) is accepted; deprecated is accepted with Deprecation (--since, default
      today) and Sunset (--sunset) headers; retired is refused with 410 naming --upgrade (a
      schema version, or a version of the same SDK); --sample accepts that share of sessions, a
      whole session in or out. clear removes the rule (back to live). The rules live in the data
      directory's KeyValueStore file, which a running "beacons dev" re-reads, or with --kvs-arn in
      the deployed CloudFront KeyValueStore (AWS credentials as for the AWS CLI).

  beacons schemas list [--json] [--data-dir ${DEV_DEFAULTS.dataDir}]
  beacons schemas check <file> [--against <version>]
  beacons schemas diff <a> <b>
  beacons schemas release <version>
      The beacon schema's versions (SchemaVer MODEL-REVISION-ADDITION, schemas/beacon/):
      list     each version, released or draft (schemas/beacon/manifest.json), its rollout state
               and what it changed
      check    compares a new schema file with the latest released version below it: ADDITION
               (every instance valid before is still valid), REVISION or MODEL (breaking), and
               fails when the file's version number does not say so; the previous version's
               valid examples are validated against it too
      diff     the structural difference of two versions or files: added, removed, changed
      release  checks, then records the file's hash in the manifest: it never changes again

  beacons help
      This text.

npm start runs "beacons dev"; pass flags after --, e.g. npm start -- --port 9000.`;

/**
 * Runs one command and resolves to the process exit code (0 ok, 1 failure, 2 usage error).
 * `dev` resolves only after a signal has stopped the stack.
 */
export async function main(argv: string[]): Promise<number> {
  quietSdkVersionNotice();
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'dev':
        return await dev(rest);
      case 'simulate':
        return await (await import('./sim/command.js')).simulate(rest);
      case 'cost':
        return await (await import('./cost/command.js')).cost(rest);
      case 'grafana':
        return await (await import('./grafana-command.js')).grafanaCommand(rest);
      case 'diagnose':
        return await (await import('./diagnose-command.js')).diagnoseCommand(rest);
      case 'rollout':
        return await (await import('./rollout-command.js')).rolloutCommand(rest);
      case 'schemas':
        return await (await import('./schemas-command.js')).schemasCommand(rest);
      case 'help':
      case '--help':
      case '-h':
        console.log(HELP);
        return 0;
      default:
        throw new UsageError(
          `unknown command "${command}"; the commands are dev, simulate, diagnose, cost, grafana, rollout, schemas and help`,
        );
    }
  } catch (err) {
    if (err instanceof LocalStackError) {
      console.error(`beacons: ${err.message}`);
      return err instanceof UsageError ? 2 : 1;
    }
    console.error(err);
    return 1;
  }
}

async function dev(args: string[]): Promise<number> {
  const flags = parseFlags('dev', args, {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    host: { type: 'string' },
    'api-token': { type: 'string' },
    'edge-workers': { type: 'string' },
    'no-simulate': { type: 'boolean' },
  });
  // An empty variable counts as unset, as `BEACONS_API_TOKEN= beacons dev` means to clear it.
  const host = flags.host ?? DEV_DEFAULTS.host;
  // Checked again by startDev; here it fails before DuckDB and kinesalite are even loaded.
  const apiToken = checkBinding(
    host,
    flags['api-token'] ?? (process.env[API_TOKEN_ENV] || undefined),
  );
  const port = intFlag('port', flags.port, DEV_DEFAULTS.port, 0, 65535);
  const edgeWorkers = intFlag(
    'edge-workers',
    flags['edge-workers'],
    DEV_DEFAULTS.edgeWorkers,
    0,
    16,
  );
  // Signals are caught from the start: one that arrives while the stack is still starting stops it
  // as soon as it is up, instead of killing the process halfway. A second one forces the exit.
  let signalled: NodeJS.Signals | undefined;
  let wake: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      console.error(`\n  ${signal} again: exiting without a clean stop.`);
      process.exit(130);
    }
    signalled = signal;
    wake?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Before anything big is loaded and before the worker threads start (they read it at start).
  v8.setFlagsFromString(`--heap-growing-percent=${DEV_DEFAULTS.heapGrowingPercent}`);
  try {
    // Loaded only here: DuckDB, kinesalite and the AWS SDK are not needed by the other commands.
    const { startDev } = await import('./dev.js');
    const stack = await startDev({
      port,
      host,
      apiToken,
      dataDir: flags['data-dir'] ?? DEV_DEFAULTS.dataDir,
      edgeWorkers,
      log: (line) => console.log(line),
    });
    // The default audience: started only here, so startDev() and its tests stay without one.
    const audience =
      flags['no-simulate'] || signalled
        ? undefined
        : (await import('./sim/dev-audience.js')).startDevAudience({
            host,
            port: stack.port,
            viewers: SIMULATE_DEFAULTS.devViewers,
            log: (line) => console.log(line),
          });
    if (!signalled) {
      console.log(
        [
          '',
          `  beacon-edge local stack is running (data in ${stack.dataDir})`,
          '',
          `  Ingest     POST ${stack.url}/v1/events`,
          `  Dashboard  ${stack.url}/dashboard`,
          `  API        ${stack.url}/api/v1/counts?since=${new Date(Date.now() - 3_600_000).toISOString()}`,
          `  Simulate   npx beacons simulate --target ${stack.url} --fault pop=MAD50-C2:stall-rate=5x`,
          ...(audience
            ? [
                '',
                `  A simulated audience of ${SIMULATE_DEFAULTS.devViewers} viewers is playing, so the dashboard is live;`,
                '  start with --no-simulate (npm start -- --no-simulate) for an empty stack.',
              ]
            : []),
          ...(apiToken
            ? [
                '',
                '  The dashboard, / and the API need the API token: the page asks for it once per',
                '  browser session; scripts send "Authorization: Bearer <token>".',
              ]
            : []),
          '',
          '  Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (signalled) resolve();
      });
    }
    console.log(`\n  ${signalled}: stopping (HTTP server, consumer, DuckDB, kinesalite)...`);
    await audience?.stop();
    await stack.stop();
    console.log('  stopped cleanly.');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * The AWS SDK prints a multi-line notice on every start that its releases after January 2027 need
 * Node 22. The lockfile pins the SDK, so the notice is nothing a user of the local stack can act
 * on; the SDK's own switch turns it off (unless the user set it either way).
 */
function quietSdkVersionNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
