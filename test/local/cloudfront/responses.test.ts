import { describe, expect, it } from 'vitest';
import { edgeResultToHttp, functionResponseToHttp } from '../../../local/cloudfront/responses.js';

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
