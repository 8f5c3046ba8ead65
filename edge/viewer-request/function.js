// Viewer-request CloudFront Function (runtime cloudfront-js-2.0) in front of the ingest path.
//
// It cannot read the body and has no network, so it only does what headers allow: answer CORS
// preflights, turn away requests the origin-request handler would reject anyway (wrong path,
// method, content type, declared size) before they cost a Lambda@Edge invocation, and stamp the
// edge location and receive time for the next handler. Everything else (body size as actually
// received, JSON, schema) is the Lambda@Edge handler's job.
//
// Written in the subset of ES that cloudfront-js-2.0 documents (ES 5.1 + const/let, arrow
// functions, template literals); scripts/build-viewer-request.mjs enforces it, injects the
// configuration and minifies to one file under 10 KB. Tests run the built file in
// local/cloudfront/function-sandbox.ts.
import cf from 'cloudfront';

// { ingestPaths, allowedOrigins, maxBodyBytes, edgeHeader }: replaced at build time with a
// literal, because a CloudFront Function can read neither environment variables nor files.
const CONFIG = __BEACON_VIEWER_CONFIG__;

const ALLOWED_METHODS = 'POST, OPTIONS';
// sendBeacon and CORS-simple fetch send text/plain; other clients send application/json.
const MEDIA_TYPES = ['application/json', 'text/plain'];
// Browsers cap this (Chrome at 2 h); a long value still saves a preflight per page view.
const PREFLIGHT_MAX_AGE = '86400';
const STATUS_TEXT = {
  204: 'No Content',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
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

// Checks what the headers tell about a POST. Returns a response, or null to let it through.
function checkPost(request, allowOrigin) {
  const type = headerValue(request, 'content-type');
  const mediaType = type ? type.split(';')[0].trim().toLowerCase() : '';
  if (MEDIA_TYPES.indexOf(mediaType) < 0) {
    return respond(
      415,
      allowOrigin,
      {},
      'unsupported_media_type',
      `Content-Type must be application/json or text/plain, got ${mediaType || 'none'}`,
    );
  }
  // Only a well-formed decimal length is judged here. Chunked uploads carry no Content-Length:
  // they pass, and the origin-request handler enforces the size of the body it actually gets.
  const length = headerValue(request, 'content-length');
  if (length !== undefined && /^\s*\d+\s*$/.test(length)) {
    const bytes = parseInt(length, 10);
    if (bytes > CONFIG.maxBodyBytes) {
      return respond(
        413,
        allowOrigin,
        {},
        'body_too_large',
        `Body of ${bytes} bytes exceeds the limit of ${CONFIG.maxBodyBytes} bytes`,
      );
    }
    if (bytes === 0)
      return respond(400, allowOrigin, {}, 'empty_body', 'The request body is empty');
  }
  return null;
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
  const allowOrigin = corsOrigin(origin);
  // CORS alone does not stop a simple (text/plain) POST from another site: refuse it here.
  if (origin && !allowOrigin) {
    return respond(403, '', {}, 'origin_not_allowed', `Origin ${origin} may not send beacons here`);
  }
  if (request.method !== 'POST') {
    return respond(
      405,
      allowOrigin,
      { allow: { value: ALLOWED_METHODS } },
      'method_not_allowed',
      `Method ${request.method} is not allowed; use POST`,
    );
  }
  const rejected = checkPost(request, allowOrigin);
  if (rejected) return rejected;

  // Overwrites any client-sent value: the next handler trusts this header.
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
