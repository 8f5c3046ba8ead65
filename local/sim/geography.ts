/**
 * Where simulated viewers are: a place (country, subdivision, city) with its access networks
 * (ASNs) and the POPs that serve it, plus the device. The emulator accepts the POP and geo headers
 * from loopback only.
 *
 * The table is built so that no two slices of different dimensions hold exactly the same
 * viewers: every place has at least two POPs and two ASNs, every serving region at least two
 * POPs (by IATA code, the `pop` the edge stores), every country at least two subdivisions, and
 * some viewers of most countries are served from another region. Otherwise a diagnosis could not
 * tell which dimension is at fault. The one exception is forced by the edge's table: a region
 * with a single POP code (ap-northeast-2, ICN) is the same slice as that POP.
 */
import { edgeLocationForPop } from '../cloudfront/pops.js';
import type { Rng } from './random.js';

/** A place viewers watch from. */
export interface ViewerPlace {
  country: string;
  countryName: string;
  /** ISO 3166-2 subdivision as CloudFront-Viewer-Country-Region sends it (without the country). */
  region: string;
  regionName: string;
  city: string;
  timeZone: string;
  lat: number;
  lon: number;
  /** POPs (as CloudFront prints them) serving the place, by share of its viewers. */
  pops: { pop: string; weight: number }[];
  /** Access networks of the place, by share of viewers. */
  asns: { asn: string; weight: number }[];
  /** Share of the audience. */
  weight: number;
}

/** Device classes as CloudFront's CloudFront-Is-*-Viewer headers express them. */
export type DeviceKind = 'desktop' | 'android' | 'ios' | 'tablet' | 'smarttv';

/** Device mix of the audience. */
export const DEVICES: readonly { kind: DeviceKind; weight: number }[] = [
  { kind: 'desktop', weight: 42 },
  { kind: 'android', weight: 22 },
  { kind: 'ios', weight: 16 },
  { kind: 'tablet', weight: 8 },
  { kind: 'smarttv', weight: 12 },
];

/** The `device` the edge stores for a device kind (phones are `mobile`, their OS apart). */
export function storedDevice(kind: DeviceKind): string {
  return kind === 'android' || kind === 'ios' ? 'mobile' : kind;
}

const a = (asn: string, weight: number) => ({ asn, weight });
const p = (pop: string, weight: number) => ({ pop, weight });

