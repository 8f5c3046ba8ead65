/**
 * The demo page's schema version: the `?schema=` parameter and the control that changes it for
 * the next playback (the page reloads with it: a tracker declares one version for its life), and
 * the status line that shows the version in use, the edge's deprecation notice and why the SDK
 * stopped (its 410 answer).
 */
import type { DeprecationNotice, StopReason, TrackerOptions } from '../../player/index.js';
import { byId } from '../../dashboard/dom.js';

/** A schema version as the SDK's option takes it. */
type Version = NonNullable<TrackerOptions['schemaVersion']>;

/** What the SDK can send, from its own build (`BeaconEdge.SCHEMA_VERSIONS`). */
interface SdkVersions {
  SCHEMA_VERSIONS: readonly Version[];
  CURRENT_SCHEMA_VERSION: Version;
}

/**
 * The version `?schema=` asks for, or the SDK's default; `problem` says why a value was not used.
 * @example pickVersion('1-0-0', sdk) // { version: '1-0-0' }
 */
export function pickVersion(
  asked: string | null,
  sdk: SdkVersions,
): { version: Version; problem?: string } {
  if (!asked) return { version: sdk.CURRENT_SCHEMA_VERSION };
  const found = sdk.SCHEMA_VERSIONS.find((v) => v === asked);
  if (found) return { version: found };
  return {
    version: sdk.CURRENT_SCHEMA_VERSION,
    problem: `?schema=${asked} is not a version this SDK sends (${sdk.SCHEMA_VERSIONS.join(', ')}): using ${sdk.CURRENT_SCHEMA_VERSION}.`,
  };
}

/** A date for the notice: `2027-03-01`, or the header as sent when it is not one. */
const day = (ms: number | undefined, raw: string | undefined) =>
  ms === undefined ? (raw ?? 'not set') : new Date(ms).toISOString().slice(0, 10);

/** The status line's text for a stop: the edge's own sentence when it gave one. */
export function stoppedText(r: StopReason): string {
  return `stopped: ${r.detail || r.error}`;
}

/** The deprecation notice's text. */
export function deprecationText(n: DeprecationNotice): string {
  return `Deprecated: schema ${n.schemaVersion} or ${n.sdk} since ${day(n.deprecatedAt, n.deprecation)}; retired at the sunset, ${day(n.sunsetAt, n.sunset)}.`;
}

/**
 * Wires the control (`#schema`, `#schema-form`) and the status line (`#schema-status`,
 * `#deprecation`); returns the SDK callbacks that update them.
 */
export function createSchemaStatus(
  sdk: SdkVersions,
  version: Version,
): Pick<TrackerOptions, 'onDeprecation' | 'onStopped'> {
  const select = byId('schema', HTMLSelectElement);
  for (const v of sdk.SCHEMA_VERSIONS) {
    const o = document.createElement('option');
    o.value = o.textContent = v;
    if (v === sdk.CURRENT_SCHEMA_VERSION) o.textContent = `${v} (current)`;
    select.appendChild(o);
  }
  select.value = version;
  byId('schema-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const next = new URL(location.href);
    if (select.value === sdk.CURRENT_SCHEMA_VERSION) next.searchParams.delete('schema');
    else next.searchParams.set('schema', select.value);
    location.assign(next);
  });
  const status = byId('schema-status');
  status.textContent = `schema ${version} · sending`;
  status.className = 'schema-status ok';
  return {
    onDeprecation: (n) => {
      const box = byId('deprecation');
      box.textContent = deprecationText(n);
      box.hidden = false;
      if (!status.classList.contains('stopped')) {
        status.textContent = `schema ${version} · sending, deprecated`;
        status.className = 'schema-status warn';
      }
    },
    onStopped: (r) => {
      status.textContent = stoppedText(r);
      status.className = 'schema-status stopped';
    },
  };
}
