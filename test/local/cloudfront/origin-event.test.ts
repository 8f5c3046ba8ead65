import { describe, expect, it } from 'vitest';
import {
  ORIGIN_BODY_LIMIT,
  canonicalHeaderKey,
  encodeOriginBody,
  functionHeadersToEdge,
  makeOriginRequestEvent,
  newRequestId,
  querystringToString,
} from '../../../local/cloudfront/origin-event.js';

describe('origin-request event', () => {
  it('builds request ids shaped like CloudFront ones, all different', () => {
    const ids = new Set(Array.from({ length: 100 }, newRequestId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{54}==$/);
  });

  it('canonicalises header keys', () => {
    expect(canonicalHeaderKey('x-beacon-edge')).toBe('X-Beacon-Edge');
    expect(canonicalHeaderKey('content-type')).toBe('Content-Type');
  });

  it('rebuilds the query string as sent', () => {
    expect(
      querystringToString({
        a: { value: '1', multiValue: [{ value: '1' }, { value: '2' }] },
        b: { value: '' },
        c: { value: 'x%20y' },
      }),
    ).toBe('a=1&a=2&b&c=x%20y');
  });

  it('keeps only the allow-listed parameters when given a list, as an origin request policy does', () => {
    const qs = {
      player: { value: 'hls.js' },
      cmcd: { value: 'sid%3D%22x%22' },
      player_version: { value: '1.7.4' },
    };
    expect(querystringToString(qs, ['player', 'player_version'])).toBe(
      'player=hls.js&player_version=1.7.4',
    );
    expect(querystringToString(qs, [])).toBe('');
  });

  it('forwards the CMCD player parameters of the event-target URL to the handler, nothing else', () => {
    const event = makeOriginRequestEvent({
      request: {
        method: 'POST',
        uri: '/v1/cmcd',
        querystring: {
          player: { value: 'dash.js' },
          player_version: { value: '5.2.1' },
          utm_source: { value: 'x' },
        },
        headers: { 'content-type': { value: 'application/cmcd' } },
      },
      headerKeys: new Map(),
      cloudFrontHeaders: [],
      clientIp: '127.0.0.1',
      body: Buffer.from('sid="s",ts=1,e=ps,sta=p'),
      requestId: 'req-3',
      distributionId: 'EDIST',
      distributionDomainName: 'd1.cloudfront.net',
    });
    expect(event.Records[0].cf.request.querystring).toBe('player=dash.js&player_version=5.2.1');
  });

  it('turns function headers into Lambda@Edge headers', () => {
    const keys = new Map([['content-type', 'Content-Type']]);
    expect(
      functionHeadersToEdge(
        {
          'content-type': { value: 'text/plain' },
          'x-beacon-edge': { value: 'pop=FRA' },
          accept: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] },
        },
        keys,
      ),
    ).toStrictEqual({
      'content-type': [{ key: 'Content-Type', value: 'text/plain' }],
      'x-beacon-edge': [{ key: 'X-Beacon-Edge', value: 'pop=FRA' }],
      accept: [
        { key: 'Accept', value: 'a' },
        { key: 'Accept', value: 'b' },
      ],
    });
  });

  it('cuts the body at 1 MB and flags it, as CloudFront does', () => {
    const exact = Buffer.alloc(ORIGIN_BODY_LIMIT, 0x61);
    expect(encodeOriginBody(exact).inputTruncated).toBe(false);
    const over = encodeOriginBody(Buffer.alloc(ORIGIN_BODY_LIMIT + 1, 0x61));
    expect(over.inputTruncated).toBe(true);
    expect(Buffer.from(over.data, 'base64').length).toBe(ORIGIN_BODY_LIMIT);
    expect(encodeOriginBody(Buffer.from('abc'), true)).toStrictEqual({
      data: Buffer.from('abc').toString('base64'),
      inputTruncated: true,
    });
  });

  it('builds the documented event, CloudFront geo headers replacing client ones', () => {
    const body = Buffer.from('{"hello":"world"}');
    const event = makeOriginRequestEvent({
      request: {
        method: 'POST',
        uri: '/v1/events',
        querystring: {},
        headers: {
          'content-type': { value: 'text/plain' },
          'cloudfront-viewer-country': { value: 'XX' },
        },
      },
      headerKeys: new Map([['content-type', 'content-TYPE']]),
      cloudFrontHeaders: [
        { name: 'cloudfront-viewer-country', key: 'CloudFront-Viewer-Country', value: 'DE' },
      ],
      clientIp: '127.0.0.1',
      body,
      requestId: 'req-1',
      distributionId: 'EDIST',
      distributionDomainName: 'd1.cloudfront.net',
    });
    expect(event.Records[0].cf.config).toStrictEqual({
      distributionDomainName: 'd1.cloudfront.net',
      distributionId: 'EDIST',
      eventType: 'origin-request',
      requestId: 'req-1',
    });
    const { origin, ...request } = event.Records[0].cf.request;
    expect(origin?.custom?.domainName).toBe('origin.invalid');
    expect(request).toStrictEqual({
      clientIp: '127.0.0.1',
      headers: {
        'content-type': [{ key: 'content-TYPE', value: 'text/plain' }],
        'cloudfront-viewer-country': [{ key: 'CloudFront-Viewer-Country', value: 'DE' }],
        'x-forwarded-for': [{ key: 'X-Forwarded-For', value: '127.0.0.1' }],
      },
      method: 'POST',
      querystring: '',
      uri: '/v1/events',
      body: {
        action: 'read-only',
        encoding: 'base64',
        inputTruncated: false,
        data: body.toString('base64'),
      },
    });
  });

  it('appends the client IP to the X-Forwarded-For the viewer sent, as CloudFront does', () => {
    const event = makeOriginRequestEvent({
      request: {
        method: 'POST',
        uri: '/v1/events',
        querystring: {},
        headers: { 'x-forwarded-for': { value: '198.51.100.7' } },
      },
      headerKeys: new Map([['x-forwarded-for', 'x-forwarded-FOR']]),
      cloudFrontHeaders: [],
      clientIp: '203.0.113.9',
      body: Buffer.alloc(0),
      requestId: 'req-2',
      distributionId: 'EDIST',
      distributionDomainName: 'd1.cloudfront.net',
    });
    expect(event.Records[0].cf.request.headers['x-forwarded-for']).toStrictEqual([
      { key: 'x-forwarded-FOR', value: '198.51.100.7, 203.0.113.9' },
    ]);
  });
});
