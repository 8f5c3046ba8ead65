/**
 * The page a browser gets instead of the dashboard when the stack has an API token and the
 * browser has not shown it yet: one form that reloads the same page with `?token=`, which the
 * guard (./api-auth.ts) swaps for a cookie. No script and no styles, so it works under the
 * strictest Content-Security-Policy and never loads a file the token protects.
 */

/** Escapes text for HTML content and attribute values. */
function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** The 401 page for `pathname`; `wrong` says that a token was offered and did not match. */
export function tokenPage(pathname: string, wrong: boolean): string {
  const path = escapeHtml(pathname);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>beacon-edge · API token needed</title>
</head>
<body>
<main>
<h1>This beacon-edge stack needs its API token</h1>
<p>${wrong ? 'That token does not match this stack. ' : ''}It was started with <code>--api-token</code> or <code>BEACONS_API_TOKEN</code>.
Enter the token once; this browser then keeps a cookie for this stack until it closes.</p>
<form method="get" action="${path}">
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required minlength="16">
<button type="submit">Open</button>
</form>
<p>Scripts send <code>Authorization: Bearer &lt;token&gt;</code> instead. Beacons (<code>POST /v1/events</code>) and the demo page (<code>/demo/</code>) need no token.</p>
</main>
</body>
</html>
`;
}
