/** Routing of edge writes to the nearest regional stream. */
export { nearestStreams } from './nearest.js';
export {
  REGION_COORDINATES,
  greatCircleKm,
  regionCoordinates,
  type Coordinates,
} from './regions.js';
