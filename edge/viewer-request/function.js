// Viewer-request CloudFront Function (runtime cloudfront-js-2.0) in front of the ingest path.
//
// It answers only what is not a beacon request at all (a wrong path, a method other than POST,
// CORS preflights) and stamps the edge location, receive time and CORS verdict on every POST to
// an ingest path for the next handler. The CMCD path is one of them here (the build adds it to
// `ingestPaths`): a player's `application/cmcd` report is not a CORS-simple request, so its
// preflight must allow Content-Type, and the handler tells the two kinds of path apart. It refuses no POST, even one whose headers already show it
// will fail (origin not allowed, content type, declared size): every refused body must be kept as
// a bad row with its reason, and a CloudFront Function has no network to write one. The
// origin-request Lambda@Edge handler checks all of that and keeps the body. Refusing early never
// bounded cost either: an invalid POST costs one Lambda@Edge invocation like any valid-looking one
// would, so a flood is bounded by an optional AWS WAF rate-based rule on the distribution, not here.
//
// What must change without a redeploy (the CORS allow-list, the rollout rules) is read from the
// CloudFront KeyValueStore associated with the function (key names in edge/kvs.ts), on every
// request that needs it; the value compiled in is the fallback when no store is associated, the
// key is missing or the read fails. Lambda@Edge cannot read the store, so the CORS verdict travels
// in the stamp and the rollout rules in two headers (edge/rollout.ts): the origin-request handler
// decides with the body, which only it sees.
//
// Written in the subset of ES that cloudfront-js-2.0 documents (ES 5.1 + const/let, arrow
// functions, template literals, async/await); scripts/build-viewer-request.mjs enforces it,
// injects the configuration and minifies to one file under 10 KB. Tests run the built file in
// local/cloudfront/function-sandbox.ts.
import cf from 'cloudfront';

// { ingestPaths, allowedOrigins, edgeHeader, kvsKeys, rollout }: replaced at build time with a literal,
// because a CloudFront Function can read neither environment variables nor files.
const CONFIG = __BEACON_VIEWER_CONFIG__;

const ALLOWED_METHODS = 'POST, OPTIONS';
// Browsers cap this (Chromium at 2 h, Firefox at 24 h) rather than refuse it: each keeps the answer
// as long as it allows, so a player reporting every few seconds preflights once per cap, not per report.
const PREFLIGHT_MAX_AGE = '86400';
// An allow-list entry as browsers send an Origin; anything else in the store is ignored.
const ORIGIN_ENTRY = /^(\*|https?:\/\/[^/\s]+)$/;
const STATUS_TEXT = {
  204: 'No Content',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
};
// When a store read last failed and was logged: at most one line a minute where the runtime keeps
// this instance between requests (it need not), so a missing key does not log every request.
let kvsLoggedAt = 0;

function headerValue(request, name) {
  const h = request.headers[name];
  return h ? h.value : undefined;
}

// One key's value from the associated KeyValueStore, or undefined when it cannot be read. cf.kvs()
// throws when no store is associated and get() when the key is missing: both mean "use the value
// compiled in", as does any other failure of the read.
async function readKey(key) {
  try {
    return await cf.kvs().get(key, { format: 'string' });
  } catch (err) {
    const now = Date.now();
    if (now - kvsLoggedAt > 60000) {
      kvsLoggedAt = now;
      console.log(`KeyValueStore key ${key} unreadable (${err}); using the value built in`);
    }
    return undefined;
  }
}

// The CORS allow-list: the store's space-separated value (lowercased, without a trailing slash,
// as browsers send origins), else the list compiled in.
async function allowedOrigins() {
  const value = await readKey(CONFIG.kvsKeys.allowedOrigins);
  if (typeof value !== 'string') return CONFIG.allowedOrigins;
  return value
    .split(/\s+/)
    .map((o) => o.replace(/\/$/, '').toLowerCase())
    .filter((o) => ORIGIN_ENTRY.test(o));
}