/** The simulated audience. Weights are a plausible global streaming audience, nothing more. */
// biome-ignore format: one place per line reads as a table
export const PLACES: readonly ViewerPlace[] = [
  { country: 'US', countryName: 'United States', region: 'VA', regionName: 'Virginia', city: 'Ashburn', timeZone: 'America/New_York', lat: 39.0437, lon: -77.4875, pops: [p('IAD89-C1', 8), p('JFK50-C2', 2)], asns: [a('7922', 5), a('701', 3)], weight: 7 },
  { country: 'US', countryName: 'United States', region: 'NY', regionName: 'New York', city: 'New York', timeZone: 'America/New_York', lat: 40.7128, lon: -74.006, pops: [p('JFK50-C2', 8), p('IAD89-C1', 2)], asns: [a('7922', 4), a('12271', 4), a('701', 2)], weight: 10 },
  { country: 'US', countryName: 'United States', region: 'TX', regionName: 'Texas', city: 'Dallas', timeZone: 'America/Chicago', lat: 32.7767, lon: -96.797, pops: [p('DFW56-C1', 8), p('ORD52-C1', 2)], asns: [a('7018', 5), a('20001', 3)], weight: 6 },
  { country: 'US', countryName: 'United States', region: 'IL', regionName: 'Illinois', city: 'Chicago', timeZone: 'America/Chicago', lat: 41.8781, lon: -87.6298, pops: [p('ORD52-C1', 6), p('DTW50-C1', 4)], asns: [a('7922', 6), a('7018', 3)], weight: 6 },
  { country: 'US', countryName: 'United States', region: 'CA', regionName: 'California', city: 'Los Angeles', timeZone: 'America/Los_Angeles', lat: 34.0522, lon: -118.2437, pops: [p('LAX50-C1', 8), p('SFO53-C1', 2)], asns: [a('7018', 4), a('20001', 4)], weight: 8 },
  { country: 'US', countryName: 'United States', region: 'WA', regionName: 'Washington', city: 'Seattle', timeZone: 'America/Los_Angeles', lat: 47.6062, lon: -122.3321, pops: [p('SEA19-C2', 7), p('DEN52-C1', 2), p('SFO53-C1', 1)], asns: [a('7922', 5), a('209', 2)], weight: 4 },
  { country: 'BR', countryName: 'Brazil', region: 'SP', regionName: 'Sao Paulo', city: 'Sao Paulo', timeZone: 'America/Sao_Paulo', lat: -23.5505, lon: -46.6333, pops: [p('GRU3-C1', 7), p('GIG51-C1', 2), p('MIA50-C1', 1)], asns: [a('28573', 5), a('18881', 4)], weight: 5 },
  { country: 'BR', countryName: 'Brazil', region: 'RJ', regionName: 'Rio de Janeiro', city: 'Rio de Janeiro', timeZone: 'America/Sao_Paulo', lat: -22.9068, lon: -43.1729, pops: [p('GIG51-C1', 7), p('GRU3-C1', 3)], asns: [a('28573', 4), a('26599', 4)], weight: 3 },
  { country: 'GB', countryName: 'United Kingdom', region: 'ENG', regionName: 'England', city: 'London', timeZone: 'Europe/London', lat: 51.5074, lon: -0.1278, pops: [p('LHR61-C2', 8), p('MAN50-C1', 1), p('CDG50-C1', 1)], asns: [a('2856', 5), a('5089', 3), a('5607', 3)], weight: 7 },
  { country: 'GB', countryName: 'United Kingdom', region: 'SCT', regionName: 'Scotland', city: 'Edinburgh', timeZone: 'Europe/London', lat: 55.9533, lon: -3.1883, pops: [p('MAN50-C1', 6), p('LHR61-C2', 4)], asns: [a('2856', 5), a('5089', 4)], weight: 2 },
  { country: 'FR', countryName: 'France', region: 'IDF', regionName: 'Ile-de-France', city: 'Paris', timeZone: 'Europe/Paris', lat: 48.8566, lon: 2.3522, pops: [p('CDG50-C1', 8), p('FRA56-C1', 2)], asns: [a('3215', 5), a('12322', 4), a('5410', 2)], weight: 5 },
  { country: 'FR', countryName: 'France', region: 'PAC', regionName: "Provence-Alpes-Cote d'Azur", city: 'Marseille', timeZone: 'Europe/Paris', lat: 43.2965, lon: 5.3698, pops: [p('MRS52-C1', 6), p('CDG50-C1', 4)], asns: [a('3215', 4), a('12322', 3)], weight: 2 },
  { country: 'DE', countryName: 'Germany', region: 'HE', regionName: 'Hesse', city: 'Frankfurt am Main', timeZone: 'Europe/Berlin', lat: 50.1109, lon: 8.6821, pops: [p('FRA56-C1', 8), p('AMS1-C1', 2)], asns: [a('3320', 6), a('3209', 3), a('6805', 2)], weight: 5 },
  { country: 'DE', countryName: 'Germany', region: 'BE', regionName: 'Berlin', city: 'Berlin', timeZone: 'Europe/Berlin', lat: 52.52, lon: 13.405, pops: [p('BER50-C1', 6), p('FRA56-C1', 4)], asns: [a('3320', 5), a('6805', 3), a('3209', 2)], weight: 4 },
  { country: 'NL', countryName: 'Netherlands', region: 'NH', regionName: 'North Holland', city: 'Amsterdam', timeZone: 'Europe/Amsterdam', lat: 52.3676, lon: 4.9041, pops: [p('AMS1-C1', 8), p('LHR61-C2', 2)], asns: [a('1136', 4), a('33915', 4)], weight: 2 },
  { country: 'NL', countryName: 'Netherlands', region: 'ZH', regionName: 'South Holland', city: 'Rotterdam', timeZone: 'Europe/Amsterdam', lat: 51.9244, lon: 4.4777, pops: [p('AMS1-C1', 7), p('FRA56-C1', 3)], asns: [a('1136', 3), a('33915', 5)], weight: 2 },
  { country: 'IN', countryName: 'India', region: 'MH', regionName: 'Maharashtra', city: 'Mumbai', timeZone: 'Asia/Kolkata', lat: 19.076, lon: 72.8777, pops: [p('BOM78-P1', 7), p('DEL54-C1', 2), p('SIN2-C1', 1)], asns: [a('55836', 6), a('45609', 4)], weight: 4 },
  { country: 'IN', countryName: 'India', region: 'DL', regionName: 'Delhi', city: 'New Delhi', timeZone: 'Asia/Kolkata', lat: 28.6139, lon: 77.209, pops: [p('DEL54-C1', 8), p('BOM78-P1', 2)], asns: [a('55836', 5), a('9498', 4)], weight: 3 },
  { country: 'SG', countryName: 'Singapore', region: '01', regionName: 'Central Singapore', city: 'Singapore', timeZone: 'Asia/Singapore', lat: 1.3521, lon: 103.8198, pops: [p('SIN2-C1', 6), p('KUL50-C1', 4)], asns: [a('9506', 5), a('4773', 3)], weight: 2 },
  { country: 'SG', countryName: 'Singapore', region: '02', regionName: 'North East', city: 'Sengkang', timeZone: 'Asia/Singapore', lat: 1.3868, lon: 103.8914, pops: [p('KUL50-C1', 6), p('SIN2-C1', 4)], asns: [a('9506', 4), a('55430', 3)], weight: 2 },
  { country: 'JP', countryName: 'Japan', region: '13', regionName: 'Tokyo', city: 'Tokyo', timeZone: 'Asia/Tokyo', lat: 35.6762, lon: 139.6503, pops: [p('NRT57-C1', 7), p('KIX56-C1', 2), p('ICN54-C1', 1)], asns: [a('2516', 5), a('4713', 5)], weight: 4 },
  { country: 'JP', countryName: 'Japan', region: '27', regionName: 'Osaka', city: 'Osaka', timeZone: 'Asia/Tokyo', lat: 34.6937, lon: 135.5023, pops: [p('KIX56-C1', 8), p('NRT57-C1', 2)], asns: [a('2516', 4), a('17676', 4)], weight: 2 },
  { country: 'KR', countryName: 'South Korea', region: '11', regionName: 'Seoul', city: 'Seoul', timeZone: 'Asia/Seoul', lat: 37.5665, lon: 126.978, pops: [p('ICN54-C1', 7), p('ICN57-C2', 3)], asns: [a('4766', 6), a('9318', 3)], weight: 2 },
  { country: 'KR', countryName: 'South Korea', region: '26', regionName: 'Busan', city: 'Busan', timeZone: 'Asia/Seoul', lat: 35.1796, lon: 129.0756, pops: [p('ICN57-C2', 6), p('ICN54-C1', 3), p('KIX56-C1', 1)], asns: [a('4766', 4), a('3786', 3)], weight: 1 },
  { country: 'AU', countryName: 'Australia', region: 'NSW', regionName: 'New South Wales', city: 'Sydney', timeZone: 'Australia/Sydney', lat: -33.8688, lon: 151.2093, pops: [p('SYD62-C2', 8), p('MEL50-C1', 2)], asns: [a('1221', 5), a('4804', 3)], weight: 3 },
  { country: 'AU', countryName: 'Australia', region: 'VIC', regionName: 'Victoria', city: 'Melbourne', timeZone: 'Australia/Melbourne', lat: -37.8136, lon: 144.9631, pops: [p('MEL50-C1', 7), p('SYD62-C2', 2), p('KUL50-C1', 1)], asns: [a('1221', 4), a('7545', 4)], weight: 2 },
];

