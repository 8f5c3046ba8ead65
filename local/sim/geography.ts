/**
 * Where simulated viewers are: a POP with the geo headers CloudFront would add for a viewer near
 * it, the viewer's network (ASN) and device. The emulator accepts these headers from loopback only.
 */
import type { Rng } from './random.js';

/** A place viewers watch from, served by one POP. */
export interface ViewerPlace {
  /** POP code as CloudFront prints it; its IATA prefix decides the edge region. */
  pop: string;
  country: string;
  countryName: string;
  region: string;
  regionName: string;
  city: string;
  timeZone: string;
  lat: number;
  lon: number;
  /** Access networks of the place, by share of viewers. */
  asns: { asn: string; weight: number }[];
  /** Share of the audience. */
  weight: number;
}

/** Device classes as CloudFront's CloudFront-Is-*-Viewer headers express them. */
export type DeviceKind = 'desktop' | 'android' | 'ios' | 'tablet' | 'smarttv';

const DEVICES: { kind: DeviceKind; weight: number }[] = [
  { kind: 'desktop', weight: 42 },
  { kind: 'android', weight: 22 },
  { kind: 'ios', weight: 16 },
  { kind: 'tablet', weight: 8 },
  { kind: 'smarttv', weight: 12 },
];

const a = (asn: string, weight: number) => ({ asn, weight });

/** The simulated audience. Weights are a plausible global streaming audience, nothing more. */
// biome-ignore format: one place per line reads as a table
export const PLACES: readonly ViewerPlace[] = [
  { pop: 'IAD89-C1', country: 'US', countryName: 'United States', region: 'VA', regionName: 'Virginia', city: 'Ashburn', timeZone: 'America/New_York', lat: 39.0437, lon: -77.4875, asns: [a('7922', 5), a('701', 3)], weight: 10 },
  { pop: 'JFK50-C2', country: 'US', countryName: 'United States', region: 'NY', regionName: 'New York', city: 'New York', timeZone: 'America/New_York', lat: 40.7128, lon: -74.006, asns: [a('7922', 4), a('12271', 4), a('701', 2)], weight: 12 },
  { pop: 'ORD52-C1', country: 'US', countryName: 'United States', region: 'IL', regionName: 'Illinois', city: 'Chicago', timeZone: 'America/Chicago', lat: 41.8781, lon: -87.6298, asns: [a('7922', 6), a('7018', 3)], weight: 8 },
  { pop: 'LAX50-C1', country: 'US', countryName: 'United States', region: 'CA', regionName: 'California', city: 'Los Angeles', timeZone: 'America/Los_Angeles', lat: 34.0522, lon: -118.2437, asns: [a('7018', 4), a('20001', 4)], weight: 10 },
  { pop: 'SEA19-C2', country: 'US', countryName: 'United States', region: 'WA', regionName: 'Washington', city: 'Seattle', timeZone: 'America/Los_Angeles', lat: 47.6062, lon: -122.3321, asns: [a('7922', 5), a('209', 2)], weight: 4 },
  { pop: 'GRU3-C1', country: 'BR', countryName: 'Brazil', region: 'SP', regionName: 'Sao Paulo', city: 'Sao Paulo', timeZone: 'America/Sao_Paulo', lat: -23.5505, lon: -46.6333, asns: [a('28573', 5), a('18881', 4)], weight: 6 },
  { pop: 'LHR61-C2', country: 'GB', countryName: 'United Kingdom', region: 'ENG', regionName: 'England', city: 'London', timeZone: 'Europe/London', lat: 51.5074, lon: -0.1278, asns: [a('2856', 5), a('5089', 3), a('5607', 3)], weight: 8 },
  { pop: 'CDG50-C1', country: 'FR', countryName: 'France', region: 'IDF', regionName: 'Ile-de-France', city: 'Paris', timeZone: 'Europe/Paris', lat: 48.8566, lon: 2.3522, asns: [a('3215', 5), a('12322', 4), a('5410', 2)], weight: 6 },
  { pop: 'FRA56-C1', country: 'DE', countryName: 'Germany', region: 'HE', regionName: 'Hesse', city: 'Frankfurt am Main', timeZone: 'Europe/Berlin', lat: 50.1109, lon: 8.6821, asns: [a('3320', 6), a('3209', 3), a('6805', 2)], weight: 8 },
  { pop: 'AMS1-C1', country: 'NL', countryName: 'Netherlands', region: 'NH', regionName: 'North Holland', city: 'Amsterdam', timeZone: 'Europe/Amsterdam', lat: 52.3676, lon: 4.9041, asns: [a('1136', 4), a('33915', 4)], weight: 3 },
  { pop: 'BOM78-P1', country: 'IN', countryName: 'India', region: 'MH', regionName: 'Maharashtra', city: 'Mumbai', timeZone: 'Asia/Kolkata', lat: 19.076, lon: 72.8777, asns: [a('55836', 6), a('45609', 4)], weight: 7 },
  { pop: 'SIN2-C1', country: 'SG', countryName: 'Singapore', region: '01', regionName: 'Central Singapore', city: 'Singapore', timeZone: 'Asia/Singapore', lat: 1.3521, lon: 103.8198, asns: [a('9506', 5), a('4773', 3)], weight: 4 },
  { pop: 'NRT57-C1', country: 'JP', countryName: 'Japan', region: '13', regionName: 'Tokyo', city: 'Tokyo', timeZone: 'Asia/Tokyo', lat: 35.6762, lon: 139.6503, asns: [a('2516', 5), a('4713', 5)], weight: 6 },
  { pop: 'ICN54-C1', country: 'KR', countryName: 'South Korea', region: '11', regionName: 'Seoul', city: 'Seoul', timeZone: 'Asia/Seoul', lat: 37.5665, lon: 126.978, asns: [a('4766', 6), a('9318', 3)], weight: 3 },
  { pop: 'SYD62-C2', country: 'AU', countryName: 'Australia', region: 'NSW', regionName: 'New South Wales', city: 'Sydney', timeZone: 'Australia/Sydney', lat: -33.8688, lon: 151.2093, asns: [a('1221', 5), a('4804', 3)], weight: 5 },
];

