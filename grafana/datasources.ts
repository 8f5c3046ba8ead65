/**
 * The Grafana data sources the dashboards read: one per region's store, all named with the prefix
 * the dashboards' `datasource` variable lists. Secrets (the InfluxDB token) go only into
 * `secureJsonData`, which Grafana encrypts and never returns.
 */
import type { GrafanaStore } from './dashboards.js';
import { DATASOURCE_TYPES } from './dashboards.js';

/** Prefix of every data source name; the dashboards' variable lists only these. */
const DATASOURCE_PREFIX = 'beacon-edge';

/** The bucket the InfluxDB sink writes (infra/config.ts `influxdb.bucket` default). */
export const DEFAULT_INFLUXDB_BUCKET = 'beacons';

/** A data source as Grafana's `POST /api/datasources` takes it. */
export interface DataSourceModel {
  uid: string;
  name: string;
  type: string;
  access: 'proxy';
  url?: string;
  jsonData: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

function names(store: GrafanaStore, region: string) {
  return {
    uid: `${DATASOURCE_PREFIX}-${store}-${region}`,
    name: `${DATASOURCE_PREFIX} ${store} ${region}`,
  };
}

/**
 * A Timestream for InfluxDB (or any InfluxDB) store queried with InfluxQL through the v1
 * compatibility API; the token travels as `Authorization: Token …`, as InfluxDB 2 and 3 expect.
 */
export function influxDataSource(input: {
  region: string;
  url: string;
  bucket: string;
  token: string;
}): DataSourceModel {
  return {
    ...names('influxdb', input.region),
    type: DATASOURCE_TYPES.influxdb,
    access: 'proxy',
    url: input.url,
    jsonData: {
      version: 'InfluxQL',
      dbName: input.bucket,
      httpMode: 'POST',
      httpHeaderName1: 'Authorization',
    },
    secureJsonData: { httpHeaderValue1: `Token ${input.token}` },
  };
}

/**
 * A Timestream for LiveAnalytics database, read with the workspace's IAM role (Amazon Managed
 * Grafana's "workspace IAM role" provider, `ec2_iam_role` in the plugin's settings).
 */
export function timestreamDataSource(input: { region: string; database: string }): DataSourceModel {
  return {
    ...names('timestream', input.region),
    type: DATASOURCE_TYPES.timestream,
    access: 'proxy',
    jsonData: {
      authType: 'ec2_iam_role',
      defaultRegion: input.region,
      defaultDatabase: `"${input.database}"`,
      defaultTable: '"events"',
    },
  };
}
