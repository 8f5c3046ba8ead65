import { describe, expect, it } from 'vitest';
import { checkBinding, isLoopbackHost, isProtectedPath } from '../../local/api-auth.js';
import { UsageError } from '../../local/errors.js';
import { catchError } from '../helpers/catch-error.js';

const TOKEN = '0123456789abcdef0123456789abcdef';

describe('local/api-auth', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1'])(
    'counts %s as loopback',
    (host) => expect(isLoopbackHost(host)).toBe(true),
  );

  it.each([
    '0.0.0.0',
    '::',
    '192.168.1.10',
    '10.0.0.1',
    'example.com',
    '128.0.0.1',
    '127.0.0.1.nip.io',
  ])('counts %s as reachable from other machines', (host) =>
    expect(isLoopbackHost(host)).toBe(false),
  );

  it('lets loopback start without a token and with one', () => {
    expect(checkBinding('127.0.0.1', undefined)).toBeUndefined();
    expect(checkBinding('::1', TOKEN)).toBe(TOKEN);
  });

  it('refuses another address without a token, naming both ways to give one', () => {
    const err = catchError(() => checkBinding('0.0.0.0', undefined));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(
      /^--host 0\.0\.0\.0 would let other machines read the dashboard and API/,
    );
    expect((err as Error).message).toContain('BEACONS_API_TOKEN');
    expect((err as Error).message).toContain('--api-token');
    expect(checkBinding('0.0.0.0', TOKEN)).toBe(TOKEN);
  });

  it.each([
    ['too short', 'abc123', /got 6 characters\)/],
    ['a space', `${TOKEN} x`, /with others among them/],
    ['a plus (a space once in a query string)', `${TOKEN}+`, /with others among them/],
    ['a semicolon (ends a cookie)', `${TOKEN};`, /with others among them/],
    ['too long', 'a'.repeat(257), /got 257 characters/],
  ])('refuses a token with %s, on any host', (_what, token, message) => {
    for (const host of ['127.0.0.1', '0.0.0.0']) {
      const err = catchError(() => checkBinding(host, token));
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toContain('openssl rand -hex 32');
    }
  });

  it('protects the landing page, the dashboard and the API, not ingest or the demo', () => {
    for (const p of [
      '/',
      '/dashboard',
      '/dashboard/',
      '/dashboard/app.js',
      '/api/v1',
      '/api/v1/counts',
    ])
      expect(isProtectedPath(p), p).toBe(true);
    for (const p of [
      '/v1/events',
      '/demo',
      '/demo/',
      '/demo/vendor/hls.min.js',
      '/dashboards',
      '/api/v10',
      '/favicon.ico',
    ])
      expect(isProtectedPath(p), p).toBe(false);
  });
});