/** One simulated viewer's location, network and device. */
export interface ViewerProfile {
  place: ViewerPlace;
  asn: string;
  device: DeviceKind;
}

/** Draws a viewer from the audience. */
export function drawViewer(rng: Rng, places: readonly ViewerPlace[] = PLACES): ViewerProfile {
  const place = rng.weighted(places);
  return { place, asn: rng.weighted(place.asns).asn, device: rng.weighted(DEVICES).kind };
}

/** True when the viewer is served by the POP with this IATA code (`SIN`, case-insensitive). */
export function servedBy(profile: ViewerProfile, iata: string | undefined): boolean {
  return !!iata && profile.place.pop.slice(0, 3).toUpperCase() === iata.slice(0, 3).toUpperCase();
}

/**
 * The request headers that make the local emulator see this viewer: the POP header and the
 * CloudFront geo/device headers (with coordinates jittered a little inside the city).
 */
export function viewerHeaders(profile: ViewerProfile, rng: Rng): Record<string, string> {
  const p = profile.place;
  const d = profile.device;
  const jitter = () => (rng.next() - 0.5) * 0.2;
  return {
    'x-beacon-pop': p.pop,
    'CloudFront-Viewer-Country': p.country,
    'CloudFront-Viewer-Country-Name': p.countryName,
    'CloudFront-Viewer-Country-Region': p.region,
    'CloudFront-Viewer-Country-Region-Name': p.regionName,
    'CloudFront-Viewer-City': p.city,
    'CloudFront-Viewer-Time-Zone': p.timeZone,
    'CloudFront-Viewer-Latitude': (p.lat + jitter()).toFixed(4),
    'CloudFront-Viewer-Longitude': (p.lon + jitter()).toFixed(4),
    'CloudFront-Viewer-ASN': profile.asn,
    'CloudFront-Is-Desktop-Viewer': String(d === 'desktop'),
    'CloudFront-Is-Mobile-Viewer': String(d === 'android' || d === 'ios'),
    'CloudFront-Is-Tablet-Viewer': String(d === 'tablet'),
    'CloudFront-Is-SmartTV-Viewer': String(d === 'smarttv'),
    'CloudFront-Is-Android-Viewer': String(d === 'android'),
    'CloudFront-Is-IOS-Viewer': String(d === 'ios'),
  };
}
