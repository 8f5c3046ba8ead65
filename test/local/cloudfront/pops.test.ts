import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EDGE_LOCATION,
  POP_REGIONS,
  edgeLocationForPop,
} from '../../../local/cloudfront/pops.js';

describe('edgeLocationForPop', () => {
  it.each([
    ['FRA56-C1', 'FRA', 'eu-central-1'],
    ['iad89-p2', 'IAD', 'us-east-1'],
    ['SIN2', 'SIN', 'ap-southeast-1'],
    ['NRT', 'NRT', 'ap-northeast-1'],
    ['GRU50-C1', 'GRU', 'sa-east-1'],
  ])('%s → %s in %s', (pop, name, region) => {
    expect(edgeLocationForPop(pop)).toStrictEqual({
      name,
      region,
      serverIp: DEFAULT_EDGE_LOCATION.serverIp,
    });
  });

  it('keeps an unknown IATA code with the default region', () => {
    expect(edgeLocationForPop('ZZZ1')).toStrictEqual({
      name: 'ZZZ',
      region: 'us-east-1',
      serverIp: DEFAULT_EDGE_LOCATION.serverIp,
    });
  });

  it.each([undefined, '', 'F', 'FRANKFURT', '12345', 'FRA56-C1; drop table'])(
    'rejects %j',
    (pop) => {
      expect(edgeLocationForPop(pop)).toBeUndefined();
    },
  );

  it('maps every POP to a well-formed region', () => {
    for (const [code, region] of POP_REGIONS) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect(region).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
    }
  });
});
