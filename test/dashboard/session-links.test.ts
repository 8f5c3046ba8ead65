import { describe, expect, it } from 'vitest';
import { ROLLUP_DIMENSIONS } from '../../core-pipeline/rollups/aggregate.js';
import {
  explorerRequest,
  SESSION_FILTER_DIMENSIONS,
  sessionLink,
  sessionsApiPath,
  sessionsLink,
  sliceSessionsLink,
} from '../../dashboard/session-links.js';

describe('session explorer links', () => {
  it('filters on exactly the rollup dimensions', () => {
    expect([...SESSION_FILTER_DIMENSIONS]).toStrictEqual([...ROLLUP_DIMENSIONS]);
  });

  it('links to one session and reads the link back', () => {
    expect(sessionLink('abc_DEF-123')).toBe('/dashboard?session=abc_DEF-123');
    expect(explorerRequest('?session=abc_DEF-123')).toStrictEqual({
      view: 'session',
      sessionId: 'abc_DEF-123',
    });
    expect(explorerRequest('')).toBeNull();
    expect(explorerRequest('?range=1h')).toBeNull();
  });

  it('links to the sessions of a slice, and back to the API query that lists them', () => {
    const link = sessionsLink('pop', 'MAD50-C2');
    expect(link).toBe('/dashboard?sessions=pop%3AMAD50-C2');
    const r = explorerRequest(new URL(link, 'http://x').search);
    expect(r).toStrictEqual({
      view: 'sessions',
      filters: { pop: 'MAD50-C2' },
      range: '15m',
      outcome: null,
    });
    if (r?.view !== 'sessions') throw new Error('not a list');
    expect(sessionsApiPath(r)).toBe('/api/v1/sessions?range=15m&limit=100&pop=MAD50-C2');
    const narrowed = sessionsLink('asn', '3320', { range: '1h', outcome: 'start_failure' });
    expect(explorerRequest(new URL(narrowed, 'http://x').search)).toStrictEqual({
      view: 'sessions',
      filters: { asn: '3320' },
      range: '1h',
      outcome: 'start_failure',
    });
  });

  it('reads several slices, keeps values with colons, and ignores unknown dimensions', () => {
    expect(
      explorerRequest('?sessions=country:DE,device:mobile,city:Berlin,player_name:a:b'),
    ).toMatchObject({
      filters: { country: 'DE', device: 'mobile', player_name: 'a:b' },
    });
    expect(explorerRequest('?sessions=all')).toMatchObject({ view: 'sessions', filters: {} });
  });

  it('links an SDK release as its name and version together, and reads both back', () => {
    const link = sliceSessionsLink({ sdk_name: '@acme/player-sdk', sdk_version: '1.1.0' });
    expect(explorerRequest(new URL(link, 'http://x').search)).toStrictEqual({
      view: 'sessions',
      filters: { sdk_name: '@acme/player-sdk', sdk_version: '1.1.0' },
      range: '15m',
      outcome: null,
    });
  });

  it('reads back a value that holds commas', () => {
    const link = sessionsLink('content_id', 'Big Buck Bunny, ep. 2');
    expect(explorerRequest(new URL(link, 'http://x').search)).toMatchObject({
      filters: { content_id: 'Big Buck Bunny, ep. 2' },
    });
    expect(explorerRequest('?sessions=content_id:a,b,device:tv')).toMatchObject({
      filters: { content_id: 'a,b', device: 'tv' },
    });
  });
});
