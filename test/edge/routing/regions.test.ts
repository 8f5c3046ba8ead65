/** The AWS region coordinate table and the great-circle distance the routing ranks by. */
import { describe, expect, it } from 'vitest';
import {
  greatCircleKm,
  REGION_COORDINATES,
  regionCoordinates,
} from '../../../edge/routing/regions.js';

describe('region table', () => {
  it('covers every commercial region the SDK knows, with plausible coordinates', () => {
    expect(Object.keys(REGION_COORDINATES)).toHaveLength(36);
    for (const [region, c] of Object.entries(REGION_COORDINATES)) {
      expect(region).toMatch(/^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d$/);
      expect(Math.abs(c.lat)).toBeLessThanOrEqual(90);
      expect(Math.abs(c.lon)).toBeLessThanOrEqual(180);
    }
  });

  it('does not resolve prototype keys as regions', () => {
    expect(regionCoordinates('constructor')).toBeUndefined();
    expect(regionCoordinates('__proto__')).toBeUndefined();
  });

  it('measures great-circle distance (Frankfurt–Virginia ≈ 6 600 km)', () => {
    const km = greatCircleKm(REGION_COORDINATES['eu-central-1'], REGION_COORDINATES['us-east-1']);
    expect(km).toBeGreaterThan(6400);
    expect(km).toBeLessThan(6800);
    expect(greatCircleKm(REGION_COORDINATES['us-east-1'], REGION_COORDINATES['us-east-1'])).toBe(0);
  });
});
