/**
 * Errors of `beacons grafana`. Messages are written for the user and never contain a token.
 */

/** Base class: everything the Grafana push throws on purpose. */
export class GrafanaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GrafanaError';
  }
}

/** No HTTP answer at all: DNS, refused connection, TLS, timeout. */
export class GrafanaUnreachableError extends GrafanaError {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    const why =
      cause instanceof Error
        ? cause.cause instanceof Error
          ? cause.cause.message
          : cause.message
        : String(cause);
    super(`cannot reach Grafana at ${url} (${why}); check --url and the network path`, { cause });
    this.name = 'GrafanaUnreachableError';
  }
}

/** 401 or 403: the token is wrong, expired, or its service account lacks a role. */
export class GrafanaAuthError extends GrafanaError {
  constructor(
    readonly status: number,
    readonly path: string,
  ) {
    super(
      status === 401
        ? 'Grafana refused the token (401 Unauthorized): pass a valid service-account token with --token or BEACONS_GRAFANA_TOKEN (docs/DEPLOY.md, "Grafana dashboards")'
        : `Grafana denied ${path} (403 Forbidden): the service account needs the Admin role to manage data sources, folders and dashboards`,
    );
    this.name = 'GrafanaAuthError';
  }
}

/** Any other refusal, with Grafana's own message and, for 412, its status word. */
export class GrafanaApiError extends GrafanaError {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly detail: string,
    /** Grafana's `status` field, e.g. `version-mismatch`, `name-exists`, `plugin-dashboard`. */
    readonly grafanaStatus?: string,
  ) {
    const hint =
      grafanaStatus === 'version-mismatch'
        ? ': someone saved the dashboard in between; run the push again to overwrite it'
        : grafanaStatus === 'name-exists'
          ? ': a dashboard with this title exists in the folder under another uid; rename or delete it'
          : '';
    super(
      `Grafana answered ${status} to ${method} ${path}${grafanaStatus ? ` (${grafanaStatus})` : ''}: ${detail}${hint}`,
    );
    this.name = 'GrafanaApiError';
  }
}
