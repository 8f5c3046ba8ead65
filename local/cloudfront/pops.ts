/**
 * CloudFront edge locations (POPs) → the AWS region of their regional edge cache, which is what
 * `cf.edgeLocation.region` reports in a CloudFront Function and where Lambda@Edge runs
 * (`process.env.AWS_REGION`). The table covers major IATA codes; it is an approximation for local
 * emulation (AWS does not publish the mapping and changes it), good enough to exercise routing.
 */

/** An edge location as CloudFront Functions see it (`cf.edgeLocation`). */
export interface EdgeLocation {
  /** 3-letter IATA code, e.g. `FRA`. */
  name: string;
  /** Regional edge cache region, e.g. `eu-central-1`. */
  region: string;
  /** The edge server's address; a documentation address locally. */
  serverIp?: string;
}

/** Region → IATA codes of the POPs it serves. Grouped this way so the table stays readable. */
const POPS_BY_REGION: Record<string, string[]> = {
  'us-east-1': [
    'IAD',
    'JFK',
    'EWR',
    'BOS',
    'PHL',
    'ATL',
    'MIA',
    'JAX',
    'CLT',
    'DFW',
    'IAH',
    'YYZ',
    'YUL',
  ],
  'us-east-2': ['ORD', 'DTW', 'CMH', 'MSP', 'STL', 'MCI'],
  'us-west-1': ['SFO', 'SJC', 'LAX', 'PHX', 'LAS', 'SAN'],
  'us-west-2': ['SEA', 'PDX', 'DEN', 'SLC', 'YVR'],
  'sa-east-1': ['GRU', 'GIG', 'EZE', 'SCL', 'BOG', 'LIM', 'FOR'],
  'eu-west-1': ['DUB', 'MAD', 'BCN', 'LIS', 'JNB', 'CPT'],
  'eu-west-2': ['LHR', 'MAN', 'EDI'],
  'eu-west-3': ['CDG', 'MRS'],
  'eu-central-1': [
    'FRA',
    'MUC',
    'BER',
    'HAM',
    'DUS',
    'AMS',
    'ZRH',
    'VIE',
    'PRG',
    'WAW',
    'BUD',
    'MXP',
    'TLV',
    'SOF',
    'OTP',
  ],
  'eu-north-1': ['ARN', 'CPH', 'OSL', 'HEL'],
  'ap-south-1': ['BOM', 'DEL', 'MAA', 'BLR', 'HYD', 'CCU', 'DXB', 'FJR', 'BAH'],
  'ap-southeast-1': ['SIN', 'KUL', 'BKK', 'CGK', 'MNL', 'HKG', 'SGN', 'HAN'],
  'ap-southeast-2': ['SYD', 'MEL', 'BNE', 'PER', 'AKL'],
  'ap-northeast-1': ['NRT', 'HND', 'KIX', 'TPE'],
  'ap-northeast-2': ['ICN'],
};

/** IATA code → regional edge cache region. */
export const POP_REGIONS: ReadonlyMap<string, string> = new Map(
  Object.entries(POPS_BY_REGION).flatMap(([region, codes]) =>
    codes.map((code) => [code, region] as const),
  ),
);

/** Edge location used for requests that do not (or may not) name one: Ashburn, Virginia. */
export const DEFAULT_EDGE_LOCATION: EdgeLocation = {
  name: 'IAD',
  region: 'us-east-1',
  serverIp: '192.0.2.10',
};

/** A POP code as CloudFront prints it: IATA code, facility number, optional tier (`FRA56-C1`, `IAD89-P2`). */
const POP_CODE = /^([A-Za-z]{3})[0-9]{0,3}(?:-[A-Za-z][0-9]{1,2})?$/;

/**
 * Turns a POP code (`FRA56-C1`, `fra`, `SIN2`) into the edge location CloudFront would report.
 * Unknown IATA codes keep their name and fall back to the default region; anything that does not
 * look like a POP code yields `undefined` (the caller then uses {@link DEFAULT_EDGE_LOCATION}).
 *
 * @example edgeLocationForPop('FRA56-C1') // { name: 'FRA', region: 'eu-central-1', serverIp: '192.0.2.10' }
 */
export function edgeLocationForPop(pop: string | undefined): EdgeLocation | undefined {
  if (!pop) return undefined;
  const m = POP_CODE.exec(pop.trim());
  if (!m) return undefined;
  const name = m[1].toUpperCase();
  return {
    name,
    region: POP_REGIONS.get(name) ?? DEFAULT_EDGE_LOCATION.region,
    serverIp: DEFAULT_EDGE_LOCATION.serverIp,
  };
}
