import { describe, expect, it } from 'vitest';
import {
  ORIGIN_BODY_LIMIT,
  canonicalHeaderKey,
  encodeOriginBody,
  functionHeadersToEdge,
  makeOriginRequestEvent,
  newRequestId,
  querystringToString,
} from '../../local/cloudfront/origin-event.js';
import {
  DEFAULT_EDGE_LOCATION,
  POP_REGIONS,
  edgeLocationForPop,
} from '../../local/cloudfront/pops.js';
import { edgeResultToHttp, functionResponseToHttp } from '../../local/cloudfront/responses.js';
import {
  DEFAULT_VIEWER_HEADERS,
  groupHeaders,
  headerKeys,
  isLoopback,
  viewerContext,
} from '../../local/cloudfront/viewer.js';

/** Node's rawHeaders layout from name/value pairs. */
const raw = (...pairs: [string, string][]) => pairs.flat();

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

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.5.0.9', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['::ffff:192.168.1.2', false],
    ['1127.0.0.1', false],
    [undefined, false],
  ])('%s → %s', (addr, expected) => {
    expect(isLoopback(addr)).toBe(expected);
  });
});

describe('viewerContext', () => {
  const geo = raw(
    ['X-Beacon-Pop', 'SIN2-C1'],
    ['CloudFront-Viewer-Country', 'SG'],
    ['cloudfront-viewer-asn', '4773'],
    ['Content-Type', 'text/plain'],
    ['Connection', 'keep-alive'],
  );

  it('takes POP and geo headers from a loopback request', () => {
    const ctx = viewerContext('127.0.0.1', geo);
    expect(ctx.edgeLocation).toStrictEqual({
      name: 'SIN',
      region: 'ap-southeast-1',
      serverIp: DEFAULT_EDGE_LOCATION.serverIp,
    });
    expect(ctx.pop).toBe('SIN2-C1');
    expect(ctx.cloudFrontHeaders).toStrictEqual([
      { name: 'cloudfront-viewer-country', key: 'CloudFront-Viewer-Country', value: 'SG' },
      { name: 'cloudfront-viewer-asn', key: 'CloudFront-Viewer-ASN', value: '4773' },
    ]);
    // Emulator-only, CloudFront-owned and hop-by-hop headers never reach the edge code as client headers.
    expect(ctx.clientHeaders).toStrictEqual([
      { name: 'content-type', key: 'Content-Type', value: 'text/plain' },
    ]);
  });

  it('ignores POP and geo headers from other addresses and uses the defaults', () => {
    const ctx = viewerContext('203.0.113.7', geo);
    expect(ctx.edgeLocation).toStrictEqual(DEFAULT_EDGE_LOCATION);
    expect(ctx.pop).toBe('IAD89-C1');
    expect(Object.fromEntries(ctx.cloudFrontHeaders.map((h) => [h.key, h.value]))).toStrictEqual(
      DEFAULT_VIEWER_HEADERS,
    );
    expect(ctx.clientHeaders.map((h) => h.name)).toStrictEqual(['content-type']);
  });

  it('uses the defaults for a loopback request that brings no geo headers', () => {
    const ctx = viewerContext('::1', raw(['Content-Type', 'application/json']));
    expect(ctx.edgeLocation).toStrictEqual(DEFAULT_EDGE_LOCATION);
    expect(ctx.cloudFrontHeaders).toHaveLength(Object.keys(DEFAULT_VIEWER_HEADERS).length);
  });

  it('never forwards an address header carrying the client IP', () => {
    const ctx = viewerContext('127.0.0.1', raw(['CloudFront-Viewer-Country', 'DE']));
    expect(ctx.cloudFrontHeaders.some((h) => h.name === 'cloudfront-viewer-address')).toBe(false);
    expect(Object.keys(DEFAULT_VIEWER_HEADERS).some((k) => /address/i.test(k))).toBe(false);
  });

  it('groups repeated headers and keeps the first spelling', () => {
    const headers = viewerContext('127.0.0.1', raw(['Accept', 'a'], ['ACCEPT', 'b'])).clientHeaders;
    expect(groupHeaders(headers)).toStrictEqual({ accept: ['a', 'b'] });
    expect([...headerKeys(headers)]).toStrictEqual([['accept', 'Accept']]);
  });
});

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
});

describe('responses', () => {
  it('converts a function-generated response', () => {
    expect(
      functionResponseToHttp({
        statusCode: 415,
        headers: { 'content-type': { value: 'application/json' } },
        body: { encoding: 'text', data: '{"error":"unsupported_media_type"}' },
      }),
    ).toStrictEqual({
      status: 415,
      headers: [['content-type', 'application/json']],
      body: Buffer.from('{"error":"unsupported_media_type"}'),
    });
    expect(
      functionResponseToHttp({ statusCode: 204, body: { encoding: 'base64', data: '' } }).body
        .length,
    ).toBe(0);
  });

  it('converts a Lambda@Edge result, text and base64 bodies', () => {
    expect(
      edgeResultToHttp({
        status: '200',
        headers: { 'content-type': [{ key: 'Content-Type', value: 'application/json' }] },
        body: '{"accepted":1}',
      }),
    ).toStrictEqual({
      status: 200,
      headers: [['Content-Type', 'application/json']],
      body: Buffer.from('{"accepted":1}'),
    });
    expect(
      edgeResultToHttp({
        status: '200',
        body: Buffer.from('hi').toString('base64'),
        bodyEncoding: 'base64',
      }).body.toString(),
    ).toBe('hi');
    expect(edgeResultToHttp({ status: '204', statusDescription: 'No Content' })).toStrictEqual({
      status: 204,
      headers: [],
      body: Buffer.alloc(0),
    });
  });

  it.each([
    ['a number status', { status: 204 }, 'status must be a string of 3 digits, got 204'],
    ['a 204 with a body', { status: '204', body: 'x' }, 'a 204 response must not have a body'],
    [
      'headers not in arrays',
      { status: '200', headers: { a: { key: 'a', value: 'b' } } },
      'header a must be an array of {key, value}',
    ],
    [
      'mismatched header key',
      { status: '200', headers: { a: [{ key: 'B', value: 'b' }] } },
      'header a: name must be lowercase and match key',
    ],
    ['no object', null, 'handler returned no object'],
  ])('answers 502 for %s', (_name, result, detail) => {
    const http = edgeResultToHttp(result);
    expect(http.status).toBe(502);
    expect(JSON.parse(http.body.toString())).toStrictEqual({
      error: 'lambda_invalid_response',
      detail,
    });
    expect(http.rejectedByCloudFront).toBe(true);
  });

  it('answers 502 when the handler forwards the request (no local origin)', () => {
    expect(
      JSON.parse(edgeResultToHttp({ uri: '/v1/events', method: 'POST' }).body.toString()).error,
    ).toBe('origin_unreachable');
  });
});
