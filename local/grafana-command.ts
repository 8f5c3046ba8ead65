/**
 * `beacons grafana push|export`: flags → the Grafana generator and push in grafana/. Tokens come
 * from flags or, to keep them out of the process list, from the environment; they are never
 * printed.
 */
import { buildDashboards, type GrafanaStore } from '../grafana/dashboards.js';
import {
  DEFAULT_INFLUXDB_BUCKET,
  type DataSourceModel,
  influxDataSource,
  timestreamDataSource,
} from '../grafana/datasources.js';
import { GrafanaError } from '../grafana/errors.js';
import { exportDashboards } from '../grafana/export.js';
import { pushToGrafana } from '../grafana/push.js';
import { parseFlags } from './cli-args.js';
import { LocalStackError, UsageError } from './errors.js';

/** Environment variables read for the tokens when the flags are absent. */
export const GRAFANA_TOKEN_ENV = 'BEACONS_GRAFANA_TOKEN';
export const INFLUXDB_TOKEN_ENV = 'BEACONS_INFLUXDB_TOKEN';

const STORE_FLAGS = {
  store: { type: 'string' },
  'timestream-database': { type: 'string' },
} as const;

function storeOf(value: string | undefined): GrafanaStore {
  const store = value ?? 'influxdb';
  if (store !== 'influxdb' && store !== 'timestream')
    throw new UsageError(`--store must be influxdb or timestream, got "${store}"`);
  return store;
}

/** `region=url` pairs of --influxdb-url. */
function regionUrls(values: string[]): { region: string; url: string }[] {
  return values.map((v) => {
    const m = /^([a-z]{2}(?:-[a-z]+)+-\d)=(https?:\/\/\S+)$/.exec(v);
    if (!m)
      throw new UsageError(
        `--influxdb-url takes region=url, e.g. eu-central-1=https://abc.eu-central-1.timestream-influxdb.amazonaws.com:8086, got "${v}"`,
      );
    return { region: m[1], url: m[2] };
  });
}

/** Runs `beacons grafana <sub> …`; resolves to the exit code. */
export async function grafanaCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'export') {
    const flags = parseFlags('grafana export', rest, { out: { type: 'string' }, ...STORE_FLAGS });
    if (!flags.out) throw new UsageError('beacons grafana export: --out <dir> is required');
    const store = storeOf(flags.store);
    const dashboards = buildDashboards({ store, timestreamDatabase: flags['timestream-database'] });
    for (const file of exportDashboards(flags.out, dashboards)) console.log(`wrote ${file}`);
    return 0;
  }
  if (sub !== 'push')
    throw new UsageError(
      `unknown subcommand "grafana ${sub ?? ''}"; use grafana push or grafana export`,
    );
  const flags = parseFlags('grafana push', rest, {
    url: { type: 'string' },
    token: { type: 'string' },
    folder: { type: 'string' },
    'influxdb-url': { type: 'string', multiple: true },
    'influxdb-token': { type: 'string' },
    bucket: { type: 'string' },
    'timestream-region': { type: 'string', multiple: true },
    ...STORE_FLAGS,
  });
  if (!flags.url) throw new UsageError('beacons grafana push: --url <Grafana URL> is required');
  // An empty variable counts as unset.
  const token = flags.token ?? (process.env[GRAFANA_TOKEN_ENV] || undefined);
  if (!token)
    throw new UsageError(
      `beacons grafana push: pass --token or set ${GRAFANA_TOKEN_ENV} (a Grafana service-account token)`,
    );
  const store = storeOf(flags.store);
  const database = flags['timestream-database'];
  let datasources: DataSourceModel[];
  if (store === 'influxdb') {
    const urls = regionUrls(flags['influxdb-url'] ?? []);
    const influxToken = flags['influxdb-token'] ?? (process.env[INFLUXDB_TOKEN_ENV] || undefined);
    if (urls.length > 0 && !influxToken)
      throw new UsageError(`--influxdb-url needs --influxdb-token or ${INFLUXDB_TOKEN_ENV}`);
    datasources = urls.map(({ region, url }) =>
      influxDataSource({
        region,
        url,
        bucket: flags.bucket ?? DEFAULT_INFLUXDB_BUCKET,
        token: influxToken ?? '',
      }),
    );
  } else {
    datasources = (flags['timestream-region'] ?? []).map((region) =>
      timestreamDataSource({ region, database: database ?? 'beacon-edge' }),
    );
  }
  try {
    const result = await pushToGrafana({
      url: flags.url,
      token,
      dashboards: buildDashboards({ store, timestreamDatabase: database }),
      datasources,
      folder: flags.folder ? { uid: 'beacon-edge', title: flags.folder } : undefined,
      log: (line) => console.log(`  ${line}`),
    });
    console.log(
      `pushed ${result.dashboards.length} dashboards and ${result.datasources.length} data sources`,
    );
    return 0;
  } catch (err) {
    if (err instanceof GrafanaError) throw new LocalStackError(err.message, { cause: err });
    throw err;
  }
}
