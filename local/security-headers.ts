/**
 * Response headers that keep the local stack's own pages and API from being misused by other
 * sites: a Content-Security-Policy per kind of answer, no content sniffing, no framing, no
 * referrer. The ingest paths are the CloudFront emulator's, whose headers the edge code owns (its
 * CORS allow-list), so the server takes these off again before handing a request to it.
 *
 * No page has inline script or style (the CSP forbids both); the directives below are what the
 * pages really load, and test/browser/security-headers.test.ts checks that no page breaks one.
 */
import type { ServerResponse } from 'node:http';

/** Joins CSP directives into one header value. */
function policy(directives: Record<string, string>): string {
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/** What every page policy shares: only this origin's own files, nothing inline, no framing. */
const PAGE_DIRECTIVES = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self'",
  // The favicon is a data: URL; uPlot draws on a canvas and needs no images.
  'img-src': "'self' data:",
  'connect-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'none'",
  // The API-token page's form submits to the page it stands in for.
  'form-action': "'self'",
  'frame-ancestors': "'none'",
} as const;

/** The landing page and the dashboard: every file and every API call is this origin's. */
export const PAGE_CSP = policy(PAGE_DIRECTIVES);

/**
 * The demo page plays through Media Source Extensions: hls.js gives the video element a `blob:`
 * URL and runs its transmuxer in a worker made from a `blob:` URL. Its `?endpoint=` and `?src=`
 * exist to name another origin (a deployed distribution, another local stack, another stream),
 * so beacons, playlists and segments may go to or come from any http(s) origin; scripts, styles
 * and frames stay as strict as on the other pages.
 */
export const DEMO_CSP = policy({
  ...PAGE_DIRECTIVES,
  'connect-src': "'self' http: https:",
  'media-src': "'self' blob: http: https:",
  'worker-src': "'self' blob:",
});

/** API answers are JSON and never render anything. */
export const API_CSP = policy({ 'default-src': "'none'", 'frame-ancestors': "'none'" });

/** The headers of an answer on `pathname` (the emulator's ingest paths excepted, see above). */
function securityHeaders(pathname: string): Record<string, string> {
  const csp =
    pathname === '/api/v1' || pathname.startsWith('/api/v1/')
      ? API_CSP
      : pathname === '/demo' || pathname.startsWith('/demo/')
        ? DEMO_CSP
        : PAGE_CSP;
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    // For browsers without frame-ancestors.
    'X-Frame-Options': 'DENY',
    // The demo's ?session= and a dashboard URL are nobody else's business.
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

/** Sets {@link securityHeaders} on `res`; whatever the handler then writes keeps them. */
export function applySecurityHeaders(res: ServerResponse, pathname: string): void {
  for (const [name, value] of Object.entries(securityHeaders(pathname))) res.setHeader(name, value);
}

/** Takes {@link securityHeaders} off `res` again, for answers the edge code owns. */
export function clearSecurityHeaders(res: ServerResponse): void {
  for (const name of Object.keys(securityHeaders('/'))) res.removeHeader(name);
}
