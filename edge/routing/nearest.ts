/**
 * Picks the order in which the edge tries the configured regional streams: nearest to the edge
 * location first, so a viewer's beacons cross as little of the network as possible, and the
 * others as fallbacks in order of distance.
 */
import type { StreamTarget } from '../config.js';
import { greatCircleKm, regionCoordinates } from './regions.js';

/**
 * Orders `streams` by great-circle distance from `edgeRegion`, nearest first. The sort is stable:
 * equal distances keep configured order; streams in regions missing from the table go last in
 * configured order; an unknown `edgeRegion` returns the configured order unchanged.
 * Never mutates its input.
 *
 * @example
 * nearestStreams('eu-west-1', DEFAULT_CONFIG.streams).map((s) => s.region)
 * // → ['eu-central-1', 'us-east-1', 'ap-southeast-1']
 */
export function nearestStreams(
  edgeRegion: string,
  streams: readonly StreamTarget[],
): StreamTarget[] {
  const from = regionCoordinates(edgeRegion);
  if (!from) return streams.slice();
  return streams
    .map((stream, order) => {
      const to = regionCoordinates(stream.region);
      return { stream, order, km: to ? greatCircleKm(from, to) : Number.POSITIVE_INFINITY };
    })
    .sort((a, b) => a.km - b.km || a.order - b.order)
    .map((x) => x.stream);
}
