import { describe, expect, it } from 'vitest';
import { edgeLocationForPop, POP_REGIONS } from '../../../local/cloudfront/pops.js';
import { type Audience, audienceFor, defaultAudience } from '../../../local/sim/audience.js';
import { parseFault } from '../../../local/sim/faults.js';
import {
  DEVICES,
  drawViewer,
  PLACES,
  servingRegionOf,
  storedPop,
  viewerHeaders,
} from '../../../local/sim/geography.js';
import { createRng } from '../../../local/sim/random.js';

/** The geographic cells (place, POP, ASN) viewers can fall in, with their share of viewers. */
function cells(au: Audience) {
  const totalPlaces = au.places.reduce((s, p) => s + p.weight, 0);
  const out: { key: string; share: number; dims: Record<string, string> }[] = [];
  au.places.forEach((place, i) => {
    const pw = place.pops.reduce((s, x) => s + x.weight, 0);
    const aw = place.asns.reduce((s, x) => s + x.weight, 0);
    for (const pop of place.pops)
      for (const asn of place.asns) {
        const share = (place.weight / totalPlaces) * (pop.weight / pw) * (asn.weight / aw);
        if (share <= 0) continue;
        out.push({
          key: `${i}|${pop.pop}|${asn.asn}`,
          share,
          dims: {
            pop: storedPop(pop.pop),
            country: place.country,
            country_region: place.region,
            asn: asn.asn,
            serving_region: servingRegionOf(pop.pop),
          },
        });
      }
  });
  return out;
}

/** Slices (dimension=value) as sets of cells, and the pairs of different dimensions that coincide. */
function coincidences(au: Audience): string[] {
  const all = cells(au);
  const slices = new Map<string, { dim: string; cells: string }>();
  for (const dim of ['pop', 'country', 'country_region', 'asn', 'serving_region']) {
    const byValue = new Map<string, string[]>();
    for (const c of all) byValue.set(c.dims[dim], [...(byValue.get(c.dims[dim]) ?? []), c.key]);
    for (const [value, keys] of byValue)
      if (keys.length < all.length)
        slices.set(`${dim}=${value}`, { dim, cells: keys.sort().join(',') });
  }
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const [name, s] of slices) {
    const other = seen.get(s.cells);
    if (other && !other.startsWith(`${s.dim}=`) && !forcedByEdge(other, name))
      clashes.push(`${other} = ${name}`);
    seen.set(s.cells, name);
  }
  return clashes;
}

/** A POP and its region are the same slice when the edge's table gives the region one POP code. */
function forcedByEdge(a: string, b: string): boolean {
  const [pop, region] = a.startsWith('pop=') ? [a, b] : [b, a];
  if (!pop.startsWith('pop=') || !region.startsWith('serving_region=')) return false;
  const codes = [...POP_REGIONS].filter(([, r]) => r === region.slice('serving_region='.length));
  return codes.length === 1 && codes[0][0] === pop.slice(4);
}

/** Share of viewers in a slice. */
function share(au: Audience, dim: string, value: string): number {
  return cells(au)
    .filter((c) => c.dims[dim] === value)
    .reduce((s, c) => s + c.share, 0);
}

describe('the audience', () => {
  it('places every viewer at a POP the emulator knows, and every region has two POP codes where the edge has two', () => {
    const byRegion = new Map<string, Set<string>>();
    for (const p of PLACES)
      for (const { pop } of p.pops) {
        expect(edgeLocationForPop(pop), pop).toBeDefined();
        expect(POP_REGIONS.has(pop.slice(0, 3)), pop).toBe(true);
        const r = servingRegionOf(pop);
        byRegion.set(r, (byRegion.get(r) ?? new Set()).add(storedPop(pop)));
      }
    for (const [region, pops] of byRegion) {
      const codes = [...POP_REGIONS.values()].filter((r) => r === region).length;
      expect(pops.size, region).toBeGreaterThanOrEqual(Math.min(2, codes));
    }
  });

  it('has no two slices of different dimensions holding the same viewers', () => {
    expect(coincidences(defaultAudience())).toStrictEqual([]);
  });

  it('keeps that true when faults add slices, each with a detectable share of viewers', () => {
    const cases: [string, string, string][] = [
      ['pop=MAD50-C2:stall-rate=5x', 'pop', 'MAD'],
      ['pop=MUC50-C1:stall-rate=5x', 'pop', 'MUC'],
      ['country=ZA:failure=10%', 'country', 'ZA'],
      ['region=eu-west-1:bitrate=0.5x', 'serving_region', 'eu-west-1'],
      ['asn=64500:failure=10%', 'asn', '64500'],
      ['pop=DUB2-C1:startup=+2s', 'pop', 'DUB'],
      ['pop=YYZ:startup=2x', 'pop', 'YYZ'],
    ];
    for (const [spec, dim, value] of cases) {
      const au = audienceFor([parseFault(spec)]);
      expect(coincidences(au), spec).toStrictEqual([]);
      expect(share(au, dim, value), spec).toBeGreaterThanOrEqual(0.05);
    }
    const all = audienceFor(cases.map(([spec]) => parseFault(spec)));
    expect(coincidences(all)).toStrictEqual([]);
  });

  it('draws devices, players, titles and SDK versions independently of geography, two or more of each', () => {
    const au = defaultAudience();
    expect(DEVICES.length).toBeGreaterThanOrEqual(2);
    expect(au.players.length).toBeGreaterThanOrEqual(2);
    expect(au.contents.length).toBeGreaterThanOrEqual(2);
    expect(au.sdkVersions.length).toBeGreaterThanOrEqual(2);
  });

  it('adds a title or a player a fault names, and refuses places it has none for', () => {
    const au = audienceFor([
      parseFault('content=live-final:exit=20%'),
      parseFault('player=shaka:seek=2x'),
    ]);
    expect(au.contents.some((c) => c.id === 'live-final')).toBe(true);
    expect(au.players.some((p) => p.name === 'shaka')).toBe(true);
    expect(() => audienceFor([parseFault('country=XX:failure=10%')])).toThrow(/no viewers in XX/);
    const north = audienceFor([parseFault('region=eu-north-1:failure=10%')]);
    expect(north.places.filter((p) => p.country === 'SE')).toHaveLength(2);
  });

  it('sends the POP and CloudFront geo headers', () => {
    const rng = createRng(1);
    const viewer = drawViewer(rng);
    const h = viewerHeaders(viewer, rng);
    expect(h['x-beacon-pop']).toBe(viewer.pop);
    expect(viewer.place.pops.map((p) => p.pop)).toContain(viewer.pop);
    expect(h['CloudFront-Viewer-Country']).toBe(viewer.place.country);
    expect(h['CloudFront-Viewer-ASN']).toBe(viewer.asn);
    expect(
      Object.keys(h).filter((k) => /^CloudFront-Is-/.test(k) && h[k] === 'true').length,
    ).toBeGreaterThanOrEqual(1);
    expect(Object.keys(h).some((k) => /address/i.test(k))).toBe(false);
  });
});
