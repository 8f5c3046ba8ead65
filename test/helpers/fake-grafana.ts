/**
 * A recording fake of the parts of Grafana's HTTP API that `beacons grafana push` calls (folders,
 * data sources by uid, dashboards/db), on loopback, with state: a second push sees what the first
 * created. Every request is recorded (method, path, Authorization header, JSON body); `script`
 * lets a test answer a request its own way (a 412, a 500) before the fake's rules apply.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake saw it. */
export interface GrafanaRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

/** A scripted answer. */
export interface GrafanaAnswer {
  status: number;
  body: unknown;
}

/** The running fake. */
export interface FakeGrafana {
  url: string;
  requests: GrafanaRequest[];
  folders: Map<string, { uid: string; title: string }>;
  datasources: Map<string, Record<string, unknown>>;
  dashboards: Map<
    string,
    { dashboard: Record<string, unknown>; folderUid: string; version: number }
  >;
  /** Answers a request instead of the fake's rules when it returns an answer. */
  script?: (req: GrafanaRequest) => GrafanaAnswer | undefined;
  close(): Promise<void>;
}

/** Starts a fake Grafana that accepts `Authorization: Bearer <token>` only. */
export async function startFakeGrafana(token: string): Promise<FakeGrafana> {
  const fake: FakeGrafana = {
    url: '',
    requests: [],
    folders: new Map(),
    datasources: new Map(),
    dashboards: new Map(),
    close: async () => {},
  };
  let nextId = 1;

  function route(req: GrafanaRequest): GrafanaAnswer {
    if (req.authorization !== `Bearer ${token}`)
      return { status: 401, body: { message: 'Invalid API key' } };
    const b = (req.body ?? {}) as Record<string, unknown>;
    const folder = /^\/api\/folders\/([^/]+)$/.exec(req.path);
    const datasource = /^\/api\/datasources\/uid\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && folder) {
      const f = fake.folders.get(decodeURIComponent(folder[1]));
      return f ? { status: 200, body: f } : { status: 404, body: { message: 'folder not found' } };
    }
    if (req.method === 'POST' && req.path === '/api/folders') {
      if ([...fake.folders.values()].some((f) => f.title === b.title))
        return { status: 409, body: { message: 'a folder with the same name already exists' } };
      const f = { uid: String(b.uid), title: String(b.title) };
      fake.folders.set(f.uid, f);
      return { status: 200, body: { ...f, id: nextId++ } };
    }
    if (datasource) {
      const uid = decodeURIComponent(datasource[1]);
      const existing = fake.datasources.get(uid);
      if (!existing) return { status: 404, body: { message: 'Data source not found' } };
      if (req.method === 'GET') {
        // Grafana never returns secrets, only which ones are set.
        const { secureJsonData, ...rest } = existing;
        const fields = Object.fromEntries(Object.keys(secureJsonData ?? {}).map((k) => [k, true]));
        return { status: 200, body: { ...rest, secureJsonFields: fields } };
      }
      if (req.method === 'PUT') {
        fake.datasources.set(uid, { ...b, id: existing.id });
        return { status: 200, body: { message: 'Datasource updated', id: existing.id } };
      }
    }
    if (req.method === 'POST' && req.path === '/api/datasources') {
      if ([...fake.datasources.values()].some((d) => d.name === b.name))
        return { status: 409, body: { message: 'data source with the same name already exists' } };
      const id = nextId++;
      fake.datasources.set(String(b.uid), { ...b, id });
      return { status: 200, body: { message: 'Datasource added', id } };
    }
    if (req.method === 'POST' && req.path === '/api/dashboards/db') {
      const d = b.dashboard as Record<string, unknown>;
      const uid = String(d.uid);
      const prev = fake.dashboards.get(uid);
      if (prev && b.overwrite !== true)
        return {
          status: 412,
          body: {
            message: 'The dashboard has been changed by someone else',
            status: 'version-mismatch',
          },
        };
      if (!fake.folders.has(String(b.folderUid)))
        return { status: 400, body: { message: 'folder not found' } };
      const version = (prev?.version ?? 0) + 1;
      fake.dashboards.set(uid, { dashboard: d, folderUid: String(b.folderUid), version });
      return {
        status: 200,
        body: { id: nextId++, uid, url: `/d/${uid}/x`, status: 'success', version },
      };
    }
    return { status: 404, body: { message: 'Not found' } };
  }

  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const text = Buffer.concat(parts).toString();
      const seen: GrafanaRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: text ? JSON.parse(text) : undefined,
      };
      fake.requests.push(seen);
      const answer = fake.script?.(seen) ?? route(seen);
      res
        .writeHead(answer.status, { 'content-type': 'application/json' })
        .end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}