/** One simulated viewer's location, network, POP and device. */
export interface ViewerProfile {
  place: ViewerPlace;
  /** The POP serving this viewer. */
  pop: string;
  asn: string;
  device: DeviceKind;
}

/** Draws a viewer from the audience. */
export function drawViewer(rng: Rng, places: readonly ViewerPlace[] = PLACES): ViewerProfile {
  const place = rng.weighted(places);
  return {
    place,
    pop: rng.weighted(place.pops).pop,
    asn: rng.weighted(place.asns).asn,
    device: rng.weighted(DEVICES).kind,
  };
}

/**
 * The `pop` the edge stores for a POP code: the edge location's IATA code (`MAD50-C2` → `MAD`),
 * which is what `cf.edgeLocation.name` gives a CloudFront Function.
 */
export function storedPop(pop: string): string {
  return edgeLocationForPop(pop)?.name ?? pop.slice(0, 3).toUpperCase();
}

/** The AWS region the local edge serves a POP from (its regional edge cache): `serving_region`. */
export function servingRegionOf(pop: string): string {
  return edgeLocationForPop(pop)?.region ?? 'us-east-1';
}

/** True when the viewer is served by the POP with this IATA code (`SIN`, case-insensitive). */
export function servedBy(profile: ViewerProfile, iata: string | undefined): boolean {
  return !!iata && profile.pop.slice(0, 3).toUpperCase() === iata.slice(0, 3).toUpperCase();
}

/**
 * The request headers that make the local emulator see this viewer: the POP header and the
 * CloudFront geo/device headers (with coordinates jittered a little inside the city).
 */
export function viewerHeaders(profile: ViewerProfile, rng: Rng): Record<string, string> {
  const pl = profile.place;
  const d = profile.device;
  const jitter = () => (rng.next() - 0.5) * 0.2;
  return {
    'x-beacon-pop': profile.pop,
    'CloudFront-Viewer-Country': pl.country,
    'CloudFront-Viewer-Country-Name': pl.countryName,
    'CloudFront-Viewer-Country-Region': pl.region,
    'CloudFront-Viewer-Country-Region-Name': pl.regionName,
    'CloudFront-Viewer-City': pl.city,
    'CloudFront-Viewer-Time-Zone': pl.timeZone,
    'CloudFront-Viewer-Latitude': (pl.lat + jitter()).toFixed(4),
    'CloudFront-Viewer-Longitude': (pl.lon + jitter()).toFixed(4),
    'CloudFront-Viewer-ASN': profile.asn,
    'CloudFront-Is-Desktop-Viewer': String(d === 'desktop'),
    'CloudFront-Is-Mobile-Viewer': String(d === 'android' || d === 'ios'),
    'CloudFront-Is-Tablet-Viewer': String(d === 'tablet'),
    'CloudFront-Is-SmartTV-Viewer': String(d === 'smarttv'),
    'CloudFront-Is-Android-Viewer': String(d === 'android'),
    'CloudFront-Is-IOS-Viewer': String(d === 'ios'),
  };
}
