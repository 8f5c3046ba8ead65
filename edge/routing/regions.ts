/**
 * Approximate location of every commercial AWS region (partition `aws`), as the coordinates of
 * the metro area it is named after. Precision of a few tens of kilometres is plenty: the table only
 * ranks regions by distance from an edge location. Taken from the SDK's partition list (2026).
 */

/** Latitude/longitude in degrees. */
export interface Coordinates {
  lat: number;
  lon: number;
}

/** Region code → coordinates. Frozen: shared by every invocation. */
export const REGION_COORDINATES: Readonly<Record<string, Coordinates>> = Object.freeze({
  'us-east-1': { lat: 39.0, lon: -77.5 }, // N. Virginia (Ashburn)
  'us-east-2': { lat: 40.0, lon: -83.0 }, // Ohio (Columbus)
  'us-west-1': { lat: 37.4, lon: -121.9 }, // N. California (San Jose)
  'us-west-2': { lat: 45.8, lon: -119.7 }, // Oregon (Boardman)
  'ca-central-1': { lat: 45.5, lon: -73.6 }, // Montreal
  'ca-west-1': { lat: 51.0, lon: -114.1 }, // Calgary
  'mx-central-1': { lat: 20.6, lon: -100.4 }, // Querétaro
  'sa-east-1': { lat: -23.5, lon: -46.6 }, // São Paulo
  'sa-west-1': { lat: -33.4, lon: -70.6 }, // Santiago de Chile
  'eu-west-1': { lat: 53.3, lon: -6.3 }, // Dublin
  'eu-west-2': { lat: 51.5, lon: -0.1 }, // London
  'eu-west-3': { lat: 48.9, lon: 2.4 }, // Paris
  'eu-central-1': { lat: 50.1, lon: 8.7 }, // Frankfurt
  'eu-central-2': { lat: 47.4, lon: 8.5 }, // Zurich
  'eu-north-1': { lat: 59.3, lon: 18.1 }, // Stockholm
  'eu-south-1': { lat: 45.5, lon: 9.2 }, // Milan
  'eu-south-2': { lat: 41.6, lon: -0.9 }, // Aragón (Spain)
  'il-central-1': { lat: 32.1, lon: 34.8 }, // Tel Aviv
  'me-south-1': { lat: 26.1, lon: 50.6 }, // Bahrain
  'me-central-1': { lat: 24.5, lon: 54.4 }, // UAE (Abu Dhabi)
  'me-west-1': { lat: 24.7, lon: 46.7 }, // Saudi Arabia (Riyadh)
  'af-south-1': { lat: -33.9, lon: 18.4 }, // Cape Town
  'ap-south-1': { lat: 19.1, lon: 72.9 }, // Mumbai
  'ap-south-2': { lat: 17.4, lon: 78.5 }, // Hyderabad
  'ap-east-1': { lat: 22.3, lon: 114.2 }, // Hong Kong
  'ap-east-2': { lat: 25.0, lon: 121.5 }, // Taipei
  'ap-northeast-1': { lat: 35.7, lon: 139.7 }, // Tokyo
  'ap-northeast-2': { lat: 37.6, lon: 127.0 }, // Seoul
  'ap-northeast-3': { lat: 34.7, lon: 135.5 }, // Osaka
  'ap-southeast-1': { lat: 1.3, lon: 103.8 }, // Singapore
  'ap-southeast-2': { lat: -33.9, lon: 151.2 }, // Sydney
  'ap-southeast-3': { lat: -6.2, lon: 106.8 }, // Jakarta
  'ap-southeast-4': { lat: -37.8, lon: 145.0 }, // Melbourne
  'ap-southeast-5': { lat: 3.1, lon: 101.7 }, // Malaysia (Kuala Lumpur)
  'ap-southeast-6': { lat: -36.8, lon: 174.8 }, // New Zealand (Auckland)
  'ap-southeast-7': { lat: 13.8, lon: 100.5 }, // Thailand (Bangkok)
});

const EARTH_RADIUS_KM = 6371;
const RAD = Math.PI / 180;

/** Great-circle distance in kilometres (haversine). */
export function greatCircleKm(a: Coordinates, b: Coordinates): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Coordinates of a region, or undefined for a region not in the table (new, GovCloud, China). */
export function regionCoordinates(region: string): Coordinates | undefined {
  return Object.hasOwn(REGION_COORDINATES, region) ? REGION_COORDINATES[region] : undefined;
}
