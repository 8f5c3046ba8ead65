/** The Lambda@Edge adapter's translation helpers: CloudFront shapes in and out of the core. */
import { describe, expect, it } from 'vitest';
import {
  decodeBody,
  flattenHeaders,
  headerKey,
  toCloudFrontResponse,
  toIngestRequest,
} from '../../../edge/origin-request/translate.js';
import { makeOriginRequestEvent, NOW } from '../../helpers/cloudfront-events.js';

describe('flattenHeaders', () => {
  it('joins repeated values, lowercases names and skips empty entries', () => {
    expect(
      flattenHeaders({
        'content-type': [{ key: 'Content-Type', value: 'text/plain' }],
        accept: [
          { key: 'Accept', value: 'a/b' },
          { key: 'accept', value: 'c/d' },
        ],
        'X-Odd': [{ key: 'X-Odd', value: '1' }],
        empty: [],
      }),
    ).toStrictEqual(
      Object.assign(Object.create(null), {
        'content-type': 'text/plain',
        accept: 'a/b, c/d',
        'x-odd': '1',
      }),
    );
  });

  it('keeps a header named __proto__ as data', () => {
    const headers = JSON.parse('{"__proto__":[{"key":"__proto__","value":"x"}]}');
    const flat = flattenHeaders(headers);
    expect(Object.keys(flat)).toStrictEqual(['__proto__']);
    expect(Object.getPrototypeOf(flat)).toBeNull();
  });

  it('handles a missing header map', () => {
    expect(Object.keys(flattenHeaders(undefined))).toStrictEqual([]);
  });
});

describe('decodeBody', () => {
  it('decodes base64 and reports truncation', () => {
    const { bytes, truncated } = decodeBody({
      action: 'read-only',
      encoding: 'base64',
      inputTruncated: true,
      data: Buffer.from('héllo').toString('base64'),
    });
    expect(Buffer.from(bytes ?? []).toString()).toBe('héllo');
    expect(truncated).toBe(true);
  });

  it('takes text bodies as UTF-8', () => {
    const { bytes } = decodeBody({
      action: 'read-only',
      encoding: 'text',
      inputTruncated: false,
      data: 'héllo',
    });
    expect(Buffer.from(bytes ?? []).toString()).toBe('héllo');
  });

  it('gives null for an absent or empty body', () => {
    expect(decodeBody(undefined)).toStrictEqual({ bytes: null, truncated: false });
    expect(
      decodeBody({ action: 'read-only', encoding: 'base64', inputTruncated: false, data: '' }),
    ).toStrictEqual({ bytes: null, truncated: false });
  });
});

describe('toIngestRequest', () => {
  it('maps the CloudFront event onto the core request', () => {
    const event = makeOriginRequestEvent({
      body: 'abc',
      requestId: 'cf-req-1',
      inputTruncated: true,
      headers: { 'x-extra': 'y' },
    });
    const req = toIngestRequest(event, 'ap-southeast-1', NOW);
    expect({
      ...req,
      headers: { ...req.headers },
      body: Buffer.from(req.body ?? []).toString(),
    }).toMatchObject({
      method: 'POST',
      path: '/v1/events',
      body: 'abc',
      bodyTruncated: true,
      requestId: 'cf-req-1',
      servingRegion: 'ap-southeast-1',
      now: NOW,
      headers: { 'x-extra': 'y', 'content-type': 'text/plain;charset=UTF-8' },
    });
    // The client IP is in the event, but never in what the core sees.
    expect(JSON.stringify({ ...req, body: null })).not.toContain('203.0.113.178');
    expect(req.query).toBeUndefined();
  });

  it('passes the query string on (the CMCD path reads the player from it)', () => {
    const event = makeOriginRequestEvent({ body: 'abc' });
    event.Records[0].cf.request.querystring = 'player=hls.js&player_version=1.7.4';
    expect(toIngestRequest(event, 'eu-central-1', NOW).query).toBe(
      'player=hls.js&player_version=1.7.4',
    );
  });
});

describe('toCloudFrontResponse', () => {
  it('builds a generated response with string status and { key, value } headers', () => {
    expect(
      toCloudFrontResponse({
        status: 200,
        headers: { 'content-type': 'application/json', 'retry-after': '2' },
        body: '{"accepted":1}',
      }),
    ).toStrictEqual({
      status: '200',
      statusDescription: 'OK',
      headers: {
        'content-type': [{ key: 'Content-Type', value: 'application/json' }],
        'retry-after': [{ key: 'Retry-After', value: '2' }],
      },
      body: '{"accepted":1}',
      bodyEncoding: 'text',
    });
  });

  it('never puts a body on a 204 (CloudFront would answer 502)', () => {
    expect(toCloudFrontResponse({ status: 204, headers: {}, body: 'oops' })).toStrictEqual({
      status: '204',
      statusDescription: 'No Content',
      headers: {},
    });
  });

  it.each([
    [410, 'Gone'],
    [413, 'Payload Too Large'],
    [415, 'Unsupported Media Type'],
    [503, 'Service Unavailable'],
  ])('describes %i as %s', (status, text) => {
    expect(toCloudFrontResponse({ status, headers: {}, body: '{}' }).statusDescription).toBe(text);
  });

  it('spells header keys canonically', () => {
    expect(['access-control-allow-origin', 'x-beacon-edge', 'vary'].map(headerKey)).toStrictEqual([
      'Access-Control-Allow-Origin',
      'X-Beacon-Edge',
      'Vary',
    ]);
  });
});
