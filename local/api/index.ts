/**
 * node:http adapter of the dashboard API (see ./routes.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler } from '../server.js';
import { sendJson } from '../static.js';
import { handleApi, type ApiContext } from './routes.js';

/** The /api/v1 route handler over `ctx`. */
export function createApiHandler(ctx: ApiContext): RouteHandler {
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const r = await handleApi(
      req.method ?? 'GET',
      url.pathname.slice('/api/v1'.length),
      url.searchParams,
      ctx,
    );
    sendJson(res, r.status, r.body, r.headers);
  };
}
