/**
 * Countries the default audience leaves out, ready for a fault that names them (`pop=MAD50-C2`,
 * `country=ES`, `region=eu-west-1`): two cities each (so the country is never the same slice as
 * one of its subdivisions), the IATA code of the POP nearest each city, and a few access networks.
 */

/** One city of an extra country. */
export interface ExtraCity {
  iata: string;
  region: string;
  regionName: string;
  city: string;
  lat: number;
  lon: number;
}

/** A country a fault can add to the audience. */
export interface ExtraCountry {
  country: string;
  countryName: string;
  timeZone: string;
  asns: string[];
  cities: [ExtraCity, ExtraCity];
}

const c = (
  iata: string,
  region: string,
  regionName: string,
  city: string,
  lat: number,
  lon: number,
): ExtraCity => ({ iata, region, regionName, city, lat, lon });

// biome-ignore format: one country per line reads as a table
export const EXTRA_COUNTRIES: readonly ExtraCountry[] = [
  { country: 'ES', countryName: 'Spain', timeZone: 'Europe/Madrid', asns: ['3352', '12479', '12430'], cities: [c('MAD', 'MD', 'Madrid', 'Madrid', 40.4168, -3.7038), c('BCN', 'CT', 'Catalonia', 'Barcelona', 41.3874, 2.1686)] },
  { country: 'IE', countryName: 'Ireland', timeZone: 'Europe/Dublin', asns: ['5466', '6830'], cities: [c('DUB', 'D', 'Dublin', 'Dublin', 53.3498, -6.2603), c('DUB', 'CO', 'Cork', 'Cork', 51.8985, -8.4756)] },
  { country: 'PT', countryName: 'Portugal', timeZone: 'Europe/Lisbon', asns: ['3243', '2860'], cities: [c('LIS', '11', 'Lisboa', 'Lisbon', 38.7223, -9.1393), c('LIS', '13', 'Porto', 'Porto', 41.1579, -8.6291)] },
  { country: 'ZA', countryName: 'South Africa', timeZone: 'Africa/Johannesburg', asns: ['37457', '36994'], cities: [c('JNB', 'GP', 'Gauteng', 'Johannesburg', -26.2041, 28.0473), c('CPT', 'WC', 'Western Cape', 'Cape Town', -33.9249, 18.4241)] },
  { country: 'IT', countryName: 'Italy', timeZone: 'Europe/Rome', asns: ['3269', '30722', '1267'], cities: [c('MXP', '25', 'Lombardy', 'Milan', 45.4642, 9.19), c('MXP', '62', 'Lazio', 'Rome', 41.9028, 12.4964)] },
  { country: 'CH', countryName: 'Switzerland', timeZone: 'Europe/Zurich', asns: ['3303', '6730'], cities: [c('ZRH', 'ZH', 'Zurich', 'Zurich', 47.3769, 8.5417), c('ZRH', 'GE', 'Geneva', 'Geneva', 46.2044, 6.1432)] },
  { country: 'PL', countryName: 'Poland', timeZone: 'Europe/Warsaw', asns: ['5617', '12741'], cities: [c('WAW', '14', 'Masovia', 'Warsaw', 52.2297, 21.0122), c('WAW', '12', 'Lesser Poland', 'Krakow', 50.0647, 19.945)] },
  { country: 'SE', countryName: 'Sweden', timeZone: 'Europe/Stockholm', asns: ['3301', '1257'], cities: [c('ARN', 'AB', 'Stockholm', 'Stockholm', 59.3293, 18.0686), c('ARN', 'O', 'Vastra Gotaland', 'Gothenburg', 57.7089, 11.9746)] },
  { country: 'CA', countryName: 'Canada', timeZone: 'America/Toronto', asns: ['577', '812'], cities: [c('YYZ', 'ON', 'Ontario', 'Toronto', 43.6532, -79.3832), c('YUL', 'QC', 'Quebec', 'Montreal', 45.5017, -73.5673)] },
  { country: 'AR', countryName: 'Argentina', timeZone: 'America/Argentina/Buenos_Aires', asns: ['7303', '22927'], cities: [c('EZE', 'C', 'Buenos Aires City', 'Buenos Aires', -34.6037, -58.3816), c('EZE', 'X', 'Cordoba', 'Cordoba', -31.4201, -64.1888)] },
  { country: 'AE', countryName: 'United Arab Emirates', timeZone: 'Asia/Dubai', asns: ['5384', '15802'], cities: [c('DXB', 'DU', 'Dubai', 'Dubai', 25.2048, 55.2708), c('FJR', 'AZ', 'Abu Dhabi', 'Abu Dhabi', 24.4539, 54.3773)] },
  { country: 'HK', countryName: 'Hong Kong', timeZone: 'Asia/Hong_Kong', asns: ['4760', '9269'], cities: [c('HKG', 'HCW', 'Central and Western', 'Hong Kong', 22.2855, 114.1577), c('HKG', 'KKC', 'Kowloon City', 'Kowloon', 22.3282, 114.1915)] },
  { country: 'TW', countryName: 'Taiwan', timeZone: 'Asia/Taipei', asns: ['3462', '9924'], cities: [c('TPE', 'TPE', 'Taipei', 'Taipei', 25.033, 121.5654), c('TPE', 'KHH', 'Kaohsiung', 'Kaohsiung', 22.6273, 120.3014)] },
  { country: 'NZ', countryName: 'New Zealand', timeZone: 'Pacific/Auckland', asns: ['9790', '4771'], cities: [c('AKL', 'AUK', 'Auckland', 'Auckland', -36.8485, 174.7633), c('AKL', 'WGN', 'Wellington', 'Wellington', -41.2865, 174.7762)] },
];

/** The extra country with a city near this IATA code, if any. */
export function extraCountryForIata(iata: string): ExtraCountry | undefined {
  return EXTRA_COUNTRIES.find((x) => x.cities.some((city) => city.iata === iata));
}
