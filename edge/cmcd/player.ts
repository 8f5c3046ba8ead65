/**
 * The player an event target names in its URL (`/v1/cmcd?player=hls.js&player_version=1.7.4`),
 * since CMCD has no key for it. It is the operator's setting, not per-report data, so a value
 * the record cannot carry is left out rather than refusing the reports.
 */
import { CMCD_QUERY_PARAMS } from '../../schemas/cmcd.js';
import { LIMITS } from '../../schemas/limits.js';

/** A player release as the record and the rollout switch (`<name>@<version>`) name it. */
export interface PlayerRelease {
  name: string;
  version?: string;
}

/** Characters a rollout rule's subject can carry (edge/rollout.ts), without `@`. */
const NAME = /^[A-Za-z0-9._+/~-]+$/;

/** The player named by a query string (without `?`), or undefined. */
export function playerOf(query: string | undefined): PlayerRelease | undefined {
  if (!query) return undefined;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return undefined;
  }
  const name = usable(params.get(CMCD_QUERY_PARAMS.player), LIMITS.maxLength.player_name);
  if (name === undefined) return undefined;
  const version = usable(
    params.get(CMCD_QUERY_PARAMS.playerVersion),
    LIMITS.maxLength.player_version,
  );
  return version === undefined ? { name } : { name, version };
}

function usable(value: string | null, max: number): string | undefined {
  return value !== null && value.length <= max && NAME.test(value) ? value : undefined;
}
