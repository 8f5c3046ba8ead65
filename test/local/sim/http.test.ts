import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../local/errors.js';
import { acceptedCount, loopbackUrl } from '../../../local/sim/http.js';

describe('http helpers', () => {
  it.each(['http://127.0.0.1:8787', 'http://localhost:1', 'http://[::1]:8787/'])(
    'accept loopback %s',
    (url) => {
      expect(loopbackUrl(url).protocol).toBe('http:');
    },
  );

  it.each([
    [
      'http://example.com',
      'the simulator only sends to loopback (127.0.0.1, ::1, localhost), not example.com',
    ],
    ['https://127.0.0.1', 'the simulator speaks plain http to the local stack, got https://'],
    ['nope', '--url must be a URL such as http://127.0.0.1:8787, got "nope"'],
  ])('refuse %s', (url, message) => {
    expect(() => loopbackUrl(url)).toThrow(new UsageError(message));
  });

  it('counts accepted events from the edge response', () => {
    expect(acceptedCount({ status: 204, body: '' }, 20)).toBe(20);
    expect(
      acceptedCount({ status: 200, body: JSON.stringify({ accepted: 19, rejected: [{}] }) }, 20),
    ).toBe(19);
    expect(acceptedCount({ status: 503, body: '{"error":"stream_unavailable"}' }, 20)).toBe(0);
    expect(acceptedCount({ status: 200, body: 'not json' }, 20)).toBe(0);
  });
});
