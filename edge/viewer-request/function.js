// Viewer-request CloudFront Function (runtime cloudfront-js-2.0) in front of the ingest path.
//
// It answers only what is not a beacon request at all (a wrong path, a method other than POST,
// CORS preflights) and stamps the edge location and receive time on every POST to an ingest path
// for the next handler. It refuses no POST, even one whose headers already show it will fail
// (origin not allowed, content type, declared size): every refused body must be kept as a bad row
// with its reason, and a CloudFront Function has no network to write one. The origin-request
// Lambda@Edge handler checks all of that and keeps the body. Refusing early never bounded cost
// either: an invalid POST costs one Lambda@Edge invocation like any valid-looking one would, so
// a flood is bounded by an optional AWS WAF rate-based rule on the distribution, not here.
//
// Written in the subset of ES that cloudfront-js-2.0 documents (ES 5.1 + const/let, arrow
// functions, template literals); scripts/build-viewer-request.mjs enforces it, injects the
// configuration and minifies to one file under 10 KB. Tests run the built file in
// local/cloudfront/function-sandbox.ts.
import cf from 'cloudfront';

// { ingestPaths, allowedOrigins, edgeHeader }: replaced at build time with a literal, because a
// CloudFront Function can read neither environment variables nor files.
const CONFIG = __BEACON_VIEWER_CONFIG__;

const ALLOWED_METHODS = 'POST, OPTIONS';
// Browsers cap this (Chrome at 2 h); a long value still saves a preflight per page view.
const PREFLIGHT_MAX_AGE = '86400';
const STATUS_TEXT = {
  204: 'No Content',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
};

function headerValue(request, name) {
  const h = request.headers[name];
  return h ? h.value : undefined;
}

// The Access-Control-Allow-Origin value for this origin, or '' when it is not allowed.
// Requests without an Origin header (servers, curl, simulators) are not CORS and need none.
function corsOrigin(origin) {
  if (!origin) return '';
  if (CONFIG.allowedOrigins.indexOf('*') >= 0) return '*';
  return CONFIG.allowedOrigins.indexOf(origin) >= 0 ? origin : '';
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

function preflight(origin) {
  // A plain OPTIONS (no Origin) is not a preflight: say what the path supports.
  if (!origin) return respond(204, '', { allow: { value: ALLOWED_METHODS } });
  const allowOrigin = corsOrigin(origin);
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
function handler(event) {
  const request = event.request;
  const origin = headerValue(request, 'origin');
  if (CONFIG.ingestPaths.indexOf(request.uri) < 0) {
    return respond(
      404,
      corsOrigin(origin),
      {},
      'not_found',
      `No ingest endpoint here; POST beacons to ${CONFIG.ingestPaths[0]}`,
    );
  }
  if (request.method === 'OPTIONS') return preflight(origin);
  if (request.method !== 'POST') {
    return respond(
      405,
      corsOrigin(origin),
      { allow: { value: ALLOWED_METHODS } },
      'method_not_allowed',
      `Method ${request.method} is not allowed; use POST`,
    );
  }
  // Every POST goes on, stamped, even from an origin not on the list: the origin-request handler
  // refuses that one (CORS alone does not stop a simple text/plain POST) and keeps it as a bad
  // row. The stamp overwrites any client-sent value: the next handler trusts this header.
  const loc = cf.edgeLocation || {};
  request.headers[CONFIG.edgeHeader] = {
    value:
      'pop=' +
      (loc.name || 'unknown') +
      ';region=' +
      (loc.region || 'unknown') +
      ';t=' +
      Date.now(),
  };
  return request;
}
