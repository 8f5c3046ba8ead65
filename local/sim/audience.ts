/**
 * The audience a simulation draws viewers and sessions from: places (geography.ts), titles,
 * players and SDK versions. A fault that names a slice the audience lacks adds that slice with a
 * share large enough to be seen within minutes (about 5 % or more of viewers), keeping the rule
 * that no two slices of different dimensions hold the same viewers.
 */
import type { SchemaVersion } from '../../schemas/index.js';
import { UsageError } from '../errors.js';
import type { Fault } from './faults.js';
import { PLACES, servingRegionOf, storedPop, type ViewerPlace } from './geography.js';
import { EXTRA_COUNTRIES, type ExtraCountry, extraCountryForIata } from './places-extra.js';
import { CATALOGUE, type CatalogueItem, PLAYERS, type PlayerKind } from './session.js';
import { SIM_SDK } from './batch.js';
import { POP_REGIONS } from '../cloudfront/pops.js';

/** Everything a simulated session is drawn from. */
export interface Audience {
  places: ViewerPlace[];
  contents: CatalogueItem[];
  players: PlayerKind[];
  /** SDK releases, the schema version each declares, and their shares of sessions. */
  sdkVersions: { version: string; schemaVersion: SchemaVersion; weight: number }[];
}

/** The default audience (a fresh copy the caller may change). */
export function defaultAudience(): Audience {
  return {
    places: PLACES.map((p) => ({
      ...p,
      pops: p.pops.map((x) => ({ ...x })),
      asns: p.asns.map((x) => ({ ...x })),
    })),
    contents: CATALOGUE.map((c) => ({ ...c })),
    players: PLAYERS.map((p) => ({ ...p })),
    // An SDK rollout in progress: two releases, so sdk_version is a slice worth ranking, and the
    // newer one declares the newer schema, so the rollout panel shows two schema versions and
    // `beacons rollout` has something to steer on a fresh stack.
    sdkVersions: [
      { version: SIM_SDK.version, schemaVersion: '1-0-0', weight: 7 },
      { version: '1.1.0', schemaVersion: '2-0-0', weight: 3 },
    ],
  };
}

/**
 * The default audience plus whatever slices `faults` name that it lacks.
 * @throws UsageError for a country or region the simulator has no places for.
 */
export function audienceFor(faults: readonly Fault[]): Audience {
  const audience = defaultAudience();
  for (const f of faults) addSlice(audience, f);
  return audience;
}

const total = (items: readonly { weight: number }[]) => items.reduce((s, x) => s + x.weight, 0);

function addSlice(au: Audience, f: Fault): void {
  const places = au.places;
  switch (f.dimension) {
    case 'pop': {
      if (places.some((p) => p.pops.some((x) => storedPop(x.pop) === f.value))) return;
      const iata = f.value;
      const code = f.code ?? `${iata}50-C1`;
      const extra = extraCountryForIata(iata);
      if (extra && !places.some((p) => p.country === extra.country)) {
        addCountry(places, extra, code);
        return;
      }
      // A new facility of a known city, or a POP of a region already served: it takes half the
      // viewers of the largest places served from its region, enough of them for ~6 % of all.
      const region = servingRegionOf(code);
      const near = places
        .filter((p) => p.pops.some((x) => servingRegionOf(x.pop) === region))
        .sort((x, y) => y.weight - x.weight);
      if (near.length === 0)
        throw new UsageError(
          `--fault "${f.spec}": the simulator has no viewers near ${iata} (region ${region}); name a POP of ${knownIatas()}`,
        );
      const all = total(places);
      let taken = 0;
      for (const p of near) {
        if (taken >= 0.06 * all) break;
        p.pops.push({ pop: code, weight: total(p.pops) });
        taken += p.weight / 2;
      }
      return;
    }
    case 'country': {
      if (places.some((p) => p.country === f.value)) return;
      const extra = EXTRA_COUNTRIES.find((x) => x.country === f.value);
      if (!extra)
        throw new UsageError(
          `--fault "${f.spec}": the simulator has no viewers in ${f.value}; countries: ${[...new Set([...places.map((p) => p.country), ...EXTRA_COUNTRIES.map((x) => x.country)])].join(', ')}`,
        );
      addCountry(places, extra);
      return;
    }
    case 'region': {
      if (places.some((p) => p.pops.some((x) => servingRegionOf(x.pop) === f.value))) return;
      const extra = EXTRA_COUNTRIES.find((x) => POP_REGIONS.get(x.cities[0].iata) === f.value);
      if (!extra)
        throw new UsageError(
          `--fault "${f.spec}": the simulator has no viewers served from ${f.value}; regions: ${[...new Set(places.flatMap((p) => p.pops.map((x) => servingRegionOf(x.pop))))].join(', ')}, and ${[...new Set(EXTRA_COUNTRIES.map((x) => POP_REGIONS.get(x.cities[0].iata)))].join(', ')} by adding a country`,
        );
      addCountry(places, extra);
      return;
    }
    case 'asn': {
      if (places.some((p) => p.asns.some((x) => x.asn === f.value))) return;
      // Two large places in different countries, half of each: an ISP in more than one place,
      // so the ASN never coincides with a country or a POP.
      const byWeight = [...places].sort((x, y) => y.weight - x.weight);
      const first = byWeight[0];
      const second = byWeight.find((p) => p.country !== first.country) ?? byWeight[1];
      for (const p of [first, second]) p.asns.push({ asn: f.value, weight: total(p.asns) });
      return;
    }
    case 'content':
      if (!au.contents.some((c) => c.id === f.value))
        au.contents.push({ id: f.value, seconds: 900, weight: total(au.contents) * 0.08 });
      return;
    case 'player':
      if (!au.players.some((p) => p.name === f.value))
        au.players.push({ name: f.value, version: '1.0.0', weight: total(au.players) * 0.1 });
      return;
    case 'device':
      // Every stored device class is in the mix already.
      return;
  }
}

