/**
 * The page at `/`: what is running and where to go next.
 */

/** Landing page HTML for a stack at `base` (e.g. http://127.0.0.1:8787). */
export function landingPage(base: string, ingestPath: string): string {
  const since = new Date(Date.now() - 3_600_000).toISOString();
  const curl = `curl -i -X POST ${base}${ingestPath} -H 'content-type: text/plain' -H 'x-beacon-pop: FRA56-C1' --data @batch.json`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>beacon-edge · local stack</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'%3E%3Ccircle cx='12' cy='12' r='5' fill='%234cc2ff'/%3E%3C/svg%3E">
<link rel="stylesheet" href="/dashboard/theme.css">
<link rel="stylesheet" href="/dashboard/styles.css">
</head>
<body class="landing">
<main>
  <h1>beacon-edge <span class="muted">local stack</span></h1>
  <p>Player beacons go through the same edge code as on CloudFront (viewer-request function, origin-request Lambda@Edge),
  into Kinesis (kinesalite, one stream per region), through the core pipeline into DuckDB.</p>
  <ul class="links">
    <li><a href="/dashboard">Dashboard</a> — the four demo panels, quality of experience, regional diagnostics, bad rows</li>
    <li><a href="/demo/">Demo player</a> — hls.js with the beacon SDK, sending to this stack</li>
    <li><a href="/api/v1/health">/api/v1/health</a> — consumer and store status</li>
    <li><a href="/api/v1/counts?since=${encodeURIComponent(since)}">/api/v1/counts?since=…</a> — events per type since a time</li>
  </ul>
  <h2>Send beacons</h2>
  <pre><code>npx beacons simulate --url ${base} --viewers 50 --rate 200 --bad-pop SIN</code></pre>
  <pre><code>${curl}</code></pre>
  <p class="muted">Requests from loopback may set <code>x-beacon-pop</code> (a POP code such as FRA56-C1) and
  <code>CloudFront-Viewer-*</code> headers to play viewers anywhere; others get fixed defaults.</p>
</main>
</body>
</html>
`;
}
