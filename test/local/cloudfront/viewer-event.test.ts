import { describe, expect, it } from 'vitest';
import { makeViewerRequestEvent } from '../../../local/cloudfront/viewer-event.js';

describe('makeViewerRequestEvent', () => {
  it('builds the CloudFront Functions event shape', () => {
    const event = makeViewerRequestEvent({
      method: 'POST',
      uri: '/v1/events?debug=1&tag=a&tag=b',
      headers: {
        'Content-Type': 'text/plain',
        'X-Multi': ['1', '2'],
        cookie: 'a=1; b=2',
        'content-length': 12,
        skipped: undefined,
      },
      viewerIp: '203.0.113.9',
      requestId: 'req-1',
    });
    expect(event).toStrictEqual({
      version: '1.0',
      context: {
        distributionDomainName: 'd111111abcdef8.cloudfront.net',
        distributionId: 'ELOCAL0000000',
        eventType: 'viewer-request',
        requestId: 'req-1',
      },
      viewer: { ip: '203.0.113.9' },
      request: {
        method: 'POST',
        uri: '/v1/events',
        querystring: {
          debug: { value: '1' },
          tag: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] },
        },
        headers: {
          'content-type': { value: 'text/plain' },
          'x-multi': { value: '1', multiValue: [{ value: '1' }, { value: '2' }] },
          'content-length': { value: '12' },
        },
        cookies: { a: { value: '1' }, b: { value: '2' } },
      },
    });
  });

  it('defaults to a POST to /v1/events with a CloudFront-like request id', () => {
    const { request, context } = makeViewerRequestEvent();
    expect(request).toStrictEqual({
      method: 'POST',
      uri: '/v1/events',
      querystring: {},
      headers: {},
      cookies: {},
    });
    expect(context.requestId).toMatch(/^[A-Za-z0-9+/]{56}$/);
    expect(makeViewerRequestEvent().context.requestId).not.toBe(context.requestId);
  });

  it('takes parsed query parameters', () => {
    const { request } = makeViewerRequestEvent({ querystring: { a: '1', b: ['2', '3'] } });
    expect(request.querystring).toStrictEqual({
      a: { value: '1' },
      b: { value: '2', multiValue: [{ value: '2' }, { value: '3' }] },
    });
  });
});
