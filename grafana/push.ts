/**
 * `beacons grafana push`: loads the generated dashboards and their data sources into a Grafana
 * (Amazon Managed Grafana or any other) through its HTTP API, with a service-account token.
 * CloudFormation cannot put dashboards into a workspace, so this is the deployment's last step.
 *
 * Idempotent: the folder is created only when missing, data sources are created or updated by
 * uid, and dashboards are saved with `overwrite: true` under stable uids, so running it again
 * replaces what the previous run loaded.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { DataSourceModel } from './datasources.js';
import {
  GrafanaApiError,
  GrafanaAuthError,
  GrafanaError,
  GrafanaUnreachableError,
} from './errors.js';

/** The folder the dashboards go into. */
export const DEFAULT_FOLDER = { uid: 'beacon-edge', title: 'Beacons' } as const;

/** What to push where. */
export interface PushOptions {
  /** Grafana's base URL, e.g. https://g-abc123.grafana-workspace.us-east-1.amazonaws.com */
  url: string;
  /** Service-account token (sent as `Authorization: Bearer`; never logged). */
  token: string;
  dashboards: Dashboard[];
  datasources: DataSourceModel[];
  folder?: { uid: string; title: string };
  /** Per request; Grafana answers these calls in well under a second. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** What the push did. */
export interface PushResult {
  folder: 'created' | 'exists';
  datasources: { name: string; action: 'created' | 'updated' }[];
  dashboards: { uid: string; url: string; version: number }[];
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** A minimal Grafana API client: JSON in and out, errors turned into GrafanaErrors. */
function client(base: string, token: string, timeoutMs: number) {
  const root = base.replace(/\/+$/, '');
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    accept: number[] = [200],
  ): Promise<Answer> {
    let res: Response;
    try {
      res = await fetch(`${root}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new GrafanaUnreachableError(root, err);
    }
    const text = await res.text().catch(() => '');
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { message: text.slice(0, 200) };
    }
    if (accept.includes(res.status)) return { status: res.status, body: parsed };
    if (res.status === 401 || res.status === 403) throw new GrafanaAuthError(res.status, path);
    const detail = typeof parsed.message === 'string' ? parsed.message : res.statusText;
    const status = typeof parsed.status === 'string' ? parsed.status : undefined;
    throw new GrafanaApiError(res.status, method, path, detail, status);
  };
}

/**
 * Creates the folder if missing, creates or updates each data source, then saves each dashboard
 * with overwrite. Throws a {@link GrafanaError} subclass on the first failure.
 */
export async function pushToGrafana(opts: PushOptions): Promise<PushResult> {
  if (!/^https?:\/\//.test(opts.url))
    throw new GrafanaError(`--url must be an http(s) URL, got "${opts.url}"`);
  if (!opts.token) throw new GrafanaError('a Grafana service-account token is required');
  const call = client(opts.url, opts.token, opts.timeoutMs ?? 15_000);
  const log = opts.log ?? (() => {});
  const folder = opts.folder ?? DEFAULT_FOLDER;
  const result: PushResult = { folder: 'exists', datasources: [], dashboards: [] };

  const found = await call(
    'GET',
    `/api/folders/${encodeURIComponent(folder.uid)}`,
    undefined,
    [200, 404],
  );
  if (found.status === 404) {
    await call('POST', '/api/folders', { uid: folder.uid, title: folder.title });
    result.folder = 'created';
  }
  log(`folder "${folder.title}" (${folder.uid}): ${result.folder}`);

  for (const ds of opts.datasources) {
    const path = `/api/datasources/uid/${encodeURIComponent(ds.uid)}`;
    const existing = await call('GET', path, undefined, [200, 404]);
    if (existing.status === 404) await call('POST', '/api/datasources', ds);
    else await call('PUT', path, ds);
    const action = existing.status === 404 ? 'created' : 'updated';
    result.datasources.push({ name: ds.name, action });
    log(`data source "${ds.name}": ${action}`);
  }

  for (const dashboard of opts.dashboards) {
    // `id: null` lets Grafana match on uid, so a dashboard from another instance overwrites too.
    const saved = await call('POST', '/api/dashboards/db', {
      dashboard: { ...dashboard, id: null },
      folderUid: folder.uid,
      overwrite: true,
      message: 'beacons grafana push',
    });
    const entry = {
      uid: String(saved.body.uid ?? dashboard.uid),
      url: String(saved.body.url ?? ''),
      version: Number(saved.body.version ?? 0),
    };
    result.dashboards.push(entry);
    log(
      `dashboard "${dashboard.title}": version ${entry.version} at ${opts.url.replace(/\/+$/, '')}${entry.url}`,
    );
  }
  return result;
}
