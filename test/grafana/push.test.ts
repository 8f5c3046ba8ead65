/**
 * `pushToGrafana` against a recording fake of Grafana's HTTP API on loopback: the exact requests
 * (paths, bodies, the bearer token on each), a second run that overwrites instead of duplicating,
 * and the failures a user meets (a wrong token, a version mismatch, Grafana unreachable).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDashboards } from '../../grafana/dashboards.js';
import { DEFAULT_INFLUXDB_BUCKET, influxDataSource } from '../../grafana/datasources.js';
import {
  GrafanaApiError,
  GrafanaAuthError,
  GrafanaUnreachableError,
} from '../../grafana/errors.js';
import { DEFAULT_FOLDER, pushToGrafana } from '../../grafana/push.js';
import { DEFAULT_DEPLOY_CONFIG } from '../../infra/config.js';
import { type FakeGrafana, startFakeGrafana } from '../helpers/fake-grafana.js';

const TOKEN = 'glsa_test_service_account_token';
const INFLUX_TOKEN = 'influx-secret-token';
const dashboards = buildDashboards({ store: 'influxdb' });
const datasources = ['eu-central-1', 'us-east-1'].map((region) =>
  influxDataSource({
    region,
    url: `https://db-${region}.example.com:8086`,
    bucket: 'beacons',
    token: INFLUX_TOKEN,
  }),
);

/** The error `p` rejects with; fails when it resolves. */
const rejection = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => {
      throw new Error('expected the push to fail');
    },
    (err: Error) => err,
  );

describe('pushToGrafana', () => {
  let grafana: FakeGrafana;
  beforeEach(async () => {
    grafana = await startFakeGrafana(TOKEN);
  });
  afterEach(() => grafana.close());

  const push = (token = TOKEN, url = grafana.url) =>
    pushToGrafana({ url, token, dashboards, datasources });

  it('creates the folder and data sources, then saves each dashboard with overwrite', async () => {
    const result = await push();
    expect(grafana.requests.map((r) => `${r.method} ${r.path}`)).toStrictEqual([
      'GET /api/folders/beacon-edge',
      'POST /api/folders',
      'GET /api/datasources/uid/beacon-edge-influxdb-eu-central-1',
      'POST /api/datasources',
      'GET /api/datasources/uid/beacon-edge-influxdb-us-east-1',
      'POST /api/datasources',
      'POST /api/dashboards/db',
      'POST /api/dashboards/db',
      'POST /api/dashboards/db',
    ]);
    for (const r of grafana.requests) expect(r.authorization).toBe(`Bearer ${TOKEN}`);
    expect(grafana.requests[1].body).toStrictEqual({ uid: 'beacon-edge', title: 'Beacons' });
    expect(grafana.requests[3].body).toStrictEqual({
      uid: 'beacon-edge-influxdb-eu-central-1',
      name: 'beacon-edge influxdb eu-central-1',
      type: 'influxdb',
      access: 'proxy',
      url: 'https://db-eu-central-1.example.com:8086',
      jsonData: {
        version: 'InfluxQL',
        dbName: 'beacons',
        httpMode: 'POST',
        httpHeaderName1: 'Authorization',
      },
      secureJsonData: { httpHeaderValue1: `Token ${INFLUX_TOKEN}` },
    });
    expect(grafana.requests[6]).toMatchObject({ contentType: 'application/json' });
    expect(grafana.requests[6].body).toStrictEqual({
      dashboard: { ...JSON.parse(JSON.stringify(dashboards[0])), id: null },
      folderUid: DEFAULT_FOLDER.uid,
      overwrite: true,
      message: 'beacons grafana push',
    });
    expect(result).toStrictEqual({
      folder: 'created',
      datasources: [
        { name: 'beacon-edge influxdb eu-central-1', action: 'created' },
        { name: 'beacon-edge influxdb us-east-1', action: 'created' },
      ],
      dashboards: [
        { uid: 'beacons-overview', url: '/d/beacons-overview/x', version: 1 },
        { uid: 'beacons-regional', url: '/d/beacons-regional/x', version: 1 },
        { uid: 'beacons-rollout', url: '/d/beacons-rollout/x', version: 1 },
      ],
    });
  });

  it('run twice, overwrites: same folder, data sources updated in place, dashboards at version 2', async () => {
    await push();
    const first = grafana.requests.length;
    const result = await push();
    expect(grafana.requests.slice(first).map((r) => `${r.method} ${r.path}`)).toStrictEqual([
      'GET /api/folders/beacon-edge',
      'GET /api/datasources/uid/beacon-edge-influxdb-eu-central-1',
      'PUT /api/datasources/uid/beacon-edge-influxdb-eu-central-1',
      'GET /api/datasources/uid/beacon-edge-influxdb-us-east-1',
      'PUT /api/datasources/uid/beacon-edge-influxdb-us-east-1',
      'POST /api/dashboards/db',
      'POST /api/dashboards/db',
      'POST /api/dashboards/db',
    ]);
    expect(result.folder).toBe('exists');
    expect(result.datasources.map((d) => d.action)).toStrictEqual(['updated', 'updated']);
    expect(result.dashboards.map((d) => d.version)).toStrictEqual([2, 2, 2]);
    expect([grafana.folders.size, grafana.datasources.size, grafana.dashboards.size]).toStrictEqual(
      [1, 2, 3],
    );
  });

  it('a wrong token stops at the first request with a message that names the fix, not the token', async () => {
    const err = await rejection(push('glsa_wrong'));
    expect(err).toBeInstanceOf(GrafanaAuthError);
    expect(err.message).toMatch(
      /^Grafana refused the token \(401 Unauthorized\): pass a valid service-account token/,
    );
    expect(err.message).not.toContain('glsa_wrong');
    expect(grafana.requests).toHaveLength(1);
  });

  it('a 412 from the dashboards API surfaces Grafana’s status and what to do', async () => {
    grafana.script = (r) =>
      r.path === '/api/dashboards/db'
        ? {
            status: 412,
            body: {
              message: 'The dashboard has been changed by someone else',
              status: 'version-mismatch',
            },
          }
        : undefined;
    const err = await rejection(push());
    expect(err).toBeInstanceOf(GrafanaApiError);
    expect(err).toMatchObject({ status: 412, grafanaStatus: 'version-mismatch' });
    expect(err.message).toBe(
      'Grafana answered 412 to POST /api/dashboards/db (version-mismatch): The dashboard has been changed by someone else: someone saved the dashboard in between; run the push again to overwrite it',
    );
  });

  it('an unreachable Grafana is reported as such', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise<void>((r) => server.close(() => r()));
    const err = await rejection(push(TOKEN, url));
    expect(err).toBeInstanceOf(GrafanaUnreachableError);
    expect(err.message).toMatch(
      new RegExp(`^cannot reach Grafana at ${url} \\(.*ECONNREFUSED.*\\)`),
    );
  });
});

describe('defaults', () => {
  it('the InfluxDB data source reads the bucket the deployment creates', () => {
    expect(DEFAULT_INFLUXDB_BUCKET).toBe(DEFAULT_DEPLOY_CONFIG.influxdb.bucket);
  });
});