/** IATA codes of the POPs the audience can use, for an error message. */
function knownIatas(): string {
  const codes = new Set([
    ...PLACES.flatMap((p) => p.pops.map((x) => x.pop.slice(0, 3))),
    ...EXTRA_COUNTRIES.flatMap((x) => x.cities.map((c) => c.iata)),
  ]);
  return [...codes].join(', ');
}

/**
 * Adds a country's two cities, about 11 % of viewers. Its POPs are `pop` (or the first city's
 * nearest) and a second POP of the same region, so the serving region holds two POPs, and
 * some of the first city's viewers go to the nearest POP already in the audience, so the
 * country is not the same slice as its serving region.
 */
function addCountry(places: ViewerPlace[], x: ExtraCountry, pop?: string): void {
  const [c0, c1] = x.cities;
  const pop0 = pop ?? `${c0.iata}50-C1`;
  // The second POP: another code of the same region (the edge stores a POP by its code, so a
  // region with one code would be the same slice as that POP); the city's own when it fits.
  const iata0 = storedPop(pop0);
  const region = servingRegionOf(pop0);
  const others = [c1.iata, ...POP_REGIONS.keys()].filter(
    (code) => code !== iata0 && POP_REGIONS.get(code) === region,
  );
  const pop1 = others.length > 0 ? `${others[0]}50-C1` : `${iata0}51-C1`;
  const nearest = [...places].sort(
    (p, q) => dist(p.lat, p.lon, c0.lat, c0.lon) - dist(q.lat, q.lon, c0.lat, c0.lon),
  )[0].pops[0].pop;
  const share = total(places) * 0.06;
  const asns = x.asns;
  const last = asns[asns.length - 1];
  const base = {
    country: x.country,
    countryName: x.countryName,
    timeZone: x.timeZone,
    weight: share,
  };
  places.push(
    {
      ...base,
      region: c0.region,
      regionName: c0.regionName,
      city: c0.city,
      lat: c0.lat,
      lon: c0.lon,
      pops: [
        { pop: pop0, weight: 7 },
        { pop: pop1, weight: 2 },
        { pop: nearest, weight: 1 },
      ],
      asns: [
        { asn: asns[0], weight: 5 },
        { asn: asns[1], weight: 3 },
      ],
    },
    {
      ...base,
      region: c1.region,
      regionName: c1.regionName,
      city: c1.city,
      lat: c1.lat,
      lon: c1.lon,
      pops: [
        { pop: pop1, weight: 6 },
        { pop: pop0, weight: 4 },
      ],
      asns: [
        { asn: asns[0], weight: 4 },
        { asn: last, weight: 4 },
      ],
    },
  );
}

/** Squared degree distance: enough to find the nearest city. */
function dist(lat1: number, lon1: number, lat2: number, lon2: number): number {
  return (lat1 - lat2) ** 2 + (lon1 - lon2) ** 2;
}
