/**
 * Requests the edge must refuse, one of every kind, with the status and reasons it documents, for
 * tests that send them through the edge and count the bad rows they leave. Built for an edge that
 * allows one origin, {@link SITE}.
 */
import { ORIGIN_BODY_LIMIT } from '../../local/cloudfront/origin-event.js';
import { LIMITS } from '../../schemas/limits.js';
import { makeBatch, makeEvent } from './batch-factory.js';

/** The one origin the edge under test allows. */
export const SITE = 'https://video.example';

/** One HTTP request to the ingest endpoint. */
export interface RefusedRequest {
  body: Buffer;
  contentType?: string;
  /** Defaults to {@link SITE}. */
  origin?: string;
  /** Sent without Content-Length (Transfer-Encoding: chunked). */
  chunked?: boolean;
  method?: string;
  target?: string;
}

const text = (s: string) => Buffer.from(s);
/** The bytes of a value's JSON. */
export const json = (v: unknown) => text(JSON.stringify(v));
const tooLarge = json({ pad: 'x'.repeat(LIMITS.maxBodyBytes) });

/** [name, request, status, response reason, bad-row reasons (one row each)] */
export const REFUSED: [string, RefusedRequest, number, string, string[]][] = [
  [
    'a POST from an origin not on the list',
    { body: json(makeBatch()), contentType: 'text/plain', origin: 'https://evil.example' },
    403,
    'origin_not_allowed',
    ['origin_not_allowed'],
  ],
  [
    'a body over the limit, declared in Content-Length',
    { body: tooLarge, contentType: 'text/plain' },
    413,
    'body_too_large',
    ['body_too_large'],
  ],
  [
    'a body over the limit, chunked (its size known only on arrival)',
    { body: tooLarge, contentType: 'text/plain', chunked: true },
    413,
    'body_too_large',
    ['body_too_large'],
  ],
  [
    'a body over what CloudFront forwards, cut',
    { body: Buffer.alloc(ORIGIN_BODY_LIMIT + 1, 0x61), contentType: 'text/plain', chunked: true },
    413,
    'body_truncated',
    ['body_truncated'],
  ],
  [
    'an unsupported content type',
    { body: json(makeBatch()), contentType: 'application/xml' },
    415,
    'unsupported_media_type',
    ['unsupported_media_type'],
  ],
  [
    'no content type',
    { body: json(makeBatch()) },
    415,
    'unsupported_media_type',
    ['unsupported_media_type'],
  ],
  [
    'an empty body (Content-Length: 0)',
    { body: Buffer.alloc(0), contentType: 'text/plain' },
    400,
    'empty_body',
    ['empty_body'],
  ],
  [
    'invalid UTF-8',
    { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), contentType: 'text/plain' },
    400,
    'invalid_utf8',
    ['invalid_utf8'],
  ],
  [
    'invalid JSON',
    { body: text('{"schema_version": "1-0-0",'), contentType: 'application/json' },
    400,
    'invalid_json',
    ['invalid_json'],
  ],
  [
    'JSON nested too deep',
    { body: text(`${'['.repeat(5000)}${']'.repeat(5000)}`), contentType: 'text/plain' },
    400,
    'too_deep',
    ['too_deep'],
  ],
  [
    'an invalid envelope',
    { body: json({ hello: 'world' }), contentType: 'text/plain' },
    400,
    'invalid_envelope',
    ['invalid_envelope'],
  ],
  [
    'an unknown schema version',
    { body: json(makeBatch({ schema_version: '9-0-0' } as never)), contentType: 'text/plain' },
    400,
    'unknown_schema_version',
    ['unknown_schema_version'],
  ],
  [
    'no valid events (two invalid ones)',
    {
      body: json(
        makeBatch({
          events: [
            { ...makeEvent('paused'), seq: -1 },
            { ...makeEvent('started'), playhead: 'x' },
          ] as never,
        }),
      ),
      contentType: 'text/plain',
    },
    400,
    'no_valid_events',
    ['invalid_event', 'invalid_event'],
  ],
  [
    'too many events',
    { body: json(makeBatch({ count: LIMITS.maxEventsPerBatch + 1 })), contentType: 'text/plain' },
    413,
    'too_many_events',
    ['too_many_events'],
  ],
];

/** Not beacon requests at all: the function answers them and no bad row is kept. */
export const NOT_BEACONS: [string, RefusedRequest, number, string][] = [
  ['a wrong path', { body: json(makeBatch()), target: '/favicon.ico' }, 404, 'not_found'],
  ['a wrong method', { body: Buffer.alloc(0), method: 'PUT' }, 405, 'method_not_allowed'],
];
