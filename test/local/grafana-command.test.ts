/**
 * `beacons grafana push|export` through the CLI's `main`, against the recording fake Grafana:
 * flags and environment variables become the right requests, failures become a `beacons:` line
 * and exit code 1 (2 for usage mistakes), and no token ever reaches the output.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildDashboards } from '../../grafana/dashboards.js';
import { main } from '../../local/cli.js';
import { type FakeGrafana, startFakeGrafana } from '../helpers/fake-grafana.js';

const TOKEN = 'glsa_cli_token_1234';
const INFLUX_TOKEN = 'influx_cli_secret';

describe('beacons grafana', () => {
  let grafana: FakeGrafana;
  let out: string[];
  beforeEach(async () => {
    grafana = await startFakeGrafana(TOKEN);
    out = [];
    const record = (...args: unknown[]) => void out.push(args.map(String).join(' '));
    vi.spyOn(console, 'log').mockImplementation(record);
    vi.spyOn(console, 'error').mockImplementation(record);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await grafana.close();
  });

  it('push: tokens from the environment, one InfluxDB data source per region, exit 0', async () => {
    vi.stubEnv('BEACONS_GRAFANA_TOKEN', TOKEN);
    vi.stubEnv('BEACONS_INFLUXDB_TOKEN', INFLUX_TOKEN);
    const code = await main([
      'grafana',
      'push',
      '--url',
      `${grafana.url}/`,
      '--influxdb-url',
      'eu-central-1=https://a.eu-central-1.timestream-influxdb.amazonaws.com:8086',
      '--influxdb-url',
      'ap-southeast-1=https://b.ap-southeast-1.timestream-influxdb.amazonaws.com:8086',
    ]);
    expect(code).toBe(0);
    expect([...grafana.datasources.keys()]).toStrictEqual([
      'beacon-edge-influxdb-eu-central-1',
      'beacon-edge-influxdb-ap-southeast-1',
    ]);
    expect(
      grafana.datasources.get('beacon-edge-influxdb-eu-central-1')?.secureJsonData,
    ).toStrictEqual({
      httpHeaderValue1: `Token ${INFLUX_TOKEN}`,
    });
    expect([...grafana.dashboards.keys()]).toStrictEqual([
      'beacons-overview',
      'beacons-regional',
      'beacons-rollout',
    ]);
    expect(out.at(-1)).toBe('pushed 3 dashboards and 2 data sources');
    expect(out.join('\n')).not.toMatch(new RegExp(`${TOKEN}|${INFLUX_TOKEN}`));
  });

  it('push for Timestream: the plugin’s data sources with the workspace role', async () => {
    const code = await main([
      'grafana',
      'push',
      '--url',
      grafana.url,
      '--token',
      TOKEN,
      '--store',
      'timestream',
      '--timestream-region',
      'us-east-1',
      '--timestream-database',
      'beacons-db',
    ]);
    expect(code).toBe(0);
    expect(grafana.datasources.get('beacon-edge-timestream-us-east-1')).toMatchObject({
      type: 'grafana-timestream-datasource',
      jsonData: {
        authType: 'ec2_iam_role',
        defaultRegion: 'us-east-1',
        defaultDatabase: '"beacons-db"',
      },
    });
    const overview = grafana.dashboards.get('beacons-overview')?.dashboard as {
      panels: { targets?: { database?: string }[] }[];
    };
    expect(overview.panels.find((p) => p.targets)?.targets?.[0].database).toBe('"beacons-db"');
  });

  it('a refused token exits 1 with one clear line and no token', async () => {
    const code = await main([
      'grafana',
      'push',
      '--url',
      grafana.url,
      '--token',
      'glsa_wrong_value',
    ]);
    expect(code).toBe(1);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^beacons: Grafana refused the token \(401 Unauthorized\)/);
    expect(out[0]).not.toContain('glsa_wrong_value');
  });

  it.each([
    [['grafana', 'push', '--token', TOKEN], /--url <Grafana URL> is required/],
    [
      ['grafana', 'push', '--url', 'http://127.0.0.1:1'],
      /pass --token or set BEACONS_GRAFANA_TOKEN/,
    ],
    [
      [
        'grafana',
        'push',
        '--url',
        'http://x',
        '--token',
        't',
        '--influxdb-url',
        'https://no-region',
      ],
      /--influxdb-url takes region=url/,
    ],
    [
      ['grafana', 'push', '--url', 'http://x', '--token', 't', '--store', 'duckdb'],
      /--store must be influxdb or timestream/,
    ],
    [['grafana', 'import'], /unknown subcommand "grafana import"/],
  ])('usage mistakes exit 2: %j', async (argv, message) => {
    expect(await main(argv)).toBe(2);
    expect(out.join('\n')).toMatch(message);
    expect(grafana.requests).toHaveLength(0);
  });

  it('export writes each dashboard’s JSON', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grafana-export-'));
    try {
      expect(await main(['grafana', 'export', '--out', dir])).toBe(0);
      const files = fs.readdirSync(dir).sort();
      expect(files).toStrictEqual([
        'beacons-overview.json',
        'beacons-regional.json',
        'beacons-rollout.json',
      ]);
      const [overview] = buildDashboards({ store: 'influxdb' });
      expect(JSON.parse(fs.readFileSync(path.join(dir, files[0]), 'utf8'))).toStrictEqual(
        JSON.parse(JSON.stringify(overview)),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