// Sets each rollout header to its key's value (else the rules compiled in), or removes it when
// there is neither. Whatever a client sent under these names is overwritten or removed: the
// origin-request handler trusts them. Characters a header cannot carry become spaces (the
// handler then reports that rule as unreadable) so a bad store value cannot break the request.
async function forwardRollout(request) {
  for (let i = 0; i < CONFIG.rollout.length; i++) {
    const r = CONFIG.rollout[i];
    let value = await readKey(r.key);
    if (typeof value !== 'string') value = r.fallback;
    if (typeof value === 'string')
      request.headers[r.header] = { value: value.replace(/[^ -~]/g, ' ') };
    else delete request.headers[r.header];
  }
}

// The Access-Control-Allow-Origin value for this origin, or '' when it is not allowed.
// Requests without an Origin header (servers, curl, simulators) are not CORS and need none.
function corsOrigin(origin, allowed) {
  if (!origin) return '';
  if (allowed.indexOf('*') >= 0) return '*';
  return allowed.indexOf(origin) >= 0 ? origin : '';
}

function respond(status, allowOrigin, headers, error, detail) {
  headers['cache-control'] = { value: 'no-store' };
  if (allowOrigin) {
    headers['access-control-allow-origin'] = { value: allowOrigin };
    // An echoed origin makes the answer origin-specific for any cache on the way.
    if (allowOrigin !== '*') headers.vary = { value: 'Origin' };
  }
  const response = { statusCode: status, statusDescription: STATUS_TEXT[status], headers: headers };
  if (error) {
    headers['content-type'] = { value: 'application/json' };
    response.body = { encoding: 'text', data: JSON.stringify({ error: error, detail: detail }) };
  }
  return response;
}

function preflight(origin, allowOrigin) {
  // A plain OPTIONS (no Origin) is not a preflight: say what the path supports.
  if (!origin) return respond(204, '', { allow: { value: ALLOWED_METHODS } });
  if (!allowOrigin) {
    return respond(403, '', {}, 'origin_not_allowed', `Origin ${origin} may not send beacons here`);
  }
  return respond(204, allowOrigin, {
    'access-control-allow-methods': { value: ALLOWED_METHODS },
    'access-control-allow-headers': { value: 'content-type' },
    'access-control-max-age': { value: PREFLIGHT_MAX_AGE },
  });
}

// biome-ignore lint/correctness/noUnusedVariables: CloudFront Functions call the top-level `handler` by name.
async function handler(event) {
  const request = event.request;
  const origin = headerValue(request, 'origin');
  // The store is read only when there is an Origin to decide on, once per request.
  const allowOrigin = origin ? corsOrigin(origin, await allowedOrigins()) : '';
  if (CONFIG.ingestPaths.indexOf(request.uri) < 0) {
    return respond(
      404,
      allowOrigin,
      {},
      'not_found',
      `No ingest endpoint here; POST beacons to ${CONFIG.ingestPaths[0]}`,
    );
  }
  if (request.method === 'OPTIONS') return preflight(origin, allowOrigin);
  if (request.method !== 'POST') {
    return respond(
      405,
      allowOrigin,
      { allow: { value: ALLOWED_METHODS } },
      'method_not_allowed',
      `Method ${request.method} is not allowed; use POST`,
    );
  }
  // Every POST goes on, stamped, even from an origin not on the list: the origin-request handler
  // refuses that one (CORS alone does not stop a simple text/plain POST) and keeps it as a bad
  // row. `o` is this function's verdict on the Origin (`*` any, `1` this one, `0` refused), so
  // Lambda@Edge applies the allow-list read here. The stamp overwrites any client-sent value:
  // the next handler trusts this header.
  const loc = cf.edgeLocation || {};
  let stamp = `pop=${loc.name || 'unknown'};region=${loc.region || 'unknown'};t=${Date.now()}`;
  if (origin) stamp += `;o=${allowOrigin === '*' ? '*' : allowOrigin ? '1' : '0'}`;
  request.headers[CONFIG.edgeHeader] = { value: stamp };
  await forwardRollout(request);
  return request;
}
